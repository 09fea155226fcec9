"""Every write of a ticket: record, assign, answer, close, reopen (STYLE.md point 3).

Each move is one function: atomic, the row re-read with `select_for_update`, the precondition
checked (a `TicketError` with a translated message otherwise), saved with `update_fields`, one
audit event on the ticket, messages queued as outbox rows. A complaint about a member of staff
is never assigned to that person, nor answered, closed or reopened by them.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import event_record
from beneficiaries.models import Beneficiary
from beneficiaries.services import message_queue_to_her
from notifications.services import message_queue, message_queue_to_staff

from .models import Ticket

State = Ticket.State


class TicketError(Exception):
    """A move the ticket's state or the people involved do not allow."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


# Error messages (constants the tests assert).
NOT_ABOUT_YOURSELF = _("A complaint about you cannot be assigned to you or handled by you.")
NOT_OPEN = _("This ticket is not waiting for an answer.")
NOT_ANSWERED_OR_CLOSED = _("Only an answered or closed ticket can be reopened.")
ALREADY_CLOSED = _("This ticket is already closed.")
ANSWER_REQUIRED = _("Write the answer.")
ANONYMOUS_ONLY_COMPLAINTS = _("Only a complaint can be filed without a name and a mobile.")
NO_ASSIGNEE = _("Choose a member of staff.")


def _lock(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _not_about(actor: User | None, ticket: Ticket) -> None:
    if (
        actor is not None
        and ticket.about_staff_id is not None
        and actor.pk == ticket.about_staff_id
    ):
        raise TicketError(NOT_ABOUT_YOURSELF)


def _record(
    ticket: Ticket,
    actor: User | None,
    verb: str,
    old_state: str,
    request: HttpRequest | None,
    *,
    extra: dict | None = None,
    actor_kind: str | None = None,
) -> None:
    event_record(
        actor=actor,
        subject=ticket,
        verb=verb,
        old_state=old_state,
        new_state=ticket.state,
        extra={"kind": ticket.kind, **(extra or {})},
        request=request,
        actor_kind=actor_kind,
    )


def ticket_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("feedback:detail", args=[ticket.pk])


@transaction.atomic
def ticket_create(
    *,
    actor: User | None,
    kind: str,
    channel: str,
    text: str,
    category: str = Ticket.Category.OTHER,
    priority: str = Ticket.Priority.NORMAL,
    beneficiary: Beneficiary | None = None,
    contact_name: str = "",
    contact_mobile: str = "",
    language: str = "ar",
    about_staff: User | None = None,
    request: HttpRequest | None = None,
) -> Ticket:
    """Record a ticket: by staff (`actor`, any channel), by her in the portal (`beneficiary`,
    actor None) or from the public form (a verified `contact_mobile`, or nothing at all for an
    anonymous complaint). Its answer is due FEEDBACK_ANSWER_DAYS[kind] days from now.

    Writes `ticket_created`; the ticket waits, unassigned, in the managers' queue.
    """
    if kind != Ticket.Kind.COMPLAINT and beneficiary is None and not contact_mobile:
        raise TicketError(ANONYMOUS_ONLY_COMPLAINTS)
    now = timezone.now()
    ticket = Ticket.objects.create(
        kind=kind,
        channel=channel,
        category=category,
        priority=priority,
        text=text,
        beneficiary=beneficiary,
        contact_name=contact_name,
        contact_mobile=contact_mobile or "",
        language=(beneficiary.preferred_language if beneficiary else language) or "ar",
        about_staff=about_staff,
        recorded_by=actor,
        created_at=now,
        due_at=Ticket.due_from(kind, now),
    )
    from_her = actor is None and (beneficiary is not None or contact_mobile)
    _record(
        ticket,
        actor,
        "ticket_created",
        "",
        request,
        extra={"channel": channel, "anonymous": ticket.anonymous},
        actor_kind="beneficiary" if from_her else None,
    )
    return ticket


@transaction.atomic
def ticket_assign(
    *, actor: User, ticket: Ticket, assignee: User | None, request: HttpRequest | None = None
) -> Ticket:
    """new / assigned / reopened → assigned to `assignee`, who is told by SMS or e-mail.

    Refused when the ticket is a complaint about the assignee (or about the actor)."""
    ticket = _lock(ticket)
    _not_about(actor, ticket)
    if assignee is None:
        raise TicketError(NO_ASSIGNEE)
    if ticket.state not in Ticket.OPEN:
        raise TicketError(NOT_OPEN)
    if assignee.pk == ticket.about_staff_id:
        raise TicketError(NOT_ABOUT_YOURSELF)
    old = ticket.state
    ticket.assignee = assignee
    ticket.state = State.ASSIGNED
    ticket.save(update_fields=["assignee", "state"])
    _record(ticket, actor, "ticket_assigned", old, request, extra={"assignee": assignee.pk})
    message_queue_to_staff(
        users=[assignee],
        template="ticket_assigned",
        context={
            "reference": ticket.reference,
            "kind": ticket.kind,
            "due_date": timezone.localtime(ticket.due_at).date().isoformat(),
            "url": ticket_url(ticket),
        },
        idempotency_key=f"ticket-assigned-{ticket.pk}-{timezone.now().timestamp():.0f}",
        subject=ticket,
    )
    return ticket


def _tell_her(ticket: Ticket) -> None:
    """The answer, to her, in her language: by her file's channel when she is on file, else to
    the mobile she proved with a code; an anonymous complaint has nobody to tell."""
    key = f"ticket-answered-{ticket.pk}-{ticket.answered_at.timestamp():.0f}"
    context = {"reference": ticket.reference, "answer": ticket.answer}
    if ticket.beneficiary is not None:
        context["name"] = ticket.beneficiary.full_name.split(" ")[0]
        message_queue_to_her(
            ticket.beneficiary,
            template="ticket_answered",
            context=context,
            idempotency_key=key,
            subject=ticket,
        )
    elif ticket.contact_mobile:
        context["name"] = ticket.contact_name.split(" ")[0] if ticket.contact_name else ""
        message_queue(
            channel="sms",
            to=str(ticket.contact_mobile),
            template="ticket_answered",
            language=ticket.language,
            context=context,
            idempotency_key=key,
            subject=ticket,
        )


@transaction.atomic
def ticket_answer(
    *, actor: User, ticket: Ticket, answer: str, request: HttpRequest | None = None
) -> Ticket:
    """new / assigned / reopened → answered. The answer goes to her (see `_tell_her`)."""
    ticket = _lock(ticket)
    _not_about(actor, ticket)
    if ticket.state not in Ticket.OPEN:
        raise TicketError(NOT_OPEN)
    answer = (answer or "").strip()
    if not answer:
        raise TicketError(ANSWER_REQUIRED)
    old = ticket.state
    ticket.answer = answer
    ticket.answered_at = timezone.now()
    ticket.answered_by = actor
    ticket.state = State.ANSWERED
    ticket.save(update_fields=["answer", "answered_at", "answered_by", "state"])
    _record(
        ticket,
        actor,
        "ticket_answered",
        old,
        request,
        extra={"in_time": ticket.answered_at <= ticket.due_at},
    )
    _tell_her(ticket)
    return ticket


@transaction.atomic
def ticket_close(*, actor: User, ticket: Ticket, request: HttpRequest | None = None) -> Ticket:
    """Any state but closed → closed (a thanks or a suggestion needs no answer)."""
    ticket = _lock(ticket)
    _not_about(actor, ticket)
    if ticket.state == State.CLOSED:
        raise TicketError(ALREADY_CLOSED)
    old = ticket.state
    ticket.state = State.CLOSED
    ticket.closed_at = timezone.now()
    ticket.save(update_fields=["state", "closed_at"])
    _record(ticket, actor, "ticket_closed", old, request)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, actor: User, ticket: Ticket, note: str = "", request: HttpRequest | None = None
) -> Ticket:
    """answered / closed → reopened, with a new deadline from now (and so a new reminder and
    escalation); the assignee stays."""
    ticket = _lock(ticket)
    _not_about(actor, ticket)
    if ticket.state not in (State.ANSWERED, State.CLOSED):
        raise TicketError(NOT_ANSWERED_OR_CLOSED)
    old = ticket.state
    now = timezone.now()
    ticket.state = State.REOPENED
    ticket.due_at = Ticket.due_from(ticket.kind, now)
    ticket.closed_at = None
    ticket.save(update_fields=["state", "due_at", "closed_at"])
    event_record(
        actor=actor,
        subject=ticket,
        verb="ticket_reopened",
        old_state=old,
        new_state=ticket.state,
        note=note,
        extra={"kind": ticket.kind, "due_at": ticket.due_at.isoformat()},
        request=request,
    )
    return ticket
