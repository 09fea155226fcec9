"""Thin tasks: take an id, call a service (STYLE.md point 6)."""

from celery import shared_task

from . import services


@shared_task(
    name="notifications.tasks.message_send",
    bind=True,
    max_retries=None,  # the row counts attempts (NOTIFICATIONS_MAX_ATTEMPTS), not Celery
    time_limit=90,  # well under NOTIFICATIONS_SENDING_STALE_SECONDS
    soft_time_limit=60,
)
def message_send_task(self, message_id: int) -> None:
    retry_in = services.message_send(message_id=message_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


# Rows a dead worker never reached stay `queued`, and the recovery job hands them on again.
@shared_task(name="notifications.tasks.message_send_batch")
def message_send_batch_task(message_ids: list[int]) -> None:
    services.messages_send(message_ids=message_ids)


@shared_task(name="notifications.tasks.requeue_stale_messages")
def requeue_stale_messages() -> int:
    return services.messages_requeue_stale()
