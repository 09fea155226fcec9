"""Every write to a support request: its creation, the declaration, the checklist, and the
life-cycle of SPEC §3, one function per transition.

Each transition is atomic, re-reads the row with SELECT … FOR UPDATE, refuses an illegal move
with `InvalidTransition` (a translated message), saves with `update_fields`, writes one audit
event whose verb is the transition's name, queues the messages of SPEC §5 as outbox rows
(notifications.services, sent after commit) and sends `support_request_transitioned`.

`actor` is the member of staff acting, or None for the beneficiary herself through the portal
(allowed for create, sign_declaration, submit, resubmit and withdraw; the portal checks that
the request is hers). The audit event then records actor_kind "beneficiary".
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from audit.models import Event
from audit.services import event_record
from beneficiaries.models import Beneficiary
from beneficiaries.services import message_queue_to_her
from notifications.services import message_queue_to_staff
from wahaj.lib.hijri import gregorian_text, hijri_text

from .models import (
    DECLARATION_TEXT_AR,
    Declaration,
    HomeVisit,
    ReferenceCounter,
    RejectionCode,
    RequestType,
    SupportRequest,
    VerificationCheck,
    VerificationItem,
)
from .selectors import beneficiary_address, support_request_missing
from .signals import support_request_transitioned

State = SupportRequest.State


class InvalidTransition(Exception):
    """A move the request's state, the actor's role or the missing data does not allow."""

    def __init__(self, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.missing = missing or []


# Error messages (constants the tests assert).
NOT_PERMITTED = _("Your role does not allow this action.")
INCOMPLETE = _("The request cannot be submitted yet. Still missing:")
RETURN_NEEDS_REASON = _("Say what is missing, so that she can complete it.")
DECIDE_NEEDS_OUTCOME = _("The decision must be approve or reject.")
APPROVAL_NEEDS_SUPPORT = _("An approval needs the approved amount or the support granted.")
REJECTION_NEEDS_CODE = _("A rejection needs its reason.")
DELIVERY_NEEDS_NOTE = _("Record what was given.")
DECLARATION_NEEDS_NAME = _("She must type her full name to sign.")
NOT_EDITABLE = _("The request can be changed only while it is a draft or returned to her.")
RESEARCHER_NEEDS_ROLE = _("The researcher must hold the researcher role.")
VERIFY_FIRST = _("Intake must complete the verification checklist of this online request first.")


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    role: str | tuple[str, ...]
    refusal: str
    beneficiary_may: bool = False


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(
        (State.DRAFT,), Role.INTAKE, _("Only a draft request can be submitted."), True
    ),
    "return": Transition(
        (State.SUBMITTED, State.IN_RESEARCH),
        Role.RESEARCHER,
        _("Only a submitted request or one in research can be returned for completion."),
    ),
    "resubmit": Transition(
        (State.RETURNED,), Role.INTAKE, _("Only a returned request can be resubmitted."), True
    ),
    "start_research": Transition(
        (State.SUBMITTED,), Role.RESEARCHER, _("Research can start only on a submitted request.")
    ),
    "send_to_committee": Transition(
        (State.IN_RESEARCH,),
        Role.RESEARCHER,
        _("Only a request in research can be sent to the committee."),
    ),
    "decide": Transition(
        (State.IN_COMMITTEE,),
        Role.CHAIR,
        _("Only a request before the committee can be decided."),
    ),
    "deliver": Transition(
        (State.APPROVED,), Role.INTAKE, _("Only an approved request can be delivered.")
    ),
    "close": Transition(
        (State.DELIVERED,), Role.INTAKE, _("Only a delivered request can be closed.")
    ),
    "withdraw": Transition(
        SupportRequest.OPEN,
        Role.INTAKE,
        _("A request can be withdrawn only while it is open."),
        True,
    ),
    # committee.services.appeal_file checks the once-within-30-days rule, then calls it.
    "reopen_for_appeal": Transition(
        (State.REJECTED,),
        (Role.INTAKE, Role.COMMITTEE),
        _("Only a rejected request can be reopened on appeal."),
        True,
    ),
}
# The writes that are not transitions but share their rules (who, and in which states).
EDITS: dict[str, Transition] = {
    "sign_declaration": Transition((State.DRAFT, State.RETURNED), Role.INTAKE, NOT_EDITABLE, True),
    # Also while submitted: a request she entered online waits there for staff verification.
    "verify": Transition((State.DRAFT, State.SUBMITTED, State.RETURNED), Role.INTAKE, NOT_EDITABLE),
}


def transition_allowed(support_request: SupportRequest, name: str, actor: User | None) -> bool:
    """Whether `actor` may take `name` on this request now (for showing buttons)."""
    rule = TRANSITIONS.get(name) or EDITS[name]
    if support_request.state not in rule.sources:
        return False
    if actor is None:
        return rule.beneficiary_may
    return _has_role(actor, rule)


def _has_role(actor: User, rule: Transition) -> bool:
    roles = rule.role if isinstance(rule.role, tuple) else (rule.role,)
    return actor.has_role(*roles)


def _check(support_request: SupportRequest, name: str, actor: User | None) -> None:
    rule = TRANSITIONS.get(name) or EDITS[name]
    if actor is None and not rule.beneficiary_may:
        raise InvalidTransition(NOT_PERMITTED)
    if actor is not None and not _has_role(actor, rule):
        raise InvalidTransition(NOT_PERMITTED)
    if support_request.state not in rule.sources:
        raise InvalidTransition(rule.refusal)


def _lock(support_request: SupportRequest) -> SupportRequest:
    """The row again, locked until the transaction ends: the state we check is the state."""
    return SupportRequest.objects.select_for_update().get(pk=support_request.pk)


def _actor_kind(actor: User | None) -> str:
    return Event.ActorKind.STAFF if actor is not None else Event.ActorKind.BENEFICIARY


def _plain(extra: dict | None) -> dict:
    """Dates and amounts as the JSON text the audit trail stores."""
    return json.loads(DjangoJSONEncoder().encode(extra or {}))


def _record(
    support_request: SupportRequest,
    *,
    verb: str,
    actor: User | None,
    old_state: str,
    note: str = "",
    extra: dict | None = None,
    request: HttpRequest | None = None,
) -> Event:
    """The transition's audit event, then the signal other apps listen to."""
    event = event_record(
        actor=actor,
        subject=support_request,
        verb=verb,
        old_state=old_state,
        new_state=support_request.state,
        note=note,
        extra=_plain(extra),
        request=request,
        actor_kind=_actor_kind(actor),
    )
    support_request_transitioned.send(
        sender=SupportRequest,
        support_request=support_request,
        transition=verb,
        old_state=old_state,
        new_state=support_request.state,
        actor=actor,
    )
    return event


# --- Messages (SPEC §5) --------------------------------------------------------------------
def _message_key(support_request: SupportRequest, event: Event, template: str) -> str:
    # One message per transition event: a retried service call cannot queue it twice, and a
    # second return of the same request (a new event) is a new message.
    return f"support-request-{support_request.pk}-{event.pk}-{template}"


def _date_context(value: datetime | None, language: str) -> dict:
    if value is None:
        return {}
    with translation.override(language):
        return {
            "due_date": timezone.localtime(value).date().isoformat(),
            "due_date_text": gregorian_text(value),
            "due_date_hijri": hijri_text(value, language),
        }


def _context(support_request: SupportRequest, language: str, **more) -> dict:
    with translation.override(language):
        context = {
            "reference": support_request.reference or "",
            "name": support_request.beneficiary.full_name.split(" ")[0],
            "request_type": str(RequestType(support_request.request_type).label),
            "window_days": settings.DECISION_WINDOW_DAYS,
            **_date_context(support_request.decision_due_at, language),
        }
    context.update(more)
    return context


def _tell_her(
    support_request: SupportRequest, event: Event, template: str, *, key: str = "", **more
) -> None:
    """Queue a message to the beneficiary by her preferred channel, in her language.

    `key`: the idempotency key when the message belongs to something other than the event
    (a home visit's reminder: one per visit, however many times the job runs)."""
    beneficiary: Beneficiary = support_request.beneficiary
    language = beneficiary.preferred_language or "ar"
    # Withheld, with a trace on this request's timeline, once she withdrew the contact purpose.
    message_queue_to_her(
        beneficiary,
        template=template,
        context=_context(support_request, language, **more),
        idempotency_key=key or _message_key(support_request, event, template),
        subject=support_request,
    )


def _tell_researchers(support_request: SupportRequest, event: Event) -> None:
    """`research_due`: the assigned researcher, or every researcher while none is assigned."""
    if support_request.researcher_id:
        users = User.objects.filter(pk=support_request.researcher_id, is_active=True)
    else:
        users = User.objects.filter(groups__name=Role.RESEARCHER, is_active=True).distinct()
    message_queue_to_staff(
        users=users,
        template="research_due",
        context={
            **_context(support_request, "ar"),
            "url": settings.SITE_URL + support_request.get_absolute_url(),
        },
        idempotency_key=_message_key(support_request, event, "research_due"),
        subject=support_request,
    )


# --- Creation and the data she confirms -----------------------------------------------------
@transaction.atomic
def support_request_create(
    *,
    actor: User | None,
    beneficiary: Beneficiary,
    request_type: str,
    channel: str,
    amount_requested: Decimal | None = None,
    description: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """A draft request for her. actor None: she entered it herself through the portal."""
    if actor is not None and not actor.has_role(Role.INTAKE):
        raise InvalidTransition(NOT_PERMITTED)
    support_request = SupportRequest.objects.create(
        beneficiary=beneficiary,
        request_type=request_type,
        channel=channel,
        amount_requested=amount_requested,
        description=description,
        created_by=actor,
    )
    event_record(
        actor=actor,
        subject=support_request,
        verb="create",
        new_state=support_request.state,
        extra={"request_type": request_type, "channel": channel},
        request=request,
        actor_kind=_actor_kind(actor),
    )
    return support_request


@transaction.atomic
def support_request_sign_declaration(
    *,
    actor: User | None,
    support_request: SupportRequest,
    signed_name: str,
    request: HttpRequest | None = None,
) -> Declaration:
    """She signs the declaration (policy step 4): its Arabic text, her typed name, the time.

    actor is the staff witness, or None when she signs in the portal session. A new signature
    replaces an earlier one of the same request (e.g. after it was returned to her).
    """
    locked = _lock(support_request)
    _check(locked, "sign_declaration", actor)
    signed_name = " ".join(signed_name.split())
    if not signed_name:
        raise InvalidTransition(DECLARATION_NEEDS_NAME)
    declaration, _created = Declaration.objects.update_or_create(
        support_request=locked,
        defaults={
            "text": DECLARATION_TEXT_AR,
            "signed_name": signed_name,
            "signed_at": timezone.now(),
            "signed_via": Declaration.SignedVia.STAFF if actor else Declaration.SignedVia.PORTAL,
            "witness": actor,
        },
    )
    event_record(
        actor=actor,
        subject=locked,
        verb="sign_declaration",
        note=signed_name,
        extra={"signed_via": declaration.signed_via},
        request=request,
        actor_kind=_actor_kind(actor),
    )
    return declaration


@transaction.atomic
def support_request_verify(
    *,
    actor: User,
    support_request: SupportRequest,
    items: list[str],
    request: HttpRequest | None = None,
) -> list[str]:
    """Record which data the staff member matched against their documents (policy step 2).

    `items` is the full set now ticked; unticked items are removed. Returns the items checked.
    """
    locked = _lock(support_request)
    _check(locked, "verify", actor)
    wanted = {item for item in items if item in VerificationItem.values}
    current = set(locked.verification_checks.values_list("item", flat=True))
    locked.verification_checks.exclude(item__in=wanted).delete()
    now = timezone.now()
    VerificationCheck.objects.bulk_create(
        VerificationCheck(support_request=locked, item=item, checked_by=actor, checked_at=now)
        for item in sorted(wanted - current)
    )
    event_record(
        actor=actor,
        subject=locked,
        verb="verify",
        extra={"checked": sorted(wanted), "added": sorted(wanted - current)},
        request=request,
    )
    return sorted(wanted)


# --- The life-cycle ---------------------------------------------------------------------------
def _next_reference(now: datetime) -> str:
    """`WHJ-<year>-<n:06d>`: the year's next number, under the year's counter row lock.

    The insert is a no-op when the row exists; the SELECT … FOR UPDATE then makes concurrent
    submissions take numbers one after the other.
    """
    year = timezone.localtime(now).year
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"WHJ-{year}-{counter.last_value:06d}"


def _require_complete(support_request: SupportRequest) -> None:
    missing = support_request_missing(support_request)
    if missing:
        raise InvalidTransition(INCOMPLETE, missing=missing)


@transaction.atomic
def support_request_submit(
    *,
    actor: User | None,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """draft → submitted. Needs everything `support_request_missing` lists.

    Gives the reference, starts the decision clock (due in DECISION_WINDOW_DAYS), tells her the
    committee will answer within two weeks (`request_received`) and the researchers that research
    is due (`research_due`).
    """
    locked = _lock(support_request)
    _check(locked, "submit", actor)
    _require_complete(locked)
    now = timezone.now()
    locked.reference = _next_reference(now)
    locked.submitted_at = now
    locked.decision_due_at = now + timedelta(days=settings.DECISION_WINDOW_DAYS)
    locked.state = State.SUBMITTED
    locked.save(
        update_fields=["reference", "submitted_at", "decision_due_at", "state", "updated_at"]
    )
    event = _record(
        locked,
        verb="submit",
        actor=actor,
        old_state=State.DRAFT,
        note=note,
        extra={"reference": locked.reference, "decision_due_at": locked.decision_due_at},
        request=request,
    )
    _tell_her(locked, event, "request_received")
    _tell_researchers(locked, event)
    return locked


@transaction.atomic
def support_request_return(
    *,
    actor: User,
    support_request: SupportRequest,
    note: str,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """submitted | in_research → returned, saying what is missing. Pauses the clock."""
    locked = _lock(support_request)
    _check(locked, "return", actor)
    note = note.strip()
    if not note:
        raise InvalidTransition(RETURN_NEEDS_REASON)
    old_state = locked.state
    locked.state = State.RETURNED
    locked.paused_at = timezone.now()
    locked.return_reason = note
    locked.save(update_fields=["state", "paused_at", "return_reason", "updated_at"])
    event = _record(
        locked, verb="return", actor=actor, old_state=old_state, note=note, request=request
    )
    _tell_her(locked, event, "request_returned", missing=note)
    return locked


def _resume_clock(support_request: SupportRequest, now: datetime) -> timedelta:
    """End the pause: the time spent returned is added to the due date and kept."""
    paused = now - support_request.paused_at
    support_request.paused_total += paused
    support_request.decision_due_at += paused
    support_request.paused_at = None
    return paused


@transaction.atomic
def support_request_resubmit(
    *,
    actor: User | None,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """returned → submitted once complete. The clock resumes where it stopped."""
    locked = _lock(support_request)
    _check(locked, "resubmit", actor)
    _require_complete(locked)
    paused = _resume_clock(locked, timezone.now())
    locked.state = State.SUBMITTED
    locked.save(
        update_fields=["state", "paused_at", "paused_total", "decision_due_at", "updated_at"]
    )
    event = _record(
        locked,
        verb="resubmit",
        actor=actor,
        old_state=State.RETURNED,
        note=note,
        extra={
            "paused_seconds": int(paused.total_seconds()),
            "decision_due_at": locked.decision_due_at,
        },
        request=request,
    )
    _tell_her(locked, event, "request_received")
    _tell_researchers(locked, event)
    return locked


@transaction.atomic
def support_request_start_research(
    *,
    actor: User,
    support_request: SupportRequest,
    researcher: User | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """submitted → in_research, assigned to `researcher` (default: the actor).

    A request she entered online (created_by None) waits in `submitted` until intake has
    completed the verification checklist (policy step 2).

    A researcher assigned by someone else is told (`research_due`).
    """
    locked = _lock(support_request)
    _check(locked, "start_research", actor)
    researcher = researcher or actor
    if not researcher.has_role(Role.RESEARCHER):
        raise InvalidTransition(RESEARCHER_NEEDS_ROLE)
    if locked.entered_by_beneficiary and not _checklist_complete(locked):
        raise InvalidTransition(VERIFY_FIRST)
    locked.state = State.IN_RESEARCH
    locked.researcher = researcher
    locked.save(update_fields=["state", "researcher", "updated_at"])
    event = _record(
        locked,
        verb="start_research",
        actor=actor,
        old_state=State.SUBMITTED,
        note=note,
        extra={"researcher": researcher.pk},
        request=request,
    )
    if researcher.pk != actor.pk:
        _tell_researchers(locked, event)
    return locked


def _checklist_complete(support_request: SupportRequest) -> bool:
    checked = set(support_request.verification_checks.values_list("item", flat=True))
    return checked >= set(VerificationItem.values)


@transaction.atomic
def support_request_send_to_committee(
    *,
    actor: User,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """in_research → in_committee. committee.services checks the research report first."""
    locked = _lock(support_request)
    _check(locked, "send_to_committee", actor)
    locked.state = State.IN_COMMITTEE
    locked.save(update_fields=["state", "updated_at"])
    _record(
        locked,
        verb="send_to_committee",
        actor=actor,
        old_state=State.IN_RESEARCH,
        note=note,
        request=request,
    )
    return locked


@transaction.atomic
def support_request_decide(
    *,
    actor: User,
    support_request: SupportRequest,
    outcome: str,
    approved_amount: Decimal | None = None,
    support_type: str = "",
    rejection_code: str = "",
    rejection_reason: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """in_committee → approved | rejected, by the chair (committee.services checks the quorum).

    The window is met when decided before `decision_due_at`. Tells her (`request_decided`).
    """
    locked = _lock(support_request)
    _check(locked, "decide", actor)
    if outcome == State.APPROVED:
        if approved_amount is None and not support_type.strip():
            raise InvalidTransition(APPROVAL_NEEDS_SUPPORT)
        rejection_code, rejection_reason = "", ""
    elif outcome == State.REJECTED:
        if rejection_code not in RejectionCode.values:
            raise InvalidTransition(REJECTION_NEEDS_CODE)
        approved_amount, support_type = None, ""
    else:
        raise InvalidTransition(DECIDE_NEEDS_OUTCOME)
    locked.state = outcome
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.approved_amount = approved_amount
    locked.support_type = support_type.strip()
    locked.rejection_code = rejection_code
    locked.rejection_reason = rejection_reason.strip()
    locked.save(
        update_fields=[
            "state",
            "decided_at",
            "decided_by",
            "approved_amount",
            "support_type",
            "rejection_code",
            "rejection_reason",
            "updated_at",
        ]
    )
    event = _record(
        locked,
        verb="decide",
        actor=actor,
        old_state=State.IN_COMMITTEE,
        note=note,
        extra={
            "outcome": outcome,
            "approved_amount": approved_amount,
            "rejection_code": rejection_code,
            "window_met": locked.window_met,
        },
        request=request,
    )
    language = locked.beneficiary.preferred_language or "ar"
    with translation.override(language):
        reason = str(RejectionCode(rejection_code).label) if rejection_code else ""
        support = locked.support_type_label  # its name, not its code (`rent`)
    _tell_her(
        locked,
        event,
        "request_decided",
        outcome=outcome,
        approved_amount=str(approved_amount) if approved_amount is not None else "",
        support_type=support,
        rejection_reason=reason,
    )
    return locked


@transaction.atomic
def support_request_deliver(
    *,
    actor: User,
    support_request: SupportRequest,
    delivery_note: str,
    delivered_amount: Decimal | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """approved → delivered: what was given, when, by whom (policy step 7). Tells her."""
    locked = _lock(support_request)
    _check(locked, "deliver", actor)
    delivery_note = delivery_note.strip()
    if not delivery_note:
        raise InvalidTransition(DELIVERY_NEEDS_NOTE)
    locked.state = State.DELIVERED
    locked.delivered_at = timezone.now()
    locked.delivered_by = actor
    locked.delivered_amount = delivered_amount
    locked.delivery_note = delivery_note
    locked.save(
        update_fields=[
            "state",
            "delivered_at",
            "delivered_by",
            "delivered_amount",
            "delivery_note",
            "updated_at",
        ]
    )
    event = _record(
        locked,
        verb="deliver",
        actor=actor,
        old_state=State.APPROVED,
        note=note,
        extra={"delivered_amount": delivered_amount, "delivery_note": delivery_note},
        request=request,
    )
    _tell_her(
        locked,
        event,
        "request_delivered",
        delivered=delivery_note,
        delivered_amount=str(delivered_amount) if delivered_amount is not None else "",
    )
    return locked


@transaction.atomic
def support_request_close(
    *,
    actor: User,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """delivered → closed: the case is complete."""
    locked = _lock(support_request)
    _check(locked, "close", actor)
    locked.state = State.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "closed_at", "updated_at"])
    _record(
        locked, verb="close", actor=actor, old_state=State.DELIVERED, note=note, request=request
    )
    return locked


@transaction.atomic
def support_request_withdraw(
    *,
    actor: User | None,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """Any open state → withdrawn, by staff or by her (actor None, through the portal)."""
    locked = _lock(support_request)
    _check(locked, "withdraw", actor)
    old_state = locked.state
    now = timezone.now()
    fields = ["state", "withdrawn_at", "updated_at"]
    if locked.paused_at is not None:
        _resume_clock(locked, now)
        fields += ["paused_at", "paused_total", "decision_due_at"]
    locked.state = State.WITHDRAWN
    locked.withdrawn_at = now
    locked.save(update_fields=fields)
    _record(locked, verb="withdraw", actor=actor, old_state=old_state, note=note, request=request)
    return locked


@transaction.atomic
def support_request_reopen_for_appeal(
    *,
    actor: User | None,
    support_request: SupportRequest,
    note: str = "",
    request: HttpRequest | None = None,
) -> SupportRequest:
    """rejected → in_committee on her appeal, with a new decision window from now.

    The earlier decision stays in the audit trail (and in the committee's Decision rows); the
    request's decision fields are cleared for the new one.
    """
    locked = _lock(support_request)
    _check(locked, "reopen_for_appeal", actor)
    now = timezone.now()
    locked.state = State.IN_COMMITTEE
    locked.decision_due_at = now + timedelta(days=settings.DECISION_WINDOW_DAYS)
    locked.overdue_flagged_at = None
    locked.decided_at = None
    locked.decided_by = None
    locked.rejection_code = ""
    locked.rejection_reason = ""
    locked.save(
        update_fields=[
            "state",
            "decision_due_at",
            "overdue_flagged_at",
            "decided_at",
            "decided_by",
            "rejection_code",
            "rejection_reason",
            "updated_at",
        ]
    )
    _record(
        locked,
        verb="reopen_for_appeal",
        actor=actor,
        old_state=State.REJECTED,
        note=note,
        extra={"decision_due_at": locked.decision_due_at},
        request=request,
    )
    return locked


# --- Home visits (the social research, policy step 3) ----------------------------------------
# A visit is part of the research: scheduled while the request waits for it or is in it.
VISIT_STATES = (State.SUBMITTED, State.IN_RESEARCH)
VISIT_NOT_NOW = _(
    "A home visit can be scheduled only while the request waits for or is in research."
)
VISIT_DAY_PASSED = _("The visit cannot be on a day that has passed.")
VISIT_WINDOW_BACKWARDS = _("The visit must end after it starts.")
VISIT_NO_ADDRESS = _("Her address is not on her file: add her city and address first.")


@transaction.atomic
def home_visit_schedule(
    *,
    actor: User,
    support_request: SupportRequest,
    date: date,
    window_start: time,
    window_end: time,
    request: HttpRequest | None = None,
) -> HomeVisit:
    """A researcher schedules a home visit: a day, a time window, the address on her file.

    The address is copied now (her file may change later; the visit happened where it says).
    She is told by SMS the day before (`home_visit_reminders_send`, beat). The event
    `home_visit_schedule` goes on the request's timeline.
    """
    locked = _lock(support_request)
    if not actor.has_role(Role.RESEARCHER):
        raise InvalidTransition(NOT_PERMITTED)
    if locked.state not in VISIT_STATES:
        raise InvalidTransition(VISIT_NOT_NOW)
    if date < timezone.localdate():
        raise InvalidTransition(VISIT_DAY_PASSED)
    if window_end <= window_start:
        raise InvalidTransition(VISIT_WINDOW_BACKWARDS)
    address = beneficiary_address(locked.beneficiary)
    if not address:
        raise InvalidTransition(VISIT_NO_ADDRESS)
    visit = HomeVisit.objects.create(
        support_request=locked,
        researcher=actor,
        date=date,
        window_start=window_start,
        window_end=window_end,
        address=address,
    )
    event_record(
        actor=actor,
        subject=locked,
        verb="home_visit_schedule",
        extra={
            "visit": visit.pk,
            "date": date.isoformat(),
            "from": f"{window_start:%H:%M}",
            "to": f"{window_end:%H:%M}",
        },
        request=request,
    )
    return visit


def home_visit_reminders_send(*, now: datetime | None = None) -> int:
    """Beat (wahaj/celery.py): tell each woman by SMS the day before her home visit.

    Tomorrow's visits of open requests not yet reminded. Safe to run twice or at once: each
    visit is claimed by a conditional UPDATE of `reminded_at` (only the run that changed the
    row goes on) and its message has a key of its own. Returns the visits reminded.
    """
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    due = HomeVisit.objects.filter(
        date=tomorrow,
        reminded_at__isnull=True,
        support_request__state__in=SupportRequest.OPEN,
    ).select_related("support_request__beneficiary")
    return sum(_home_visit_remind(visit, now) for visit in due)


@transaction.atomic
def _home_visit_remind(visit: HomeVisit, now: datetime) -> bool:
    claimed = HomeVisit.objects.filter(pk=visit.pk, reminded_at__isnull=True).update(
        reminded_at=now
    )
    if not claimed:
        return False  # another run took it
    support_request = visit.support_request
    event = event_record(
        actor=None,
        subject=support_request,
        verb="home_visit_reminder",
        extra={"visit": visit.pk, "date": visit.date.isoformat()},
    )
    _tell_her(
        support_request,
        event,
        "home_visit_reminder",
        key=f"home-visit-{visit.pk}-reminder",
        visit_date=visit.date.isoformat(),
        window_start=f"{visit.window_start:%H:%M}",
        window_end=f"{visit.window_end:%H:%M}",
        address=visit.address,
    )
    return True
