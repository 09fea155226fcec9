"""Acceptance 2: concurrent submissions on PostgreSQL, with real threads and connections."""

import threading

import pytest
from django.db import connections

from audit.models import Event
from requests_app import services
from requests_app.models import SupportRequest

from .factories import ready_request

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _submit_all_at_once(calls: list[tuple]) -> list[object]:
    """Run each (actor, support_request) submission in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, actor, support_request) -> None:
        try:
            barrier.wait()
            results[index] = services.support_request_submit(
                actor=actor, support_request=support_request
            ).reference
        except services.InvalidTransition as refused:
            results[index] = refused
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, actor, sr)) for i, (actor, sr) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_submissions_never_share_a_reference(intake_user):
    drafts = [ready_request(witness=intake_user) for _ in range(8)]
    references = _submit_all_at_once([(intake_user, sr) for sr in drafts])
    assert all(isinstance(r, str) and r.startswith("WHJ-") for r in references)
    assert len(set(references)) == len(drafts)
    assert set(SupportRequest.objects.values_list("reference", flat=True)) == set(references)


def test_one_request_submitted_twice_at_once_is_submitted_once(intake_user):
    draft = ready_request(witness=intake_user)
    results = _submit_all_at_once([(intake_user, draft)] * 4)
    references = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if isinstance(r, services.InvalidTransition)]
    assert len(references) == 1
    assert len(refusals) == 3
    assert Event.objects.for_subject(draft).filter(verb="submit").count() == 1
    draft.refresh_from_db()
    assert draft.reference == references[0]
