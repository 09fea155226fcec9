"""Beat during a Redis outage: a tick that cannot be published is one log line (issue 24)."""

import logging
from types import SimpleNamespace

from celery.beat import ScheduleEntry

from notifications.tests.live_worker import free_port, this_process_publishes_to
from wahaj.celery import OneLineScheduler
from wahaj.celery import app as celery_app


def test_a_beat_tick_during_a_broker_outage_logs_one_line_and_no_traceback(caplog, tmp_path):
    down = SimpleNamespace(broker_url=f"redis://127.0.0.1:{free_port()}/0", queue="celery")
    entry = ScheduleEntry(
        name="requeue-stale-outbox",
        task="notifications.tasks.requeue_stale_messages",
        schedule=15.0,
        app=celery_app,
    )
    with this_process_publishes_to(down), caplog.at_level(logging.INFO):
        scheduler = OneLineScheduler(
            app=celery_app, schedule_filename=str(tmp_path / "schedule"), lazy=True
        )
        with celery_app.producer_or_acquire() as producer:
            scheduler.apply_entry(entry, producer=producer)
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1
    assert (
        problems[0]
        .getMessage()
        .startswith("beat: requeue-stale-outbox skipped, the broker is unavailable")
    )
    assert all(r.exc_info is None and "Traceback" not in r.getMessage() for r in caplog.records)
