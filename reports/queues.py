"""The work in front of each person at `/` (issue 16): a queue for each role she holds.

A queue is a list of lines. Each line: how many (counts first), what they are, a link to where
they are all listed or acted on, and its first rows — oldest or most urgent first — each a
link to the page where that one is acted on. A line costs one or two queries whatever the data
(the request lines of a queue share one aggregate for their counts), so a home page costs the
same with ten requests or two hundred thousand (reports/tests/test_home_queues.py pins it).

Queues follow the groups a person holds, not the roles they include: a manager sees the
manager's queue and the dashboard, not intake's; a chair sees hers, then the member's (she
votes too).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from beneficiaries.selectors import referrals_open_for
from committee.models import AgendaItem, Meeting
from feedback import selectors as tickets
from notifications.selectors import messages_failed
from outreach.selectors import documents_expiring_open, reassessments_open_for
from portal.selectors import open_corrections
from requests_app.models import SupportRequest
from requests_app.selectors import (
    RESUBMITTED,
    home_visits_of_researcher,
    request_url,
    support_requests_with_clock,
    waiting_for_research,
    waiting_for_verification,
    week_of,
)

State = SupportRequest.State
ROWS = 5  # the first few of each line; the line's link leads to all of them


@dataclass
class Row:
    title: str
    url: str
    reference: str = ""  # a request's reference, a visit's hours: read left to right
    note: str = ""  # a meeting's committee and items
    when: date | None = None  # shown as a dual date
    request: SupportRequest | None = None  # shown with its clock badge


@dataclass
class Line:
    key: str  # stable, for tests and styling (data-queue-line)
    label: str
    url: str
    count: int | None = None  # None: an action (a button), not a count
    rows: list[Row] = field(default_factory=list)
    urgent: bool = False  # shown in red when there are any


@dataclass
class Queue:
    role: str
    title: str
    lines: list[Line]


# --- Support requests: the conditions each line counts, shared by its count and its rows ----
def _counts(**conditions: Q) -> dict[str, int]:
    """One query: how many requests meet each condition, each counted by a subquery of its own.

    Each condition names its states, so each count reads its own index: the count of a state
    from the index alone, a condition on more columns only that state's rows. (Counting all
    lines with FILTERs over the rows meeting any of them read every returned and approved
    request from the table: 11 ms for 8,700 rows at 100,000 files, issue 23.)"""
    parts, params = [], []
    for condition in conditions.values():
        sql, condition_params = (
            SupportRequest.objects.filter(condition).order_by().values("pk").query.sql_with_params()
        )
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS line)")  # noqa: S608 - ORM's SQL
        params.extend(condition_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(conditions, cursor.fetchone(), strict=True))


def _request_rows(condition: Q, *, anchor: str = "", to: str = "") -> list[Row]:
    """The first requests meeting `condition`, the decision due first — the most urgent, and
    in one state also the oldest (submitted first) — each a link to its page (+ `anchor`), or
    to `to` when that one page is where they are acted on.

    Ordered by the due date, not by when each was returned or approved: the (state,
    decision_due_at) index then hands over the first five without sorting the state's rows
    (seed_demo, 50,000 requests: 32 ms → 0.2 ms for the approved ones)."""
    url = request_url()
    rows = support_requests_with_clock(
        SupportRequest.objects.filter(condition)
        .select_related("beneficiary")
        .only(
            "reference",
            "state",
            "request_type",
            "decision_due_at",
            "paused_at",
            "decided_at",
            "beneficiary__full_name",
        )
    ).order_by("decision_due_at", "pk")[:ROWS]
    return [
        Row(
            title=sr.beneficiary.full_name,
            url=to or url(sr.pk) + anchor,
            reference=sr.reference or "",
            request=sr,
        )
        for sr in rows
    ]


def _list(**params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{reverse('requests_app:list')}?{query}"


# --- Intake ------------------------------------------------------------------------------------
def intake_queue() -> Queue:
    returned = Q(state=State.RETURNED)
    resubmitted = RESUBMITTED
    approved = Q(state=State.APPROVED)
    online = waiting_for_verification()
    counts = _counts(online=online, returned=returned, resubmitted=resubmitted, approved=approved)
    corrections = open_corrections()
    return Queue(
        Role.INTAKE,
        _("Beneficiary relations"),
        [
            Line("new_beneficiary", _("New beneficiary"), reverse("beneficiaries:create")),
            Line("new_request", _("New request (open her file)"), reverse("beneficiaries:list")),
            Line(
                "online_to_verify",
                _("Online requests waiting for verification"),
                _list(state=State.SUBMITTED, waiting="verification"),
                counts["online"],
                _request_rows(online, anchor="#verification"),
            ),
            Line(
                "returned",
                _("Returned to her for completion"),
                _list(state=State.RETURNED),
                counts["returned"],
                _request_rows(returned),
            ),
            Line(
                "resubmitted",
                _("Resubmitted after completion"),
                _list(state=State.SUBMITTED, waiting="resubmitted"),
                counts["resubmitted"],
                _request_rows(resubmitted),
            ),
            Line(
                "to_deliver",
                _("Approved, waiting for delivery"),
                _list(state=State.APPROVED),
                counts["approved"],
                _request_rows(approved, anchor="#actions"),
            ),
            _corrections_line("corrections_due", _("Data correction requests due"), corrections),
            _outreach_line(
                "documents_expiring",
                _("Documents about to expire (she was told)"),
                documents_expiring_open(),
                anchor="#documents",
            ),
        ],
    )


def _outreach_line(key: str, label: str, tasks: QuerySet, *, anchor: str = "") -> Line:
    """Outreach tasks (issue 20), the nearest due first, each a link to her file."""
    return Line(
        key,
        label,
        reverse("outreach:work"),
        tasks.count(),
        [
            Row(
                title=t.beneficiary.full_name,
                url=reverse("beneficiaries:detail", args=[t.beneficiary_id]) + anchor,
                when=t.due_on,
            )
            for t in tasks[:ROWS]
        ],
    )


def _corrections_line(key: str, label: str, corrections: QuerySet) -> Line:
    """Her PDPL correction requests (portal), the nearest due first; red once one is late."""
    rows = list(corrections[:ROWS])
    return Line(
        key,
        label,
        reverse("portal:corrections"),
        corrections.count(),
        [
            Row(title=c.beneficiary.full_name, url=reverse("portal:corrections"), when=c.due_at)
            for c in rows
        ],
        urgent=bool(rows) and rows[0].due_at < timezone.now(),
    )


# --- Researcher --------------------------------------------------------------------------------
def researcher_queue(user) -> Queue:
    not_started = waiting_for_research(user)
    hers = Q(state=State.IN_RESEARCH, researcher=user)
    counts = _counts(not_started=not_started, hers=hers)
    referrals = referrals_open_for(user)
    today = timezone.localdate()
    # What is still to come this week (the week page shows the days gone by too).
    visits = [v for v in home_visits_of_researcher(user, *week_of(today)) if v.date >= today]
    url = request_url()
    return Queue(
        Role.RESEARCHER,
        _("Social research"),
        [
            Line(
                "referrals",
                _("Referrals to answer"),
                reverse("beneficiaries:referrals"),
                referrals.count(),
                [
                    Row(
                        title=r.beneficiary.full_name,
                        url=reverse("beneficiaries:detail", args=[r.beneficiary_id]) + "#referrals",
                        when=r.created_at,
                    )
                    for r in referrals[:ROWS]
                ],
            ),
            Line(
                "not_started",
                _("Submitted, research not started (unassigned or yours)"),
                _list(state=State.SUBMITTED, waiting="research"),
                counts["not_started"],
                _request_rows(not_started, anchor="#actions"),
            ),
            Line(
                "in_research",
                _("Yours in research, fewest days left first"),
                _list(state=State.IN_RESEARCH, researcher=str(user.pk)),
                counts["hers"],
                _request_rows(hers),
            ),
            _outreach_line(
                "reassessments",
                _("Files due for reassessment"),
                reassessments_open_for(user),
            ),
            Line(
                "home_visits",
                _("Home visits this week"),
                reverse("requests_app:visits"),
                len(visits),
                [
                    Row(
                        title=v.support_request.beneficiary.full_name,
                        url=url(v.support_request_id),
                        reference=v.window,
                        when=v.date,
                    )
                    for v in visits[:ROWS]
                ],
            ),
        ],
    )


# --- Committee member and chair ----------------------------------------------------------------
def _meeting_row(meeting_id: int, number: int, committee: str, day: date, extra: str = "") -> Row:
    title = _("Meeting no. %(number)s") % {"number": number}
    return Row(
        title=title,
        url=reverse("committee:meeting", args=[meeting_id]),
        note=" · ".join(part for part in (committee, extra) if part),
        when=day,
    )


def member_queue(user) -> Queue:
    """Open meetings where she is present and an item waits for her vote (not decided, not
    deferred, not a request she entered or researched: she may not vote on those)."""
    waiting = (
        AgendaItem.objects.filter(
            meeting__status=Meeting.Status.OPEN,
            meeting__present=user,
            decision__isnull=True,
            deferred_at__isnull=True,
        )
        .exclude(votes__member=user)
        .exclude(support_request__created_by=user)
        .exclude(support_request__research_report__author=user)
        .values("meeting_id", "meeting__number", "meeting__date", "meeting__committee__name")
        .annotate(items=Count("pk", distinct=True))
        .order_by("meeting__date", "meeting_id")
    )
    meetings = list(waiting)  # open meetings at one time are few: all of them, one query
    return Queue(
        Role.COMMITTEE,
        _("Committee member"),
        [
            Line(
                "to_vote",
                _("Meetings with items waiting for your vote"),
                reverse("committee:queue"),
                len(meetings),
                [
                    _meeting_row(
                        m["meeting_id"],
                        m["meeting__number"],
                        m["meeting__committee__name"],
                        m["meeting__date"],
                        _("items: %(count)s") % {"count": m["items"]},
                    )
                    for m in meetings[:ROWS]
                ],
            )
        ],
    )


def chair_queue(user) -> Queue:
    """The committees she chairs: what to put on an agenda, meetings open and to close, and
    requests before the committee past their decision date."""
    running = (Meeting.Status.PLANNED, Meeting.Status.OPEN)
    on_an_agenda = AgendaItem.objects.filter(
        meeting__status__in=running, deferred_at__isnull=True
    ).values("support_request_id")
    ready = Q(state=State.IN_COMMITTEE) & ~Q(pk__in=on_an_agenda)
    overdue = Q(state=State.IN_COMMITTEE, decision_due_at__lt=timezone.now())
    counts = _counts(ready=ready, overdue=overdue)
    meetings = list(
        Meeting.objects.filter(committee__chair=user, status__in=running)
        .select_related("committee")
        .annotate(
            items=Count("agenda_items", distinct=True),
            undecided=Count(
                "agenda_items",
                filter=Q(
                    agenda_items__decision__isnull=True, agenda_items__deferred_at__isnull=True
                ),
                distinct=True,
            ),
        )
        .order_by("date", "number")
    )
    open_meetings = [m for m in meetings if m.status == Meeting.Status.OPEN]
    # Every item decided or deferred: the chair closes it and its minutes become final.
    to_close = [m for m in open_meetings if m.items and not m.undecided]
    # Requests go on the agenda of her next meeting; without one, she plans one first.
    agenda_url = meetings[0].get_absolute_url() if meetings else reverse("committee:queue")
    return Queue(
        Role.CHAIR,
        _("Committee chair"),
        [
            Line(
                "ready_for_agenda",
                _("Requests ready for an agenda"),
                agenda_url,
                counts["ready"],
                _request_rows(ready, to=agenda_url),
            ),
            Line(
                "open_meetings",
                _("Open meetings"),
                reverse("committee:queue"),
                len(open_meetings),
                [_chair_meeting_row(m) for m in open_meetings[:ROWS]],
            ),
            Line(
                "meetings_to_close",
                _("Meetings to close"),
                reverse("committee:queue"),
                len(to_close),
                [_chair_meeting_row(m) for m in to_close[:ROWS]],
            ),
            Line(
                "overdue_items",
                _("Before the committee, past the decision date"),
                reverse("committee:queue"),
                counts["overdue"],
                _request_rows(overdue),
                urgent=True,
            ),
        ],
    )


def _chair_meeting_row(meeting: Meeting) -> Row:
    undecided = _("undecided: %(count)s") % {"count": meeting.undecided}
    return _meeting_row(meeting.pk, meeting.number, meeting.committee.name, meeting.date, undecided)


# --- Manager -----------------------------------------------------------------------------------
def manager_queue() -> Queue:
    overdue = Q(state__in=SupportRequest.CLOCK_RUNNING, decision_due_at__lt=timezone.now())
    failed = messages_failed()
    corrections = open_corrections().filter(due_at__lt=timezone.now())
    return Queue(
        Role.MANAGER,
        _("Needs follow-up"),  # the dashboard below it is "Management"
        [
            Line(
                "overdue_requests",
                _("Overdue requests"),
                _list(state="open", overdue="true"),
                _counts(overdue=overdue)["overdue"],
                _request_rows(overdue),
                urgent=True,
            ),
            Line(
                "failed_messages",
                _("Failed messages"),
                reverse("admin:notifications_message_changelist") + "?status__exact=failed",
                failed.count(),
                [
                    Row(
                        title=m.template_label,
                        url=reverse("admin:notifications_message_change", args=[m.pk]),
                        when=m.updated_at,
                    )
                    for m in failed.only("template", "updated_at")[:ROWS]
                ],
                urgent=True,
            ),
            _corrections_line("corrections_overdue", _("Data corrections overdue"), corrections),
        ],
    )


# --- Tickets: inquiries, complaints, suggestions, thanks (issue 20) ------------------------------
def _ticket_rows(tickets_of: QuerySet) -> list[Row]:
    rows = tickets_of.select_related("beneficiary").only(
        "kind", "due_at", "beneficiary__full_name"
    )[:ROWS]
    return [
        Row(
            title=t.beneficiary.full_name if t.beneficiary else str(t.get_kind_display()),
            url=reverse("feedback:detail", args=[t.pk]),
            reference=t.reference,
            when=t.due_at,
        )
        for t in rows
    ]


def tickets_queue(user, *, manager: bool) -> Queue:
    """Her open tickets; for managers also those nobody has yet and those past the deadline.
    A complaint about her is in none of them (feedback.selectors.tickets_visible_to). The
    counts are one aggregate; each line that has tickets, one query for its first rows."""
    keys = ["tickets_mine"]
    if manager:
        keys += ["tickets_unassigned", "tickets_overdue"]
    counts = tickets.open_counts(user, keys)
    base = reverse("feedback:list")
    labels = {
        "tickets_mine": (_("Tickets assigned to you, nearest deadline first"), "?state=open"),
        "tickets_unassigned": (_("Tickets waiting to be assigned"), "?state=new"),
        "tickets_overdue": (_("Tickets past their answer deadline"), "?overdue=on"),
    }
    return Queue(
        "tickets",
        _("Inquiries, complaints and suggestions"),
        [
            Line(
                key,
                labels[key][0],
                base + labels[key][1],
                counts[key],
                _ticket_rows(tickets.open_tickets_in(user, key)) if counts[key] else [],
                urgent=key == "tickets_overdue",
            )
            for key in keys
        ],
    )


def queues_for(user) -> list[Queue]:
    """The queues of the groups she holds, in the order of the policy's steps."""
    groups = user.group_names
    queues = []
    if Role.INTAKE in groups:
        queues.append(intake_queue())
    if Role.RESEARCHER in groups:
        queues.append(researcher_queue(user))
    if Role.CHAIR in groups:
        queues.append(chair_queue(user))
    if Role.COMMITTEE in groups or Role.CHAIR in groups:
        queues.append(member_queue(user))
    if Role.MANAGER in groups:
        queues.append(manager_queue())
    if groups & {Role.INTAKE, Role.RESEARCHER, Role.MANAGER}:
        queues.append(tickets_queue(user, manager=Role.MANAGER in groups))
    return queues
