"""Thin tasks: call a service (STYLE.md point 6)."""

from celery import shared_task

from . import breach, services


# Longer than the default limits: a first run may have years of files to anonymise. Each file
# is its own transaction, so a run cut short resumes the next night.
@shared_task(name="privacy.tasks.apply_retention", time_limit=3600, soft_time_limit=3500)
def apply_retention() -> int:
    """The nightly PDPL retention run (`manage.py apply_retention` does the same by hand)."""
    return len(services.retention_apply().anonymised)


@shared_task(name="privacy.tasks.warn_breach_deadlines")
def warn_breach_deadlines() -> int:
    """Beat, every 15 minutes (wahaj/celery.py): the 72-hour authority deadline's warning."""
    return breach.incident_deadlines_warn()
