"""Every write of the surveys app: invitations and responses.

An invitation is made inside the transaction that delivers or rejects the request (the
requests_app signal, surveys/receivers.py), so the invitation, its outbox message and the
transition commit together. A response consumes its invitation with a conditional UPDATE, so
one link accepts exactly one answer even when it is submitted twice at the same moment.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Event
from audit.services import event_record
from beneficiaries.models import ConsentPurpose
from beneficiaries.selectors import consent_withdrawn
from beneficiaries.services import message_queue_to_her
from requests_app.models import SupportRequest

from .models import Answer, Invitation, Question, Response, token_digest
from .selectors import survey_active

LINK_UNKNOWN = _("This survey link is not valid. Please check that you opened the whole link.")
LINK_USED = _("This survey has already been answered. Thank you, your opinion was received.")
LINK_EXPIRED = _("This survey link has expired: a survey can be answered within 30 days.")
NOT_SURVEYABLE = _("A survey can be recorded only after the request was delivered or rejected.")

# The request states after which she is invited, and the trigger each is recorded under.
TRIGGER_OF_STATE = {
    SupportRequest.State.DELIVERED: Invitation.Trigger.DELIVERED,
    SupportRequest.State.CLOSED: Invitation.Trigger.DELIVERED,
    SupportRequest.State.REJECTED: Invitation.Trigger.REJECTED,
}


class SurveyLinkError(Exception):
    """The link cannot take an answer; `message` says why, in her words."""

    def __init__(self, message, *, status: int):
        super().__init__(str(message))
        self.message = message
        self.status = status


def _invitation_message(invitation: Invitation, support_request: SupportRequest) -> None:
    beneficiary = support_request.beneficiary
    # Withheld, with a trace on the request's timeline, once she withdrew the contact purpose
    # (the invitation stays: she finds it in the portal).
    message_queue_to_her(
        beneficiary,
        template="survey_invitation",
        context={
            "association": settings.ASSOCIATION_NAME,
            "name": (beneficiary.full_name.split() or [""])[0],
            "reference": support_request.reference or "",
            # `link`, not `url`: notifications redacts it once sent (it opens her survey).
            "link": settings.SITE_URL + invitation.link_path(),
            "expires_on": formats.date_format(timezone.localdate(invitation.expires_at), "Y-m-d"),
        },
        idempotency_key=f"survey-invitation-{invitation.pk}",
        subject=invitation,
        timeline=support_request,
        send_after=invitation.send_after,
    )


@transaction.atomic
def invitation_create(
    *, support_request: SupportRequest, trigger: str, notify: bool = True
) -> Invitation | None:
    """Her invitation to evaluate the service after `trigger` (delivered / rejected).

    Idempotent: one invitation per request and trigger; a second call returns the first and
    queues nothing. Side effects on creation: an audit event `survey_invite` on the request
    (her timeline shows she was invited, never what she answered) and, with `notify`, the
    `survey_invitation` message in the outbox to her preferred channel.
    The message waits in the outbox until `send_after` (now + SURVEY_INVITATION_DELAY_HOURS);
    the outbox's recovery job sends it once it is due.
    Returns None, and invites nobody, when she withdrew her consent to surveys (a staff member
    recording the answers she gives, `notify=False`, is her own choice and goes on).
    """
    if notify and consent_withdrawn(support_request.beneficiary, ConsentPurpose.SURVEY):
        return None
    now = timezone.now()
    invitation, created = Invitation.objects.get_or_create(
        support_request=support_request,
        trigger=trigger,
        defaults={
            "survey": survey_active(),
            "created_at": now,
            "send_after": now + timedelta(hours=settings.SURVEY_INVITATION_DELAY_HOURS),
        },
    )
    if not created:
        return invitation
    event_record(actor=None, subject=support_request, verb="survey_invite", new_state=trigger)
    if notify:
        _invitation_message(invitation, support_request)
    return invitation


def _check_open(invitation: Invitation | None, now) -> Invitation:
    if invitation is None:
        raise SurveyLinkError(LINK_UNKNOWN, status=404)
    if invitation.used_at is not None:
        raise SurveyLinkError(LINK_USED, status=410)
    if invitation.expires_at <= now:
        raise SurveyLinkError(LINK_EXPIRED, status=410)
    return invitation


def invitation_check(invitation: Invitation | None) -> Invitation:
    """The invitation if it can still take an answer; else SurveyLinkError (stores nothing)."""
    return _check_open(invitation, timezone.now())


def _store(
    *,
    invitation: Invitation,
    answers: dict[Question, Any],
    channel: str,
    recorded_by=None,
    now,
) -> Response:
    support_request = invitation.support_request
    response = Response.objects.create(
        survey=invitation.survey,
        invitation=invitation,
        channel=channel,
        request_channel=support_request.channel,
        request_type=support_request.request_type,
        outcome=invitation.trigger,
        submitted_at=now,
        recorded_by=recorded_by,
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=question,
            value=None if question.kind == Question.Kind.TEXT else value,
            text=value if question.kind == Question.Kind.TEXT else "",
        )
        for question, value in answers.items()
        if value not in (None, "")
    )
    return response


@transaction.atomic
def response_submit(
    *,
    answers: dict[Question, Any],
    token: str | None = None,
    invitation_id: int | None = None,
    channel: str = Response.Channel.LINK,
) -> Response:
    """Store her answers through her link (`token`) or the portal (`invitation_id`, already
    checked to be hers), and use the invitation up.

    Preconditions: the invitation exists, is unused and not expired — otherwise SurveyLinkError
    and nothing is stored. Side effect: audit event `survey_answer` on the invitation (actor:
    her).
    """
    now = timezone.now()
    found = Invitation.objects.select_for_update().select_related("support_request", "survey")
    if token is not None:
        found = found.filter(token_hash=token_digest(token))
    else:
        found = found.filter(pk=invitation_id)
    invitation = found.first()
    _check_open(invitation, now)
    _consume(invitation, now)
    response = _store(invitation=invitation, answers=answers, channel=channel, now=now)
    event_record(
        actor=None,
        actor_kind=Event.ActorKind.BENEFICIARY,
        subject=invitation,
        verb="survey_answer",
        new_state="answered",
        extra={"channel": channel},
    )
    return response


def _consume(invitation: Invitation, now) -> None:
    # Trusted only if this UPDATE changed the row: a second submission finds it used.
    used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=now)
    if used != 1:
        raise SurveyLinkError(LINK_USED, status=410)
    invitation.used_at = now


@transaction.atomic
def response_record(
    *,
    actor,
    support_request: SupportRequest,
    channel: str,
    answers: dict[Question, Any],
) -> Response:
    """Staff type in a survey she answered by phone or on paper (channel recorded).

    Uses her invitation for the request's outcome (made now, without a message, if none
    exists); refused if that invitation was already answered. Expiry does not apply: the 30
    days bound the link, not a call she agreed to. Audit event `survey_record` (actor: staff).
    """
    support_request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    trigger = TRIGGER_OF_STATE.get(support_request.state)
    if trigger is None:
        raise SurveyLinkError(NOT_SURVEYABLE, status=400)
    invitation = invitation_create(support_request=support_request, trigger=trigger, notify=False)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    now = timezone.now()
    if invitation.used_at is not None:
        raise SurveyLinkError(LINK_USED, status=410)
    _consume(invitation, now)
    invitation.support_request = support_request
    response = _store(
        invitation=invitation, answers=answers, channel=channel, recorded_by=actor, now=now
    )
    event_record(
        actor=actor,
        subject=invitation,
        verb="survey_record",
        new_state="answered",
        extra={"channel": channel},
    )
    return response
