"""Reads of the surveys app: invitations by token, and the aggregated results (SPEC §7).

No selector here returns a staff member: results are for improving the service, not for
judging the person who served her (policy goal 6).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from . import default_survey
from .aggregates import (
    DETRACTOR_UP_TO,
    MIN_ANSWERS,
    PROMOTER_FROM,
    SATISFIED_FROM,
    Scores,
)
from .models import DEFAULT_SURVEY_SLUG, Answer, Invitation, Question, Response, Survey

RATING = Question.Kind.RATING
RECOMMEND = Question.Kind.RECOMMEND

# Conditional counts over answers: one grouped query gives every figure of every group.
SCORE_COUNTS = {
    "responses": Count("response", distinct=True),
    "rated": Count("pk", filter=Q(question__kind=RATING, value__isnull=False)),
    "satisfied": Count("pk", filter=Q(question__kind=RATING, value__gte=SATISFIED_FROM)),
    "recommended": Count("pk", filter=Q(question__kind=RECOMMEND, value__isnull=False)),
    "promoters": Count("pk", filter=Q(question__kind=RECOMMEND, value__gte=PROMOTER_FROM)),
    "detractors": Count("pk", filter=Q(question__kind=RECOMMEND, value__lte=DETRACTOR_UP_TO)),
}


def survey_active() -> Survey:
    """The survey new invitations use: the active one most recently created, else the default."""
    survey = Survey.objects.filter(is_active=True).order_by("-created_at", "-pk").first()
    if survey is None:
        # Never let a delivery fail for want of a survey: the default one is made on demand.
        default_survey.ensure(Survey, Question)
        survey = Survey.objects.get(slug=DEFAULT_SURVEY_SLUG)
    return survey


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("survey", "support_request").filter(token=token).first()
    )


def invitations_for_beneficiary(beneficiary) -> QuerySet[Invitation]:
    """Her invitations, newest first (the portal shows them; `is_open` says which to answer)."""
    return (
        Invitation.objects.filter(support_request__beneficiary=beneficiary)
        .select_related("support_request")
        .order_by("-created_at")
    )


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position", "pk"))


# --- Results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=tz)
        end = datetime.combine(self.end, time.max, tzinfo=tz)
        return start, end


def responses_in(period: Period) -> QuerySet[Response]:
    return Response.objects.filter(submitted_at__range=period.bounds)


def scores(responses: QuerySet[Response]) -> Scores:
    counts = Answer.objects.filter(response__in=responses).aggregate(**SCORE_COUNTS)
    return Scores.from_counts(counts)


def scores_by(responses: QuerySet[Response], group: str) -> dict[str, Scores]:
    """Scores per value of a Response field (`request_channel`, `request_type`, `outcome`…)."""
    rows = (
        Answer.objects.filter(response__in=responses)
        .values(key=F(f"response__{group}"))
        .annotate(**SCORE_COUNTS)
        .order_by("key")
    )
    return {row["key"]: Scores.from_counts(row) for row in rows}


def scores_by_month(responses: QuerySet[Response]) -> list[tuple[date, Scores]]:
    rows = (
        Answer.objects.filter(response__in=responses)
        .annotate(month=TruncMonth("response__submitted_at"))
        .values("month")
        .annotate(**SCORE_COUNTS)
        .order_by("month")
    )
    return [(timezone.localtime(row["month"]).date(), Scores.from_counts(row)) for row in rows]


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answers: int
    average: float | None  # rating 1–5 and recommendation 0–10
    yes_share: float | None  # yes/no

    @property
    def too_few(self) -> bool:
        return self.answers < MIN_ANSWERS


def question_results(survey: Survey, responses: QuerySet[Response]) -> list[QuestionResult]:
    """The average (or share of yes) per closed question, in the survey's order."""
    rows = {
        row["question"]: row
        for row in Answer.objects.filter(
            response__in=responses, question__survey=survey, value__isnull=False
        )
        .values("question")
        .annotate(n=Count("pk"), avg=Avg("value"), yes=Count("pk", filter=Q(value=1)))
    }
    results = []
    for question in questions_of(survey):
        if question.kind == Question.Kind.TEXT:
            continue
        row = rows.get(question.pk, {"n": 0, "avg": None, "yes": 0})
        n = row["n"]
        shown = n >= MIN_ANSWERS
        is_yes_no = question.kind == Question.Kind.YES_NO
        results.append(
            QuestionResult(
                question=question,
                answers=n,
                average=round(float(row["avg"]), 2) if shown and not is_yes_no else None,
                yes_share=round(100 * row["yes"] / n, 1) if shown and is_yes_no else None,
            )
        )
    return results


def response_rate(period: Period) -> tuple[int, int, float | None]:
    """(invitations created in the period, how many were answered, the rate in %)."""
    counts = Invitation.objects.filter(created_at__range=period.bounds).aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(used_at__isnull=False))
    )
    sent, answered = counts["sent"], counts["answered"]
    return sent, answered, (round(100 * answered / sent, 1) if sent else None)


def comments(responses: QuerySet[Response], limit: int = 100) -> list[dict]:
    """Free-text answers, newest first, with the month only: never a name or a reference."""
    return list(
        Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .order_by("-response__submitted_at", "-pk")
        .values("text", "response__submitted_at")[:limit]
    )


@dataclass
class Results:
    period: Period
    overall: Scores
    sent: int
    answered: int
    rate: float | None
    questions: list[QuestionResult]
    months: list[tuple[date, Scores]]
    breakdowns: dict[str, dict[str, Scores]] = field(default_factory=dict)
    comments: list[dict] = field(default_factory=list)


BREAKDOWNS = ("request_channel", "request_type", "outcome", "channel")


def results(period: Period) -> Results:
    """Everything the results page shows, in a constant number of queries."""
    responses = responses_in(period)
    sent, answered, rate = response_rate(period)
    return Results(
        period=period,
        overall=scores(responses),
        sent=sent,
        answered=answered,
        rate=rate,
        questions=question_results(survey_active(), responses),
        months=scores_by_month(responses),
        breakdowns={group: scores_by(responses, group) for group in BREAKDOWNS},
        comments=comments(responses),
    )
