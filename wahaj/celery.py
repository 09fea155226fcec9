"""The Celery application and the whole beat schedule, in one place (STYLE.md point 6).

Every periodic job is safe to run twice: each claims its work with conditional updates or
unique idempotency keys, so an overlapping or repeated run does nothing new.
"""

import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wahaj.settings")

app = Celery("wahaj")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("wahaj.beat")


class OneLineScheduler(PersistentScheduler):
    """Beat's scheduler, except that a tick which cannot reach the broker logs one line, not a
    stack trace: during a Redis outage every tick fails the same way, and the next one after
    Redis returns does the work (every job below is safe to skip once)."""

    def apply_entry(self, entry, producer=None) -> None:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # noqa: BLE001 - any broker failure: skip this tick
            logger.warning("beat: %s skipped, the broker is unavailable (%s)", entry.name, exc)
        else:
            # DEBUG, not INFO: the recovery tick alone would be 5,760 lines a day.
            logger.debug("beat: %s sent", entry.name)


app.conf.beat_scheduler = OneLineScheduler

app.conf.beat_schedule = {
    # The only clock of the two-week decision window: reminders at 7/3/1 days left, the
    # overdue flag and the managers' escalation. A sweep, never a countdown task per request.
    "enforce-decision-window": {
        "task": "requests_app.tasks.enforce_decision_window",
        "schedule": crontab(minute="*/15"),
    },
    # The SMS that tells her of tomorrow's home visit, once per visit (a claimed `reminded_at`
    # and a per-visit idempotency key). Every 30 minutes from 09:00 to 20:30 Riyadh time, so
    # nobody is texted at night and a visit scheduled during the day is told the same day.
    "home-visit-reminders": {
        "task": "requests_app.tasks.send_home_visit_reminders",
        "schedule": crontab(minute="*/30", hour="9-20"),
    },
    # The tickets' answer deadline (feedback/deadline.py): a reminder to the assignee a day
    # before, one escalation to the managers when it passes. A sweep, like the window's.
    "enforce-ticket-deadlines": {
        "task": "feedback.tasks.enforce_ticket_deadlines",
        "schedule": crontab(minute="*/15"),
    },
    # The outbox's recovery tick: publishes rows due and unpublished (retries, delayed rows,
    # publishes that failed) or lost with a broker or worker, and settles `sending` rows whose
    # worker died (asking the gateway first). One indexed query when nothing is late, so it
    # can run often enough to bring messages back within a minute; a tick that waited longer
    # than its period in a queue is dropped, the next one does the same work.
    "requeue-stale-outbox": {
        "task": "notifications.tasks.requeue_stale_messages",
        "schedule": float(settings.NOTIFICATIONS_RECOVERY_SECONDS),
        "options": {"expires": float(settings.NOTIFICATIONS_RECOVERY_SECONDS)},
    },
    # Reaching her before she asks (outreach/services.py): a text before a document one of her
    # requests needs expires, a reassessment task for a file not reviewed for a year; daily at
    # 08:00 Riyadh, so the message reaches her in the morning. Safe to run twice (unique keys).
    "outreach-sweep": {
        "task": "outreach.tasks.outreach_sweep",
        "schedule": crontab(hour=8, minute=0),
    },
    # One-time codes to mobiles not on file are useless after five minutes: kept a day (to
    # count the throttle), then deleted, nightly.
    "purge-phone-codes": {
        "task": "notifications.tasks.purge_phone_codes",
        "schedule": crontab(hour=2, minute=45),
    },
    # PDPL retention: files closed more than RETENTION_YEARS ago are anonymised, every night
    # at 02:30 (Riyadh), when nobody works on them. Files under a legal hold are skipped.
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # The breach register's clock: managers are told when 24 of the 72 hours to notify the
    # authority (SDAIA) are left, once per incident (a claimed `deadline_warned_at` and a unique
    # idempotency key). Every 15 minutes, day and night: the 72 hours do not stop at night.
    "warn-breach-deadlines": {
        "task": "privacy.tasks.warn_breach_deadlines",
        "schedule": crontab(minute="*/15"),
    },
    # A program cycle's SMS are queued by a task after its approval; this finishes any cycle a
    # lost publish or a killed worker left half told (chunks commit with their rows, idempotency
    # keys per entry: nothing doubled). One query when nothing is pending.
    "programs-notify-pending": {
        "task": "programs.tasks.cycles_notify_pending",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Cycles whose delivery window ended a day ago are closed: what was not collected is marked
    # so and its money released to the fund. Nightly, 03:00 Riyadh.
    "programs-close-ended-cycles": {
        "task": "programs.tasks.cycles_close_ended",
        "schedule": crontab(hour=3, minute=0),
    },
}
