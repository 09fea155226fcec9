"""Thin tasks of the programs app: take an id, call a service (STYLE.md point 6)."""

from celery import shared_task

from . import delivery


@shared_task(name="programs.tasks.cycle_notify")
def cycle_notify_task(cycle_id: int, chunk: int = delivery.NOTIFY_CHUNK) -> int:
    return delivery.cycle_notify(cycle_id=cycle_id, chunk=chunk)


# Beat (wahaj/celery.py): every minute, finish telling any approved cycle a lost publish or a
# killed worker left half told.
@shared_task(name="programs.tasks.cycles_notify_pending")
def cycles_notify_pending_task() -> int:
    return delivery.cycles_notify_pending()


# Beat, nightly: close cycles whose delivery window ended (not collected → money released).
@shared_task(name="programs.tasks.cycles_close_ended")
def cycles_close_ended_task() -> int:
    return delivery.cycles_close_ended()
