"""Celery tasks of outreach: thin, they call a service (STYLE.md point 6)."""

from celery import shared_task

from .services import outreach_sweep


@shared_task(name="outreach.tasks.outreach_sweep")
def outreach_sweep_task() -> dict:
    """Beat, daily (wahaj/celery.py): notices before documents expire, reassessments due."""
    sweep = outreach_sweep()
    return {"notices": sweep.notices, "reassessments": sweep.reassessments, "closed": sweep.closed}
