"""Recovery of rows the broker or a worker lost — asking the gateway before anything is sent
again — and the managers' re-send of failed rows."""

import urllib.parse
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from notifications.backends.sms import RecordingBackend, SmsError, get_sms_backend
from notifications.models import Message
from notifications.services import (
    MAX_ATTEMPTS_REACHED,
    OUTCOME_UNKNOWN,
    WORKER_LOST,
    message_send,
    messages_requeue_stale,
)

from .factories import MessageFactory
from .test_sending import FlakyBackend

pytestmark = pytest.mark.django_db

Status = Message.Status


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def test_a_queued_row_the_broker_never_got_is_requeued_after_the_timeout(enqueued, settings):
    settings.NOTIFICATIONS_QUEUED_STALE_SECONDS = 30
    lost = MessageFactory(next_attempt_at=ago(minutes=5), published_at=ago(minutes=5))
    fresh = MessageFactory(next_attempt_at=ago(seconds=10), published_at=ago(seconds=10))
    waiting_for_retry = MessageFactory(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert messages_requeue_stale() == 1
    assert enqueued == [lost.pk]
    assert fresh.pk not in enqueued
    assert waiting_for_retry.pk not in enqueued


def test_a_row_whose_publish_failed_goes_out_with_the_next_tick(enqueued):
    unpublished = MessageFactory(published_at=None)
    assert messages_requeue_stale() == 1
    assert enqueued == [unpublished.pk]
    unpublished.refresh_from_db()
    assert unpublished.published_at is not None


def test_a_requeued_row_is_not_requeued_again_by_the_next_sweep(enqueued):
    MessageFactory(next_attempt_at=ago(minutes=5), published_at=ago(minutes=5))
    messages_requeue_stale()
    messages_requeue_stale()
    assert len(enqueued) == 1


def test_the_tick_costs_one_query_when_nothing_is_late(
    enqueued, django_assert_num_queries, settings
):
    MessageFactory(status=Status.SENT)
    MessageFactory(published_at=ago(seconds=5))  # published a moment ago, on its way
    MessageFactory(
        status=Status.SENDING, claimed_at=ago(seconds=5), next_attempt_at=ago(seconds=-25)
    )
    with django_assert_num_queries(1):
        assert messages_requeue_stale() == 0


def lost_send(**fields) -> Message:
    """A row whose worker died after the claim: `sending`, its lease run out."""
    fields = {"attempts": 1, **fields}
    return MessageFactory(
        status=Status.SENDING, claimed_at=ago(seconds=40), next_attempt_at=ago(seconds=10), **fields
    )


def test_a_send_the_gateway_accepted_before_the_worker_died_is_not_sent_again(enqueued, sms_outbox):
    dead = lost_send(template="portal_otp", context={"code": "482913"})
    get_sms_backend().send(dead.to, "the text it received", reference=dead.reference)
    busy = MessageFactory(
        status=Status.SENDING,
        attempts=1,
        claimed_at=ago(seconds=5),
        next_attempt_at=ago(seconds=-25),
    )
    assert messages_requeue_stale() == 0
    dead.refresh_from_db()
    busy.refresh_from_db()
    assert (dead.status, dead.provider_id) == (Status.SENT, f"rec-{dead.reference}")
    assert "482913" not in str(dead.context)
    assert busy.status == Status.SENDING
    assert enqueued == []
    assert len(sms_outbox) == 1
    [event] = Event.objects.filter(verb="message_found_at_gateway")
    assert (event.actor, event.subject, event.old_state, event.new_state) == (
        None,
        dead,
        "sending",
        "sent",
    )


def test_a_send_that_never_reached_the_gateway_is_sent_again_once(enqueued, sms_outbox):
    dead = lost_send()
    assert messages_requeue_stale() == 1
    dead.refresh_from_db()
    assert (dead.status, dead.last_error) == (Status.QUEUED, WORKER_LOST)
    for message_id in enqueued * 2:  # even delivered twice by the broker: sent once
        message_send(message_id=message_id)
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Status.SENT, 2)
    assert RecordingBackend.references == [dead.reference]


def test_with_a_gateway_that_cannot_be_asked_the_row_fails_for_a_manager_to_check(
    enqueued, settings, fake_gateway
):
    settings.SMS_BACKEND = "notifications.backends.sms.TaqnyatBackend"
    settings.SMS_GATEWAY_URL = fake_gateway.url
    dead = lost_send()
    assert messages_requeue_stale() == 0
    dead.refresh_from_db()
    assert (dead.status, dead.last_error) == (Status.FAILED, OUTCOME_UNKNOWN)
    assert fake_gateway.received == []
    assert enqueued == []
    [event] = Event.objects.filter(verb="message_outcome_unknown")
    assert (event.subject, event.old_state, event.new_state) == (dead, "sending", "failed")


def test_unifonic_is_sent_again_with_the_same_reference_and_its_duplicate_answer_counts_as_sent(
    enqueued, settings, fake_gateway
):
    settings.SMS_BACKEND = "notifications.backends.sms.UnifonicBackend"
    settings.SMS_GATEWAY_URL = fake_gateway.url
    fake_gateway.replies.append(
        (409, {"success": False, "message": "This message is duplicate", "errorCode": "ER-409"})
    )
    dead = lost_send()
    assert messages_requeue_stale() == 1
    message_send(message_id=dead.pk)
    dead.refresh_from_db()
    assert dead.status == Status.SENT
    [request] = fake_gateway.received
    assert urllib.parse.parse_qs(request.text)["CorrelationID"] == [dead.reference]


class UnreachableLookupBackend(RecordingBackend):
    def lookup(self, reference):
        raise SmsError("gateway unreachable: timed out", retryable=True)


def test_a_gateway_that_cannot_answer_now_is_asked_again_by_a_later_tick(enqueued, settings):
    settings.SMS_BACKEND = f"{__name__}.UnreachableLookupBackend"
    dead = lost_send()
    assert messages_requeue_stale() == 0
    dead.refresh_from_db()
    assert dead.status == Status.SENDING
    assert dead.next_attempt_at > timezone.now()  # a new lease: the next tick after it asks
    assert enqueued == []


def test_a_dead_worker_on_the_last_attempt_fails_the_row(enqueued, sms_outbox, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    dead = lost_send(attempts=2)
    messages_requeue_stale()
    dead.refresh_from_db()
    assert dead.status == Status.FAILED
    assert dead.last_error == MAX_ATTEMPTS_REACHED.format(attempts=2, reason=WORKER_LOST)
    assert enqueued == []


def test_a_retry_waits_unpublished_and_the_tick_publishes_it_once_due(
    enqueued, settings, time_machine
):
    settings.SMS_BACKEND = "notifications.tests.test_sending.FlakyBackend"
    FlakyBackend.errors = [SmsError("gateway HTTP 503", retryable=True)]
    message = MessageFactory()
    delay = message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.published_at) == (Status.QUEUED, None)
    assert messages_requeue_stale() == 0  # not due yet
    time_machine.move_to(timezone.now() + timedelta(seconds=delay + 1))
    assert messages_requeue_stale() == 1
    assert enqueued == [message.pk]


def test_sent_and_failed_rows_are_never_requeued(enqueued):
    MessageFactory(status=Status.SENT, next_attempt_at=ago(days=1), published_at=None)
    MessageFactory(status=Status.FAILED, next_attempt_at=ago(days=1), published_at=None)
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


@pytest.mark.postgres
def test_the_tick_reads_the_partial_index_not_the_whole_outbox(enqueued):
    """Thousands of sent rows, nothing late: the one query is an index probe."""
    Message.objects.bulk_create(
        [
            Message(
                channel="sms",
                to="+966501234567",
                template="request_received",
                idempotency_key=f"old:{i}",
                status=Status.SENT,
            )
            for i in range(3000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE notifications_message")
    with CaptureQueriesContext(connection) as queries:
        assert messages_requeue_stale() == 0
    [query] = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_pending_due" in plan
    assert "Seq Scan" not in plan
