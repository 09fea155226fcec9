"""The breach register's services (PDPL implementing regulation, art. 24; SECURITY.md's runbook).

Each change is one function: atomic, the incident re-read with select_for_update, the
precondition checked (a domain error with a translated message), saved with update_fields and
an audit event. The women affected hear of it only through message_queue_to_her (her
language, her channel, her consent), once a manager has approved the text; the managers hear
of an approaching 72-hour deadline through the beat (`incident_deadlines_warn`, idempotent).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from audit.services import event_record
from beneficiaries.models import Beneficiary
from beneficiaries.services import message_queue_to_her
from notifications.services import message_queue_to_staff

from .models import AUTHORITY_DEADLINE, AUTHORITY_WARNING, Incident

State = Incident.State
# Found this long ago: AUTHORITY_WARNING or less is left of the 72 hours.
WARN_AFTER = AUTHORITY_DEADLINE - AUTHORITY_WARNING

CLOSED_ALREADY = _("This incident is closed.")
NO_MESSAGE = _("Write and approve the message to the women before it is sent.")
NO_FILES = _("Link the affected files first: the message goes to the women of those files.")
SENT_ALREADY = _("The women affected were notified already.")
AUTHORITY_ALREADY = _("The authority's notification is recorded already.")
AUTHORITY_FIRST = _("Record the authority's notification before closing the incident.")


class IncidentError(Exception):
    """A step the incident's state does not allow; `message` is shown to the manager."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def _locked(incident: Incident) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.state == State.CLOSED:
        raise IncidentError(CLOSED_ALREADY)
    return incident


@transaction.atomic
def incident_record(
    *,
    actor: User,
    found_at: datetime,
    what_happened: str,
    data_categories: list[str],
    people_affected: int,
    affected: list[Beneficiary] = (),
    is_drill: bool = False,
) -> Incident:
    """Open an incident; its 72-hour clock runs from `found_at` (when the association learnt
    of it), not from the time it is recorded. Event `breach_recorded`."""
    incident = Incident.objects.create(
        found_at=found_at,
        what_happened=what_happened,
        data_categories=list(data_categories),
        people_affected=people_affected,
        recorded_by=actor,
        is_drill=is_drill,
    )
    incident.affected.set(affected)
    event_record(
        actor=actor,
        subject=incident,
        verb="breach_recorded",
        new_state=incident.state,
        extra={
            "found_at": found_at.isoformat(),
            "people_affected": people_affected,
            "files_linked": len(affected),
            "drill": is_drill,
        },
    )
    return incident


@transaction.atomic
def incident_message_approve(
    *, actor: User, incident: Incident, message_ar: str, message_en: str
) -> Incident:
    """The manager's approved text to the women, both languages; may be changed until sent.
    Event `breach_message_approved`."""
    incident = _locked(incident)
    if incident.women_notified_at is not None:
        raise IncidentError(SENT_ALREADY)
    incident.message_ar, incident.message_en = message_ar.strip(), message_en.strip()
    incident.message_approved_by, incident.message_approved_at = actor, timezone.now()
    incident.save(
        update_fields=["message_ar", "message_en", "message_approved_by", "message_approved_at"]
    )
    event_record(actor=actor, subject=incident, verb="breach_message_approved")
    return incident


@transaction.atomic
def incident_women_notify(*, actor: User, incident: Incident) -> int:
    """Queue the approved message to every woman of the linked files, in her language, once
    (one idempotency key per incident and file). Those who withdrew the contact purpose get
    no message: message_queue_to_her records that on her file, for staff to tell her in
    person. Returns the number of messages queued. Event `breach_women_notified`."""
    incident = _locked(incident)
    if incident.women_notified_at is not None:
        raise IncidentError(SENT_ALREADY)
    if incident.message_approved_at is None:
        raise IncidentError(NO_MESSAGE)
    women = list(incident.affected.order_by("pk"))
    if not women:
        raise IncidentError(NO_FILES)
    context = {"text_ar": incident.message_ar, "text_en": incident.message_en}
    queued = 0
    for her in women:
        message = message_queue_to_her(
            her,
            template="breach_notice",
            context=context,
            idempotency_key=f"breach-{incident.pk}-b{her.pk}",
            subject=incident,
            timeline=her,
        )
        queued += message is not None
    incident.women_notified_at, incident.women_messages = timezone.now(), queued
    incident.save(update_fields=["women_notified_at", "women_messages"])
    event_record(
        actor=actor,
        subject=incident,
        verb="breach_women_notified",
        extra={"files": len(women), "messages": queued, "withheld": len(women) - queued},
    )
    return queued


@transaction.atomic
def incident_authority_notified(
    *, actor: User, incident: Incident, notified_at: datetime, reference: str = ""
) -> Incident:
    """Record when (and under which reference) the authority was notified; the 72-hour
    clock stops. Event `breach_authority_notified` (with whether it was in time)."""
    incident = _locked(incident)
    if incident.authority_notified_at is not None:
        raise IncidentError(AUTHORITY_ALREADY)
    incident.authority_notified_at, incident.authority_reference = notified_at, reference.strip()
    incident.save(update_fields=["authority_notified_at", "authority_reference"])
    event_record(
        actor=actor,
        subject=incident,
        verb="breach_authority_notified",
        extra={
            "notified_at": notified_at.isoformat(),
            "in_time": notified_at <= incident.authority_due_at,
        },
    )
    return incident


@transaction.atomic
def incident_close(*, actor: User, incident: Incident, note: str = "") -> Incident:
    """Close once the authority's notification is recorded. Event `breach_closed`."""
    incident = _locked(incident)
    if incident.authority_notified_at is None:
        raise IncidentError(AUTHORITY_FIRST)
    old = incident.state
    incident.state, incident.closed_at = State.CLOSED, timezone.now()
    incident.save(update_fields=["state", "closed_at"])
    event_record(
        actor=actor,
        subject=incident,
        verb="breach_closed",
        old_state=old,
        new_state=incident.state,
        note=note,
    )
    return incident


@transaction.atomic
def incident_deadlines_warn(*, now: datetime | None = None) -> int:
    """Beat (privacy.tasks.warn_breach_deadlines): tell the managers of every open incident
    whose authority deadline is AUTHORITY_WARNING away or past and not yet warned. Safe to run
    twice or at once: rows locked with SKIP LOCKED, `deadline_warned_at` set, one idempotency
    key per incident and manager. Returns the number of incidents warned."""
    now = now or timezone.now()
    due = list(
        Incident.objects.filter(
            state=State.OPEN,
            authority_notified_at__isnull=True,
            deadline_warned_at__isnull=True,
            found_at__lte=now - WARN_AFTER,
        )
        .select_for_update(skip_locked=True)
        .order_by("found_at")
    )
    if not due:
        return 0
    managers = list(
        User.objects.filter(groups__name=Role.MANAGER, is_active=True).distinct().order_by("pk")
    )
    for incident in due:
        message_queue_to_staff(
            users=managers,
            template="breach_deadline",
            context={
                "incident": incident.pk,
                "due_at": timezone.localtime(incident.authority_due_at).strftime("%Y-%m-%d %H:%M"),
                "url": settings.SITE_URL + reverse("privacy:breach", args=[incident.pk]),
            },
            idempotency_key=f"breach-deadline-{incident.pk}",
            subject=incident,
        )
        incident.deadline_warned_at = now
        incident.save(update_fields=["deadline_warned_at"])
        event_record(
            actor=None,
            subject=incident,
            verb="breach_deadline_warned",
            extra={
                "authority_due_at": incident.authority_due_at.isoformat(),
                "recipients": [u.pk for u in managers],
            },
        )
    return len(due)
