"""The outbox with a real Celery worker on the real Redis (issue 6, acceptance 1 and 2).

Each test asserts nothing lost and nothing doubled. The worker is a subprocess on
pytest-django's test database, so these tests are transactional. They live here, outside
notifications/, because they drive the requests app too (notifications may not import it).
"""

import threading
import time

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.db import transaction

from accounts.roles import Role
from notifications.backends.sms import recorded_messages
from notifications.models import Message
from notifications.services import message_queue, messages_requeue_stale
from notifications.tests.conftest import UNIFONIC_OK
from notifications.tests.fake_gateway import FakeGateway
from notifications.tests.live_worker import (
    LiveWorker,
    PrivateRedis,
    this_process_publishes_to,
    wait_until,
)
from requests_app.models import SupportRequest
from requests_app.services import support_request_submit
from requests_app.tests.factories import ready_request, request_in_state
from requests_app.window import decision_window_enforce

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = Message.Status


def queue(key: str, **fields) -> Message | None:
    return message_queue(
        channel="sms",
        to=fields.pop("to", "+966501234567"),
        template="request_received",
        language="ar",
        context={"reference": key, "name": "نورة", "due_date": "2026-12-09"},
        idempotency_key=key,
        **fields,
    )


def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.status


@pytest.fixture(scope="module")
def recording_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("sms") / "recorded.jsonl"
    worker = LiveWorker(
        broker_url=settings.REDIS_URL,
        env={
            "SMS_BACKEND": "notifications.backends.sms.RecordingBackend",
            "SMS_RECORDING_PATH": str(path),
        },
    ).start()
    worker.recorded = lambda: recorded_messages(str(path))
    with this_process_publishes_to(worker):
        yield worker
    worker.stop()


@pytest.fixture
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }


@pytest.mark.usefixtures("_private_media")
def test_submitting_a_request_sends_her_exactly_one_sms_with_the_reference(
    recording_worker, intake_user
):
    support_request = ready_request(witness=intake_user)
    mobile = str(support_request.beneficiary.mobile)
    support_request = support_request_submit(actor=intake_user, support_request=support_request)
    [message] = Message.objects.filter(template="request_received")
    wait_until(lambda: status_of(message) == Status.SENT, what="her SMS to be sent")
    to_her = [m for m in recording_worker.recorded() if m[0] == mobile.lstrip("+")]
    assert len(to_her) == 1
    assert support_request.reference in to_her[0][1]
    assert (message.to, message.attempts) == (mobile, 1)


def test_two_sweeps_at_the_same_time_send_one_reminder(recording_worker, make_staff):
    researcher = make_staff(Role.RESEARCHER, mobile="+966500000009")
    request_in_state(SupportRequest.State.IN_RESEARCH, due_in_days=6.5, researcher=researcher)
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait(timeout=10)
            decision_window_enforce()
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    [reminder] = Message.objects.filter(template="window_reminder")
    wait_until(lambda: status_of(reminder) == Status.SENT, what="the reminder to be sent")
    assert [m for m in recording_worker.recorded() if m[0] == "966500000009"] == [
        ("966500000009", reminder_text(reminder))
    ]


def test_a_sweep_over_many_requests_sends_each_reminder_once_in_batches(
    recording_worker, make_staff
):
    """120 reminders leave as 2 batch tasks (SEND_BATCH 100), not 120 publishes: the sweep
    stays fast, and every message still reaches her researcher exactly once."""
    researchers = [make_staff(Role.RESEARCHER, mobile=f"+9665000010{i:02d}") for i in range(12)]
    for i in range(120):
        request_in_state(
            SupportRequest.State.IN_RESEARCH, due_in_days=6.5, researcher=researchers[i % 12]
        )
    published = []

    def record(sender, **_kwargs):
        published.append(sender)

    before_task_publish.connect(record, weak=False)
    try:
        assert decision_window_enforce().messages == 120
    finally:
        before_task_publish.disconnect(record)
    assert published == ["notifications.tasks.message_send_batch"] * 2
    wait_until(
        lambda: Message.objects.filter(status=Status.SENT).count() == 120,
        timeout=60,
        what="120 reminders to be sent",
    )
    recorded = [to for to, _text in recording_worker.recorded() if to.startswith("9665000010")]
    assert sorted(recorded) == sorted(f"9665000010{i:02d}" for i in range(12) for _ in range(10))


def reminder_text(message: Message) -> str:
    from notifications.rendering import render

    return render(message.template, message.language, message.context).body


def test_a_committed_message_reaches_the_recording_backend_once_and_is_marked_sent(
    recording_worker,
):
    with transaction.atomic():
        message = queue("it:committed")
    wait_until(lambda: status_of(message) == Status.SENT, what="the message to be sent")
    sent = [m for m in recording_worker.recorded() if "it:committed" in m[1]]
    assert len(sent) == 1
    assert sent[0][0] == "966501234567"
    assert message.attempts == 1


def test_a_rolled_back_transaction_sends_nothing(recording_worker):
    def change_that_fails():
        with transaction.atomic():
            queue("it:rolled-back")
            raise RuntimeError("the change that caused the message fails")

    with pytest.raises(RuntimeError):
        change_that_fails()
    # A message committed afterwards is sent: had the first one left, it would be there too.
    with transaction.atomic():
        barrier = queue("it:after-rollback")
    wait_until(lambda: status_of(barrier) == Status.SENT, what="the barrier message")
    texts = [text for _number, text in recording_worker.recorded()]
    assert not any("it:rolled-back" in text for text in texts)
    assert not Message.objects.filter(idempotency_key="it:rolled-back").exists()


def test_a_worker_killed_while_sending_is_restarted_and_the_message_sent_once(settings):
    """SIGKILL while the gateway holds the request: the row stays `sending`; when its lease
    runs out the recovery tick hands it on (Unifonic refuses a repeated CorrelationID, so
    sending again is safe) and the restarted worker sends it; the gateway accepts it once."""
    gateway = FakeGateway(default=UNIFONIC_OK).start()
    env = {
        "SMS_BACKEND": "notifications.backends.sms.UnifonicBackend",
        "SMS_GATEWAY_URL": gateway.url,
        "NOTIFICATIONS_SENDING_STALE_SECONDS": "1",  # the claim's lease, short for the test
    }
    worker = LiveWorker(broker_url=settings.REDIS_URL, env=env).start()
    try:
        with this_process_publishes_to(worker):
            gateway.hold()
            with transaction.atomic():
                message = queue("it:killed")
            wait_until(gateway.request_arrived.is_set, what="the send to reach the gateway")
            worker.kill()
            gateway.release()
            assert status_of(message) == Status.SENDING
            assert gateway.accepted == []

            worker = LiveWorker(broker_url=settings.REDIS_URL, env=env, queue=worker.queue)
            worker.start()
            settings.SMS_BACKEND = env["SMS_BACKEND"]
            wait_until(messages_requeue_stale, what="the lease to run out and the row requeued")
            wait_until(lambda: status_of(message) == Status.SENT, what="the re-sent message")
            assert messages_requeue_stale() == 0  # a second sweep finds nothing to do
    finally:
        worker.stop()
        gateway.stop()
    assert message.attempts == 2
    assert len(gateway.received) == 2
    assert len(gateway.accepted) == 1
    assert "966501234567" in gateway.accepted[0].text


def test_with_redis_down_the_commit_goes_through_and_recovery_delivers_later(settings, tmp_path):
    redis = PrivateRedis().start()
    path = tmp_path / "recorded.jsonl"
    worker = LiveWorker(
        broker_url=redis.url,
        env={
            "SMS_BACKEND": "notifications.backends.sms.RecordingBackend",
            "SMS_RECORDING_PATH": str(path),
        },
    ).start()
    try:
        with this_process_publishes_to(worker):
            redis.stop(keep_dir=True)
            began = time.monotonic()
            with transaction.atomic():
                message = queue("it:redis-down")
            commit_seconds = time.monotonic() - began
            assert commit_seconds < 1  # the page is not held up by the broker
            assert status_of(message) == Status.QUEUED

            redis.start()
            settings.NOTIFICATIONS_QUEUED_STALE_SECONDS = 0  # the beat job, its timeout passed
            wait_until(messages_requeue_stale, what="the recovery job to reach the broker")
            wait_until(lambda: status_of(message) == Status.SENT, timeout=30, what="delivery")
    finally:
        worker.stop()
        redis.stop()
    sent = [m for m in recorded_messages(str(path)) if "it:redis-down" in m[1]]
    assert len(sent) == 1
    assert message.attempts == 1
