"""Reads of the surveys app: invitations by token, and the aggregated results (SPEC §7).

No selector here returns a staff member: results are for improving the service, not for
judging the person who served her (policy goal 6).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from wahaj.lib.masking import mask_free_text

from . import default_survey
from .aggregates import (
    DETRACTOR_UP_TO,
    MIN_ANSWERS,
    PROMOTER_FROM,
    SATISFIED_FROM,
    Scores,
)
from .models import (
    DEFAULT_SURVEY_SLUG,
    Answer,
    Invitation,
    Question,
    Response,
    Survey,
    token_digest,
)

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
        Invitation.objects.select_related("survey", "support_request")
        .filter(token_hash=token_digest(token))
        .first()
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
    """Whole months, quarters or years only (issue 18): two ranges a day apart could be
    subtracted to read one answer. `kind` "range" is left for tests and internal reads."""

    start: date
    end: date  # inclusive
    kind: str = "range"

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        return cls(start, _next_month(start) - timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = date(year, 3 * quarter - 2, 1)
        end = _next_month(_next_month(_next_month(start))) - timedelta(days=1)
        return cls(start, end, "quarter")

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def parse(cls, key: str) -> "Period | None":
        """`2026-05`, `2026-Q2` or `2026`; None for anything else."""
        if match := re.fullmatch(r"(\d{4})-(\d{2})", key or ""):
            year, month = int(match[1]), int(match[2])
            return cls.month(year, month) if 1 <= month <= 12 else None
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", key or ""):
            return cls.quarter(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{4}", key or ""):
            return cls.year(int(key))
        return None

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        return f"{self.start.year}" if self.kind == "year" else f"{self.start}/{self.end}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return date_format(self.start, "F Y")
        if self.kind == "quarter":
            quarter = (self.start.month + 2) // 3
            return gettext("Quarter %(quarter)s of %(year)s") % {
                "quarter": quarter,
                "year": self.start.year,
            }
        return str(self.start.year) if self.kind == "year" else f"{self.start} – {self.end}"

    def months(self) -> list[date]:
        """The first day of every month the period covers."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def quarters(self) -> list["Period"]:
        return [Period.quarter(self.start.year, q) for q in range(1, 5)]

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=tz)
        end = datetime.combine(self.end, time.max, tzinfo=tz)
        return start, end


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def completed_periods(today: date) -> dict[str, list[Period]]:
    """The periods the results page offers: those already over (a month still running grows
    day by day, and two looks a day apart would differ by one answer), newest first."""
    this_month = today.replace(day=1)
    months, month = [], this_month
    for _i in range(24):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(Period.month(month.year, month.month))
    quarter = (today.month + 2) // 3
    quarters = []
    year = today.year
    for _i in range(8):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        quarters.append(Period.quarter(year, quarter))
    years = [Period.year(today.year - n) for n in (1, 2, 3)]
    return {"month": months, "quarter": quarters, "year": years}


def publishable(period: Period, per_month: dict[date, int]) -> bool:
    """Whether a group's figures for `period` may be shown: no subtraction of other shown
    figures (its months, its quarters) leaves a group of 1 to 4 answers.

    `per_month` counts the group's answers per month (first day). A month is shown with 0 or
    at least MIN_ANSWERS; a quarter when its hidden months (1–4 each) sum to 0 or at least
    MIN_ANSWERS; a year when the hidden remainders of its hidden quarters do (what is left
    after subtracting every shown quarter and month). A "range" is judged like a quarter.
    """

    def small(count: int) -> bool:
        return 0 < count < MIN_ANSWERS

    def hidden(months: list[date]) -> int:
        return sum(n for month in months if small(n := per_month.get(month, 0)))

    if period.kind == "month":
        return not small(per_month.get(period.start, 0))
    if period.kind == "year":
        return not small(sum(h for q in period.quarters() if small(h := hidden(q.months()))))
    return not small(hidden(period.months()))


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

    withheld: bool = False  # enough answers, but other figures minus this one would not be

    @property
    def too_few(self) -> bool:
        return self.withheld or self.answers < MIN_ANSWERS


def question_results(
    survey: Survey, responses: QuerySet[Response], period: Period, *, shown: bool = True
) -> list[QuestionResult]:
    """The average (or share of yes) per closed question, in the survey's order; a question's
    figure only when it has MIN_ANSWERS answers and is `publishable` month by month."""
    answers = Answer.objects.filter(
        response__in=responses, question__survey=survey, value__isnull=False
    )
    rows = {
        row["question"]: row
        for row in answers.values("question").annotate(
            n=Count("pk"), avg=Avg("value"), yes=Count("pk", filter=Q(value=1))
        )
    }
    per_month = _per_month(answers, "question")
    results = []
    for question in questions_of(survey):
        if question.kind == Question.Kind.TEXT:
            continue
        row = rows.get(question.pk, {"n": 0, "avg": None, "yes": 0})
        n = row["n"]
        visible = shown and n >= MIN_ANSWERS and publishable(period, per_month[question.pk])
        is_yes_no = question.kind == Question.Kind.YES_NO
        results.append(
            QuestionResult(
                question=question,
                answers=n,
                average=round(float(row["avg"]), 2) if visible and not is_yes_no else None,
                yes_share=round(100 * row["yes"] / n, 1) if visible and is_yes_no else None,
                withheld=not visible and n >= MIN_ANSWERS,
            )
        )
    return results


def _per_month(queryset: QuerySet, *keys: str, count: str = "pk") -> dict:
    """{key value(s): {first day of the month: count}} for `publishable` (one query)."""
    month = TruncMonth("submitted_at" if queryset.model is Response else "response__submitted_at")
    rows = (
        queryset.annotate(month=month)
        .values("month", *keys)
        .annotate(n=Count(count, distinct=count != "pk"))
        .order_by()
    )
    table: dict = defaultdict(dict)
    for row in rows:
        key = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys) or None
        table[key][timezone.localtime(row["month"]).date()] = row["n"]
    return table


def response_rate(period: Period) -> tuple[int, int, float | None]:
    """(invitations created in the period, how many were answered, the rate in %)."""
    counts = Invitation.objects.filter(created_at__range=period.bounds).aggregate(
        sent=Count("pk"), answered=Count("pk", filter=Q(used_at__isnull=False))
    )
    sent, answered = counts["sent"], counts["answered"]
    return sent, answered, (round(100 * answered / sent, 1) if sent else None)


def comments(responses: QuerySet[Response], limit: int = 100) -> list[str]:
    """Free-text answers, masked (wahaj.lib.masking.mask_free_text: digits, e-mails, titled
    names, the names of staff and her own), in the order of their text: no date, no order of
    arrival that could tie a comment to a visit."""
    rows = (
        Answer.objects.filter(response__in=responses, question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .values_list("text", "response__invitation__support_request__beneficiary__full_name")
        .order_by("text", "pk")[:limit]
    )
    staff = staff_names()
    return [mask_free_text(text, [*staff, her_name or ""]) for text, her_name in rows]


def staff_names() -> list[str]:
    """Every staff member's first, last and user name (one query): masked in comments."""
    users = get_user_model().objects.filter(is_staff=True) | get_user_model().objects.filter(
        groups__isnull=False
    )
    return [
        part
        for row in users.distinct().values_list("first_name", "last_name", "username")
        for part in row
        if part
    ]


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
    comments: list[str] = field(default_factory=list)


BREAKDOWNS = ("request_channel", "request_type", "outcome", "channel")


def results(period: Period) -> Results:
    """Everything the results page shows, in a constant number of queries.

    Groups under MIN_ANSWERS show no figure; nor does a group whose figure, subtracted from
    or by the others shown (its months, quarters, the other rows of its table), would leave
    fewer (`publishable`, `_breakdown`). Comments only for a period shown in full.
    """
    responses = responses_in(period)
    sent, answered, rate = response_rate(period)
    overall = scores(responses)
    by_group = _per_month(responses, *BREAKDOWNS)
    per_month: dict[date, int] = defaultdict(int)  # the groups' months add up to the total's
    for months in by_group.values():
        for month, count in months.items():
            per_month[month] += count
    if not publishable(period, per_month):
        overall = overall.withhold()
    return Results(
        period=period,
        overall=overall,
        sent=sent,
        answered=answered,
        rate=rate,
        questions=question_results(survey_active(), responses, period, shown=not overall.too_few),
        months=scores_by_month(responses),
        breakdowns={
            group: _breakdown(period, overall, scores_by(responses, group), by_group, index)
            for index, group in enumerate(BREAKDOWNS)
        },
        comments=[] if overall.too_few else comments(responses),
    )


def period_scores(period: Period) -> Scores:
    """The overall figures of a period for a summary (the dashboard, the monthly report):
    withheld while the period is still running (it grows answer by answer, and two looks a
    day apart would single one out) or when `publishable` says so."""
    overall = scores(responses_in(period))
    if period.end >= timezone.localdate() or period_withheld(period):
        return overall.withhold()
    return overall


def period_withheld(period: Period) -> bool:
    """Whether a period's answers are withheld as a whole (too few, or subtractable)."""
    responses = responses_in(period)
    per_month = _per_month(responses).get(None, {})
    return sum(per_month.values()) < MIN_ANSWERS or not publishable(period, per_month)


def _breakdown(
    period: Period, overall: Scores, rows: dict[str, Scores], by_group: dict, index: int
) -> dict[str, Scores]:
    """One table's rows: each `publishable` on its own months, and the whole table withheld
    when the rows it hides add up to 1–4 answers (the total minus the rows shown)."""
    per_month: dict = defaultdict(lambda: defaultdict(int))
    for key, months in by_group.items():
        for month, count in months.items():
            per_month[key[index]][month] += count
    rows = {
        key: cell if cell.too_few or publishable(period, per_month[key]) else cell.withhold()
        for key, cell in rows.items()
    }
    hidden = overall.responses - sum(cell.responses for cell in rows.values() if not cell.too_few)
    if overall.too_few or 0 < hidden < MIN_ANSWERS:
        return {key: cell if cell.too_few else cell.withhold() for key, cell in rows.items()}
    return rows
