"""The figures of the manager dashboard and of the monthly report (SPEC §8).

Definitions (the dashboard test checks each against an independent query):
- open: states draft, submitted, in research, before the committee, returned;
- overdue now: the clock runs and the decision was due before now;
- window compliance of a period: of the requests decided (approved or rejected) in it, the
  share decided by their due time (`decided_at <= decision_due_at`);
- days to decision: from submission to decision, less the time the request stood returned to
  her (the committee's clock stands still then), in days; the median of a period's decisions.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from beneficiaries.models import Beneficiary
from feedback.selectors import TicketFigures, ticket_figures
from programs.selectors import fund_totals, programs_summary
from requests_app.models import RequestType, SupportRequest
from surveys import selectors as survey_selectors
from surveys.aggregates import Scores
from wahaj.lib.cache import get_or_compute
from wahaj.lib.choices import Channel

State = SupportRequest.State
APPROVED_STATES = (State.APPROVED, State.DELIVERED, State.CLOSED)
DECIDED_STATES = (*APPROVED_STATES, State.REJECTED)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str | None, default: date) -> "Month":
        try:
            year, month = (int(part) for part in (text or "").split("-"))
        except ValueError:
            return cls.of(default)
        valid = 1 <= month <= 12 and 2000 <= year <= 2100
        return cls(year, month) if valid else cls.of(default)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) of the month in local time."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.first_day, time.min, tzinfo=tz),
            datetime.combine(self.next().first_day, time.min, tzinfo=tz),
        )

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _in(field: str, bounds: tuple[datetime, datetime]) -> Q:
    return Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def decided_in(bounds: tuple[datetime, datetime]) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(_in("decided_at", bounds), state__in=DECIDED_STATES)


def window_compliance(bounds: tuple[datetime, datetime]) -> tuple[int, int, float | None]:
    """(decided in the period, of which within the window, the share in %)."""
    counts = decided_in(bounds).aggregate(
        decided=Count("pk"),
        met=Count("pk", filter=Q(decided_at__lte=F("decision_due_at"))),
    )
    decided, met = counts["decided"], counts["met"]
    return decided, met, (round(100 * met / decided, 1) if decided else None)


def median_days_to_decision(bounds: tuple[datetime, datetime]) -> float | None:
    """The median, in days (one decimal), over the period's decisions; None without any."""
    rows = decided_in(bounds).values_list("submitted_at", "decided_at", "paused_total")
    days = [
        (decided - submitted - (paused or timedelta())).total_seconds() / 86400
        for submitted, decided, paused in rows
        if submitted and decided
    ]
    return round(statistics.median(days), 1) if days else None


def open_by_state() -> list[tuple[str, str, int]]:
    """(state, label, count) for every open state, in the life-cycle's order, zeros included."""
    counts = dict(
        SupportRequest.objects.filter(state__in=SupportRequest.OPEN)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [(state, State(state).label, counts.get(state, 0)) for state in SupportRequest.OPEN]


def overdue_now(now: datetime | None = None) -> int:
    now = now or timezone.now()
    return SupportRequest.objects.filter(
        state__in=SupportRequest.CLOCK_RUNNING, decision_due_at__lt=now
    ).count()


def count_by(queryset: QuerySet, field: str, choices) -> list[tuple[str, str, int]]:
    """(value, label, count) for each choice, in the choices' order, zeros left out."""
    counts = dict(queryset.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return [(value, label, counts[value]) for value, label in choices if counts.get(value)]


@dataclass
class Dashboard:
    computed_at: datetime  # the figures are exact as of this moment
    today: date
    open_states: list[tuple[str, str, int]]
    open_total: int
    overdue: int
    decided: int
    decided_in_window: int
    window_share: float | None
    median_days: float | None
    since: date
    by_channel: list[tuple[str, str, int]]
    by_type: list[tuple[str, str, int]]
    satisfaction: Scores
    response_rate: float | None
    tickets: TicketFigures | None = None  # received this month (issue 20)
    funds: dict | None = None  # balance, committed, left and spent (issue 21)


def manager_dashboard(now: datetime | None = None) -> Dashboard:
    """The manager's figures: now, this month, and satisfaction over the last twelve months."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    month = Month.of(today).bounds
    # Satisfaction over the last twelve whole months: a window ending today would move by one
    # answer from one day to the next (issue 18, surveys.selectors.period_scores).
    this_month = today.replace(day=1)
    since = this_month.replace(year=this_month.year - 1)
    open_states = open_by_state()
    decided, met, share = window_compliance(month)
    period = survey_selectors.Period(start=since, end=this_month - timedelta(days=1))
    _sent, _answered, rate = survey_selectors.response_rate(period)
    return Dashboard(
        computed_at=now,
        today=today,
        open_states=open_states,
        open_total=sum(n for _s, _l, n in open_states),
        overdue=overdue_now(now),
        decided=decided,
        decided_in_window=met,
        window_share=share,
        median_days=median_days_to_decision(month),
        since=since,
        # Every request, so that each number equals the list it links to (`?state=&channel=…`).
        by_channel=count_by(SupportRequest.objects.all(), "channel", Channel.choices),
        by_type=count_by(SupportRequest.objects.all(), "request_type", RequestType.choices),
        satisfaction=survey_selectors.period_scores(period),
        response_rate=rate,
        tickets=ticket_figures(*month),
        funds=fund_totals(),
    )


DASHBOARD_CACHE_KEY = "reports:manager-dashboard"


def manager_dashboard_cached() -> Dashboard:
    """The manager's figures, computed at most once every DASHBOARD_CACHE_SECONDS.

    On 250,000 requests they take about a second (counts over every request and a year of
    survey answers); every manager's home page would pay it. The page says "as of" when they
    were computed; the lists it links to are always live. 0 turns the cache off.
    """
    if not settings.DASHBOARD_CACHE_SECONDS:
        return manager_dashboard()
    # Computed, not a 500, when Redis is unreachable (issue 24).
    return get_or_compute(DASHBOARD_CACHE_KEY, manager_dashboard, settings.DASHBOARD_CACHE_SECONDS)


@dataclass
class MonthlyReport:
    month: Month
    intake_by_channel: list[tuple[str, str, int]]
    intake_total: int
    beneficiaries_registered: int
    by_type: list[dict]
    approved: int
    rejected: int
    amount_approved: Decimal
    delivered: int
    amount_delivered: Decimal
    decided: int
    decided_in_window: int
    window_share: float | None
    median_days: float | None
    satisfaction: Scores
    invitations: int
    answered: int
    response_rate: float | None
    tickets: TicketFigures | None = None  # inquiries, complaints… received (issue 20)
    programs: list | None = None  # per program: approved, delivered… (issue 21)


def monthly_report(month: Month) -> MonthlyReport:
    """The board's monthly report: intake, decisions by type, amounts, window, satisfaction."""
    bounds = month.bounds
    submitted = SupportRequest.objects.filter(_in("submitted_at", bounds))
    intake = count_by(submitted, "channel", Channel.choices)
    decisions = {
        row["request_type"]: row
        for row in decided_in(bounds)
        .values("request_type")
        .annotate(
            approved=Count("pk", filter=Q(state__in=APPROVED_STATES)),
            rejected=Count("pk", filter=Q(state=State.REJECTED)),
            amount=Sum("approved_amount", filter=Q(state__in=APPROVED_STATES)),
        )
    }
    submitted_by_type = dict(
        submitted.values_list("request_type")
        .annotate(n=Count("pk"))
        .values_list("request_type", "n")
    )
    by_type = []
    for value, label in RequestType.choices:
        row = decisions.get(value, {})
        if not (row or submitted_by_type.get(value)):
            continue
        by_type.append(
            {
                "type": value,
                "label": label,
                "submitted": submitted_by_type.get(value, 0),
                "approved": row.get("approved", 0),
                "rejected": row.get("rejected", 0),
                "amount": row.get("amount") or Decimal("0"),
            }
        )
    delivered = SupportRequest.objects.filter(_in("delivered_at", bounds)).aggregate(
        n=Count("pk"), amount=Sum("delivered_amount")
    )
    decided, met, share = window_compliance(bounds)
    period = survey_selectors.Period.month(month.first_day.year, month.first_day.month)
    invitations, answered, rate = survey_selectors.response_rate(period)
    return MonthlyReport(
        month=month,
        intake_by_channel=intake,
        intake_total=sum(n for _v, _l, n in intake),
        beneficiaries_registered=Beneficiary.objects.filter(_in("created_at", bounds)).count(),
        by_type=by_type,
        approved=sum(row["approved"] for row in by_type),
        rejected=sum(row["rejected"] for row in by_type),
        amount_approved=sum((row["amount"] for row in by_type), Decimal("0")),
        delivered=delivered["n"],
        amount_delivered=delivered["amount"] or Decimal("0"),
        decided=decided,
        decided_in_window=met,
        window_share=share,
        median_days=median_days_to_decision(bounds),
        satisfaction=survey_selectors.period_scores(period),
        invitations=invitations,
        answered=answered,
        response_rate=rate,
        tickets=ticket_figures(*bounds),
        programs=programs_summary(start=bounds[0], end=bounds[1]),
    )
