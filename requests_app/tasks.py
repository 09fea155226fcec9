"""Celery tasks of support requests: thin, they call a service (STYLE.md point 6)."""

from celery import shared_task

from .services import home_visit_reminders_send
from .window import decision_window_enforce


@shared_task(name="requests_app.tasks.enforce_decision_window")
def enforce_decision_window() -> dict:
    """Beat, every 15 minutes (wahaj/celery.py): the decision window's only clock."""
    sweep = decision_window_enforce()
    return {"reminded": sweep.reminded, "overdue": sweep.overdue, "messages": sweep.messages}


@shared_task(name="requests_app.tasks.send_home_visit_reminders")
def send_home_visit_reminders() -> int:
    """Beat, every 30 minutes in the day (wahaj/celery.py): tomorrow's home visits, told once."""
    return home_visit_reminders_send()
