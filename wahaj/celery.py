"""The Celery application and the whole beat schedule, in one place (STYLE.md point 6).

Every periodic job is safe to run twice: each claims its work with conditional updates or
unique idempotency keys, so an overlapping or repeated run does nothing new.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wahaj.settings")

app = Celery("wahaj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The only clock of the two-week decision window: reminders at 7/3/1 days left, the
    # overdue flag and the managers' escalation. A sweep, never a countdown task per request.
    "enforce-decision-window": {
        "task": "requests_app.tasks.enforce_decision_window",
        "schedule": crontab(minute="*/15"),
    },
    # Re-queue outbox messages left `queued`/`sending` when the broker or a worker was down.
    "requeue-stale-outbox": {
        "task": "notifications.tasks.requeue_stale_messages",
        "schedule": crontab(minute="*/5"),
    },
    # PDPL retention: files closed more than RETENTION_YEARS ago are anonymised, every night
    # at 02:30 (Riyadh), when nobody works on them. Files under a legal hold are skipped.
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
}
