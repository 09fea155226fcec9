"""Celery tasks of tickets: thin, they call a service (STYLE.md point 6)."""

from celery import shared_task

from .deadline import ticket_deadlines_enforce


@shared_task(name="feedback.tasks.enforce_ticket_deadlines")
def enforce_ticket_deadlines() -> dict:
    """Beat, every 15 minutes (wahaj/celery.py): the tickets' answer deadline."""
    sweep = ticket_deadlines_enforce()
    return {"reminded": sweep.reminded, "overdue": sweep.overdue, "messages": sweep.messages}
