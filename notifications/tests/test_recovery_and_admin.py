"""Recovery of rows the broker or a worker lost, and the managers' re-send of failed rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from notifications.models import Message
from notifications.services import WORKER_LOST, message_send, messages_requeue_stale

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

Status = Message.Status


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_a_queued_row_the_broker_never_got_is_requeued_after_the_timeout(enqueued, settings):
    settings.NOTIFICATIONS_QUEUED_STALE_SECONDS = 120
    lost = MessageFactory(next_attempt_at=ago(minutes=5))
    fresh = MessageFactory(next_attempt_at=ago(seconds=10))
    waiting_for_retry = MessageFactory(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert messages_requeue_stale() == 1
    assert enqueued == [lost.pk]
    assert fresh.pk not in enqueued
    assert waiting_for_retry.pk not in enqueued


def test_a_requeued_row_is_not_requeued_again_by_the_next_sweep(enqueued):
    MessageFactory(next_attempt_at=ago(minutes=5))
    messages_requeue_stale()
    messages_requeue_stale()
    assert len(enqueued) == 1


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_once(enqueued, sms_outbox, settings):
    settings.NOTIFICATIONS_SENDING_STALE_SECONDS = 600
    dead = MessageFactory(status=Status.SENDING, attempts=1, claimed_at=ago(minutes=11))
    busy = MessageFactory(status=Status.SENDING, attempts=1, claimed_at=ago(minutes=1))
    assert messages_requeue_stale() == 1
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert (dead.status, dead.last_error) == (Status.QUEUED, WORKER_LOST)
    assert busy.status == Status.SENDING
    for message_id in enqueued * 2:  # even delivered twice by the broker: sent once
        message_send(message_id=message_id)
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Status.SENT, 2)
    assert len(sms_outbox) == 1


def test_a_dead_worker_on_the_last_attempt_fails_the_row(enqueued, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    dead = MessageFactory(status=Status.SENDING, attempts=2, claimed_at=ago(hours=1))
    messages_requeue_stale()
    dead.refresh_from_db()
    assert dead.status == Status.FAILED
    assert enqueued == []


def test_sent_and_failed_rows_are_never_requeued(enqueued):
    MessageFactory(status=Status.SENT, next_attempt_at=ago(days=1))
    MessageFactory(status=Status.FAILED, next_attempt_at=ago(days=1))
    assert messages_requeue_stale() == 0


# --- The admin -------------------------------------------------------------------------------
CHANGELIST = reverse("admin:notifications_message_changelist")


def test_a_manager_sees_the_failed_messages_with_their_reason(client_as, manager_user):
    MessageFactory(status=Status.FAILED, last_error="Unifonic refused: Invalid recipient")
    response = client_as(manager_user).get(CHANGELIST, {"status__exact": "failed"})
    assert response.status_code == 200
    assert "Unifonic refused: Invalid recipient" in response.text


def test_a_manager_resends_a_failed_message_from_the_admin(
    client_as, manager_user, enqueued, django_capture_on_commit_callbacks
):
    failed = MessageFactory(status=Status.FAILED, attempts=5, last_error="gateway HTTP 500")
    sent = MessageFactory(status=Status.SENT, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager_user).post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.QUEUED, 0)
    assert sent.status == Status.SENT
    assert enqueued == [failed.pk]
    [event] = Event.objects.filter(verb="message_resend")
    assert (event.actor, event.subject, event.old_state, event.new_state) == (
        manager_user,
        failed,
        "failed",
        "queued",
    )


def test_the_outbox_is_not_open_to_anonymous_visitors(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_outbox_is_not_open_to_other_staff(client_as, make_staff):
    researcher = make_staff("researcher", is_staff=True)
    response = client_as(researcher).get(CHANGELIST)
    assert response.status_code == 302  # the admin sends non-managers to its login
    assert response.url.startswith(reverse("admin:login"))
