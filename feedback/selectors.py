"""Reads of tickets. Every staff read goes through `tickets_visible_to`: a complaint about a
member of staff is hidden from that person everywhere (list, page, search, home queue)."""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from beneficiaries.models import Beneficiary

from .models import Ticket

State = Ticket.State
# Who may be given a ticket to answer: the staff who work on files.
HANDLERS = (Role.INTAKE, Role.RESEARCHER, Role.MANAGER)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Every ticket except the complaints about `user`."""
    return Ticket.objects.exclude(about_staff=user)


def ticket_for(user: User, pk: int) -> Ticket:
    """The ticket, or 404 when it does not exist or is a complaint about `user`."""
    return get_object_or_404(
        tickets_visible_to(user).select_related(
            "beneficiary", "assignee", "about_staff", "recorded_by", "answered_by"
        ),
        pk=pk,
    )


def tickets_matching(
    tickets: QuerySet[Ticket],
    *,
    kind: str = "",
    state: str = "",
    channel: str = "",
    overdue: bool = False,
    q: str = "",
    now: datetime | None = None,
) -> QuerySet[Ticket]:
    """The list's filters, and a search in the text, the answer, the reference and her name."""
    if kind:
        tickets = tickets.filter(kind=kind)
    if state == "open":
        tickets = tickets.filter(state__in=Ticket.OPEN)
    elif state:
        tickets = tickets.filter(state=state)
    if channel:
        tickets = tickets.filter(channel=channel)
    if overdue:
        tickets = tickets.filter(state__in=Ticket.OPEN, due_at__lt=now or timezone.now())
    q = q.strip()
    if q:
        match = Q(text__icontains=q) | Q(answer__icontains=q) | Q(beneficiary__full_name=q)
        number = q.upper().removeprefix("T-").lstrip("0")
        if number.isdigit():
            match |= Q(pk=int(number))
        tickets = tickets.filter(match)
    return tickets.order_by("-created_at", "-pk")


def tickets_filtered(user: User, **filters) -> QuerySet[Ticket]:
    """The staff list: the filters over the tickets visible to `user` only."""
    visible = tickets_visible_to(user).select_related("beneficiary", "assignee")
    return tickets_matching(visible, **filters)


def _queue_conditions(user: User) -> dict[str, Q]:
    return {
        "tickets_mine": Q(assignee=user),
        "tickets_unassigned": Q(state__in=(State.NEW, State.REOPENED), assignee__isnull=True),
        "tickets_overdue": Q(due_at__lt=timezone.now()),
    }


def open_tickets_in(user: User, line: str) -> QuerySet[Ticket]:
    """The open tickets of one home-queue line (mine, unassigned, overdue), the nearest
    deadline first; never a complaint about `user`."""
    return (
        tickets_visible_to(user)
        .filter(_queue_conditions(user)[line], state__in=Ticket.OPEN)
        .order_by("due_at", "pk")
    )


def open_counts(user: User, lines: list[str]) -> dict[str, int]:
    """How many open tickets each line holds, in one query."""
    conditions = _queue_conditions(user)
    return (
        tickets_visible_to(user)
        .filter(state__in=Ticket.OPEN)
        .aggregate(**{line: Count("pk", filter=conditions[line]) for line in lines})
    )


def assignable_staff(ticket: Ticket) -> QuerySet[User]:
    """Active staff who work on files, never the person a complaint is about."""
    users = (
        User.objects.filter(is_active=True, groups__name__in=HANDLERS)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    if ticket.about_staff_id:
        users = users.exclude(pk=ticket.about_staff_id)
    return users


def her_tickets(beneficiary: Beneficiary) -> QuerySet[Ticket]:
    """Her own tickets in the portal (the complaint's staff member is never shown to her)."""
    return Ticket.objects.filter(beneficiary=beneficiary).order_by("-created_at", "-pk")


# --- Reports ------------------------------------------------------------------------------------
@dataclass
class TicketFigures:
    """Tickets received in a period; each `by_*` is (value, label, count), zeros left out."""

    total: int
    by_channel: list[tuple[str, str, int]]
    by_category: list[tuple[str, str, int]]
    by_state: list[tuple[str, str, int]]
    by_kind: list[tuple[str, str, int]]
    answered: int
    answered_in_time: int
    in_time_share: float | None  # % of the answered ones answered by their deadline
    median_hours: float | None  # received → answered
    open_overdue: int  # of those received, still waiting past their deadline now


DIMENSIONS = ("channel", "category", "state", "kind")


def _by(groups: list[dict], field: str) -> list[tuple[str, str, int]]:
    """(value, label, count) per choice of `field` that has tickets, in the choices' order."""
    counts: dict[str, int] = {}
    for group in groups:
        counts[group[field]] = counts.get(group[field], 0) + group["n"]
    choices = Ticket._meta.get_field(field).choices
    return [(value, str(label), counts[value]) for value, label in choices if counts.get(value)]


def ticket_figures(start: datetime | None = None, end: datetime | None = None) -> TicketFigures:
    """Tickets received in [start, end): by channel, category, state and type, and the time
    to answer. Two queries: one count grouped by the four together, one read of the answered
    tickets' times."""
    tickets = Ticket.objects.all()
    if start is not None:
        tickets = tickets.filter(created_at__gte=start)
    if end is not None:
        tickets = tickets.filter(created_at__lt=end)
    overdue = Q(state__in=Ticket.OPEN, due_at__lt=timezone.now())
    groups = list(
        tickets.order_by()
        .values(*DIMENSIONS)
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue))
    )
    answered = list(
        tickets.filter(answered_at__isnull=False).values_list("created_at", "answered_at", "due_at")
    )
    hours = [(done - received).total_seconds() / 3600 for received, done, _due in answered]
    in_time = sum(1 for _received, done, due in answered if done <= due)
    return TicketFigures(
        total=sum(group["n"] for group in groups),
        by_channel=_by(groups, "channel"),
        by_category=_by(groups, "category"),
        by_state=_by(groups, "state"),
        by_kind=_by(groups, "kind"),
        answered=len(answered),
        answered_in_time=in_time,
        in_time_share=round(100 * in_time / len(answered), 1) if answered else None,
        median_hours=round(median(hours), 1) if hours else None,
        open_overdue=sum(group["overdue"] for group in groups),
    )
