"""A program cycle's SMS with a real Celery worker on Redis, killed half way (issue 21).

The cycle is told by a worker's task in chunks; the worker is SIGKILLed while it queues, the
beat sweep's task finishes the cycle on a new worker, which is killed again while the gateway
holds an answer; a third worker's recovery settles it. Every entry must end with exactly one
outbox row, and the gateway must have accepted each row's reference exactly once: none lost,
none doubled. Here, outside programs/, because it drives the notifications test helpers.
"""

from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings

from notifications.models import Message
from notifications.tests.conftest import UNIFONIC_OK
from notifications.tests.fake_gateway import FakeGateway
from notifications.tests.live_worker import LiveWorker, this_process_publishes_to, wait_until
from programs.models import CycleEntry
from programs.tasks import cycle_notify_task, cycles_notify_pending_task
from programs.tests.delivery_factories import approved_cycle, basket_item, woman

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = CycleEntry.Status
TOTAL = 600
CHUNK = 20


def told() -> int:
    return CycleEntry.objects.filter(status=Status.NOTIFIED).count()


def all_sent() -> bool:
    notices = Message.objects.filter(template="entitlement_notice")
    return notices.count() == TOTAL and not notices.exclude(status=Message.Status.SENT).exists()


def test_a_cycle_told_by_a_worker_killed_twice_sends_each_sms_exactly_once(manager_user):
    for _ in range(TOTAL):
        woman()
    item = basket_item(manager_user, on_hand=TOTAL, unit_value=Decimal("10"))
    cycle = approved_cycle(manager_user, item=item)
    gateway = FakeGateway(default=UNIFONIC_OK, dedupe_field="CorrelationID").start()
    env = {
        "SMS_BACKEND": "notifications.backends.sms.UnifonicBackend",
        "SMS_GATEWAY_URL": gateway.url,
    }
    worker = LiveWorker(broker_url=settings.REDIS_URL, env=env, beat=True).start()
    try:
        with this_process_publishes_to(worker):
            # 1. Killed while queueing: some chunks committed (rows and marks), the rest not.
            cycle_notify_task.apply_async((cycle.pk,), {"chunk": CHUNK})
            wait_until(lambda: told() >= TOTAL // 3, timeout=120, what="a third told")
            worker.kill()
            half = told()
            assert 0 < half < TOTAL, "the worker was not killed half way"
            assert Message.objects.filter(template="entitlement_notice").count() == half

            # 2. The sweep (beat's task) finishes the cycle on a new worker; this one is killed
            # after the gateway accepted a message and before it heard the answer.
            gateway.hold_answer_after(TOTAL // 2)
            worker = LiveWorker(
                broker_url=settings.REDIS_URL, env=env, queue=worker.queue, beat=True
            ).start()
            cycles_notify_pending_task.apply_async()
            wait_until(gateway.answer_held.is_set, timeout=180, what="the held answer")
            worker.kill()
            gateway.release()

            # 3. A third worker's recovery asks the gateway (Unifonic refuses the repeat).
            worker = LiveWorker(
                broker_url=settings.REDIS_URL, env=env, queue=worker.queue, beat=True
            ).start()
            cycles_notify_pending_task.apply_async()
            wait_until(all_sent, timeout=240, what="every SMS sent")
    finally:
        worker.stop()
        gateway.stop()

    assert told() == TOTAL
    notices = Message.objects.filter(template="entitlement_notice")
    keys = Counter(notices.values_list("idempotency_key", flat=True))
    assert set(keys.values()) == {1}
    assert set(keys) == {
        f"cycle-entry-notice-{pk}" for pk in cycle.entries.values_list("pk", flat=True)
    }
    accepted = Counter(gateway.reference_of(request) for request in gateway.accepted)
    assert set(accepted) == set(notices.values_list("reference", flat=True))
    assert set(accepted.values()) == {1}, "an SMS reached her twice"
