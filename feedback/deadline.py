"""The tickets' answer deadline: a periodic sweep (beat, every 15 minutes; issue 20).

`ticket_deadlines_enforce` reminds the assignee once when FEEDBACK_REMINDER_DAYS are left, and
when the deadline passes unanswered tells the managers — once per due time, with a system
event on the ticket; the managers get one message per sweep naming how many tickets became
overdue (not one per ticket). As the decision window's sweep (requests_app/window.py):
candidates locked with SKIP LOCKED, the ticket's own marks say what was done (`reminded_at`,
`overdue_flagged_at`, compared with the due time so a reopened ticket starts a new episode),
every message has a unique idempotency key, and everything is read and written in bulk, so the
number of queries does not grow with the number of tickets due.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import Event
from notifications.models import Message
from notifications.services import message_build, messages_queue_bulk, staff_address
from wahaj.lib.bulk import copy_rows, insert_many

from .models import Ticket

State = Ticket.State


@dataclass(frozen=True)
class TicketSweep:
    reminded: int  # tickets whose assignee was reminded
    overdue: int  # tickets newly past due (escalated to the managers in one message each)
    messages: int  # outbox rows queued


_FIELDS = ("id", "kind", "state", "due_at", "about_staff_id", "assignee")
_STAFF_FIELDS = ("id", "email", "mobile", "preferred_language")


def _due_for_reminder(now: datetime) -> QuerySet[Ticket]:
    days = settings.FEEDBACK_REMINDER_DAYS
    if days <= 0:
        return Ticket.objects.none()
    window = timedelta(days=days)
    return (
        Ticket.objects.filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("due_at") - window),
            state__in=(State.ASSIGNED, State.REOPENED),
            assignee__isnull=False,
            due_at__gt=now,
            due_at__lte=now + window,
        )
        .select_related("assignee")
        .only(*_FIELDS, *(f"assignee__{f}" for f in _STAFF_FIELDS))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by()
    )


def _newly_overdue(now: datetime) -> list[tuple[int, str, datetime, int | None]]:
    """(id, state, due time, about whom) of the open tickets past due not yet escalated for
    this due time. Plain tuples: there may be thousands, and nothing here needs a model."""
    return list(
        Ticket.objects.filter(
            Q(overdue_flagged_at__isnull=True) | Q(overdue_flagged_at__lt=F("due_at")),
            state__in=Ticket.OPEN,
            due_at__lt=now,
        )
        .select_for_update(skip_locked=True)
        .order_by("due_at", "pk")
        .values_list("id", "state", "due_at", "about_staff_id")
    )


def _messages(users: list[User], ticket: Ticket, *, template: str, key: str, context: dict):
    rows = []
    for user in users:
        channel, to, language = staff_address(user)
        rows.append(
            message_build(
                channel=channel,
                to=to,
                template=template,
                language=language,
                context=context,
                idempotency_key=f"{key}:u{user.pk}",
                subject=ticket,
            )
        )
    return rows


def _event(ticket: Ticket, content_type, verb: str, now: datetime, extra: dict) -> Event:
    # The system's timeline entry, written in one statement with the others (event_record
    # writes one row at a time).
    return Event(
        actor=None,
        actor_kind=Event.ActorKind.SYSTEM,
        content_type=content_type,
        object_id=ticket.pk,
        verb=verb,
        old_state=ticket.state,
        new_state=ticket.state,
        extra=extra,
        created_at=now,
    )


# The overdue events, written by COPY from tuples (10,000 tickets past due: no model objects).
EVENT_COLUMNS = [
    "actor_kind",
    "actor_role",
    "content_type_id",
    "object_id",
    "verb",
    "old_state",
    "new_state",
    "note",
    "extra",
    "created_at",
]
# How many references a manager's escalation names; the link lists them all.
ESCALATION_REFERENCES = 5


def _overdue_events(overdue, now: datetime, content_type) -> Iterator[tuple]:
    for pk, state, due_at, _about in overdue:
        extra = {"due_at": due_at.isoformat()}
        yield ("system", "", content_type.pk, pk, "ticket_overdue", state, state, "", extra, now)


def _escalations(overdue, now: datetime) -> list[Message]:
    """One message to each manager for this sweep's newly overdue tickets — how many, the first
    references, the link to the overdue list — never one per ticket (a backlog of thousands
    would be thousands of texts). A complaint about a manager is not counted in hers."""
    managers = list(
        User.objects.filter(groups__name=Role.MANAGER, is_active=True).distinct().order_by("pk")
    )
    # Unique to this set of tickets: a concurrent sweep escalates other tickets (SKIP LOCKED).
    key = f"ticket-overdue-{int(now.timestamp())}-{overdue[0][0]}-{len(overdue)}"
    url = settings.SITE_URL + reverse("feedback:list") + "?overdue=on"
    rows = []
    for manager in managers:
        hers = [pk for pk, _state, _due, about in overdue if about != manager.pk]
        if not hers:
            continue
        channel, to, language = staff_address(manager)
        rows.append(
            message_build(
                channel=channel,
                to=to,
                template="ticket_overdue",
                language=language,
                context={
                    "count": len(hers),
                    "references": [f"T-{pk:06d}" for pk in hers[:ESCALATION_REFERENCES]],
                    "url": url,
                },
                idempotency_key=f"{key}:u{manager.pk}",
            )
        )
    return rows


@transaction.atomic
def ticket_deadlines_enforce(*, now: datetime | None = None) -> TicketSweep:
    """Send the due reminders and escalations once. See the module docstring."""
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(Ticket)
    prefix, suffix = reverse("feedback:detail", args=[0]).rsplit("0", 1)
    messages: list[Message] = []
    events: list[Event] = []

    def context(ticket: Ticket) -> dict:
        return {
            "reference": ticket.reference,
            "kind": ticket.kind,
            "due_date": timezone.localtime(ticket.due_at).date().isoformat(),
            "url": f"{settings.SITE_URL}{prefix}{ticket.pk}{suffix}",
        }

    reminders = list(_due_for_reminder(now))
    for ticket in reminders:
        due_key = int(ticket.due_at.timestamp())
        messages += _messages(
            [ticket.assignee],
            ticket,
            template="ticket_reminder",
            key=f"ticket-reminder-{ticket.pk}-{due_key}",
            context=context(ticket),
        )
        events.append(
            _event(ticket, content_type, "ticket_reminder", now, {"to": ticket.assignee.pk})
        )
    if reminders:
        Ticket.objects.filter(pk__in=[t.pk for t in reminders]).update(reminded_at=now)

    overdue = _newly_overdue(now)
    if overdue:
        Ticket.objects.filter(pk__in=[pk for pk, *_rest in overdue]).update(overdue_flagged_at=now)
        messages += _escalations(overdue, now)
        copy_rows(Event, EVENT_COLUMNS, _overdue_events(overdue, now, content_type))

    insert_many(events)
    queued = messages_queue_bulk(messages)
    return TicketSweep(reminded=len(reminders), overdue=len(overdue), messages=len(queued))
