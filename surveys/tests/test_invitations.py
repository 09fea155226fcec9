"""After delivered and after rejected she is invited, once, through the outbox."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import Event
from notifications.models import Message
from notifications.rendering import render
from notifications.services import message_send
from requests_app import services as request_services
from requests_app.models import RejectionCode, SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.models import Invitation, token_digest
from surveys.services import invitation_create

State = SupportRequest.State
pytestmark = pytest.mark.django_db


def test_delivering_a_request_invites_her_by_sms_with_a_one_time_link(
    intake_user, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://wahaj.example.org"
    support_request = request_in_state(State.APPROVED, approved_amount=500)
    with django_capture_on_commit_callbacks(execute=True):
        request_services.support_request_deliver(
            actor=intake_user, support_request=support_request, delivery_note="سلة غذائية"
        )
    invitation = Invitation.objects.get(support_request=support_request)
    assert invitation.trigger == Invitation.Trigger.DELIVERED
    assert invitation.used_at is None
    assert invitation.expires_at - invitation.created_at == timedelta(days=30)
    message = Message.objects.get(template="survey_invitation")
    assert message.channel == "sms"
    assert message.to == str(support_request.beneficiary.mobile)
    prefix = "https://wahaj.example.org/surveys/r/"
    assert message.context["link"].startswith(prefix)
    token = message.context["link"].removeprefix(prefix).rstrip("/")
    assert token_digest(token) == invitation.token_hash != token
    assert message.context["reference"] == support_request.reference
    assert message.idempotency_key == f"survey-invitation-{invitation.pk}"
    # The delivery message goes to the broker at commit; the invitation waits in the outbox.
    delivered = Message.objects.get(template="request_delivered")
    assert message.pk not in enqueued
    assert message.next_attempt_at - delivered.next_attempt_at > timedelta(hours=1, minutes=59)
    event = Event.objects.for_subject(support_request).get(verb="survey_invite")
    assert event.new_state == "delivered"
    assert event.actor is None


def test_rejecting_a_request_invites_her_too(chair_user, enqueued):
    support_request = request_in_state(State.IN_COMMITTEE)
    request_services.support_request_decide(
        actor=chair_user,
        support_request=support_request,
        outcome=State.REJECTED,
        rejection_code=RejectionCode.NOT_ELIGIBLE,
        rejection_reason="الدخل أعلى من الحد",
    )
    invitation = Invitation.objects.get(support_request=support_request)
    assert invitation.trigger == Invitation.Trigger.REJECTED
    assert Message.objects.filter(template="survey_invitation").count() == 1


def test_approving_or_closing_invites_nobody(chair_user, intake_user, enqueued):
    support_request = request_in_state(State.IN_COMMITTEE)
    request_services.support_request_decide(
        actor=chair_user,
        support_request=support_request,
        outcome=State.APPROVED,
        approved_amount=300,
    )
    assert not Invitation.objects.exists()
    delivered = request_in_state(State.DELIVERED)
    request_services.support_request_close(actor=intake_user, support_request=delivered)
    assert not Invitation.objects.exists()


def test_an_invitation_is_made_and_sent_once(enqueued):
    support_request = request_in_state(State.DELIVERED)
    first = invitation_create(support_request=support_request, trigger="delivered")
    second = invitation_create(support_request=support_request, trigger="delivered")
    assert first == second
    assert Message.objects.filter(template="survey_invitation").count() == 1
    assert Event.objects.for_subject(support_request).filter(verb="survey_invite").count() == 1


def test_an_invitation_follows_her_preferred_channel_and_language(enqueued):
    support_request = request_in_state(State.DELIVERED)
    beneficiary = support_request.beneficiary
    beneficiary.preferred_channel = "email"
    beneficiary.preferred_language = "en"
    beneficiary.email = "huda@example.org"
    beneficiary.save()
    invitation_create(support_request=support_request, trigger="delivered")
    message = Message.objects.get(template="survey_invitation")
    assert (message.channel, message.to, message.language) == ("email", "huda@example.org", "en")


def test_the_delay_setting_holds_the_invitation_message_back(settings, enqueued):
    settings.SURVEY_INVITATION_DELAY_HOURS = 24
    support_request = request_in_state(State.DELIVERED)
    invitation = invitation_create(support_request=support_request, trigger="delivered")
    assert invitation.send_after - invitation.created_at == timedelta(hours=24)
    assert invitation.send_after > timezone.now()
    message = Message.objects.get(template="survey_invitation")
    assert message.next_attempt_at == invitation.send_after


def test_a_delivery_never_fails_for_want_of_a_survey(intake_user, enqueued):
    from surveys.models import Question, Survey

    Question.objects.all().delete()
    Survey.objects.all().delete()
    support_request = request_in_state(State.APPROVED, approved_amount=500)
    request_services.support_request_deliver(
        actor=intake_user, support_request=support_request, delivery_note="سلة غذائية"
    )
    assert Invitation.objects.get().survey.slug == "default"


def test_the_invitation_waits_until_the_delivery_message_has_gone(
    intake_user, enqueued, sms_outbox, django_capture_on_commit_callbacks
):
    support_request = request_in_state(State.APPROVED, approved_amount=500)
    with django_capture_on_commit_callbacks(execute=True):
        request_services.support_request_deliver(
            actor=intake_user, support_request=support_request, delivery_note="سلة غذائية"
        )
    delivered = Message.objects.get(template="request_delivered")
    invitation = Message.objects.get(template="survey_invitation")
    assert invitation.pk not in enqueued  # not handed to the broker at commit
    message_send(message_id=delivered.pk)  # what the worker does at once
    message_send(message_id=invitation.pk)  # a stray task: not due, nothing sent
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=55)):
        message_send(message_id=invitation.pk)
    assert len(sms_outbox) == 1
    # Two hours on, it goes: she read the delivery message first.
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        message_send(message_id=invitation.pk)
    assert [text for _number, text in sms_outbox] == [
        render("request_delivered", "ar", delivered.context).body,
        render("survey_invitation", "ar", invitation.context).body,
    ]
