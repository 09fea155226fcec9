"""Thin tasks: take an id, call a service (STYLE.md point 6).

They are acknowledged when they start (settings: CELERY_TASK_ACKS_LATE = False): the outbox row,
not the broker's message, is what must not be lost, and the recovery tick re-publishes whatever
a dead worker or broker dropped within NOTIFICATIONS_RECOVERY_SECONDS.
"""

from celery import shared_task

from . import services


# The time limits sit under the claim's lease (NOTIFICATIONS_SENDING_STALE_SECONDS, 30 s): a
# send cut short at the soft limit leaves its row `sending`, and recovery asks the gateway.
@shared_task(name="notifications.tasks.message_send", time_limit=28, soft_time_limit=25)
def message_send_task(message_id: int) -> None:
    services.message_send(message_id=message_id)


@shared_task(name="notifications.tasks.message_send_batch")
def message_send_batch_task(message_ids: list[int]) -> None:
    services.messages_send(message_ids=message_ids)


# The recovery tick: beat publishes it every NOTIFICATIONS_RECOVERY_SECONDS (wahaj/celery.py).
@shared_task(name="notifications.tasks.requeue_stale_messages")
def requeue_stale_messages() -> int:
    return services.messages_requeue_stale()


# Nightly (wahaj/celery.py): one-time codes to mobiles not on file, kept a day, then deleted.
@shared_task(name="notifications.tasks.purge_phone_codes")
def purge_phone_codes() -> int:
    return services.phone_codes_purge()
