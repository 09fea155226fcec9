"""Two chairs' clicks at the same moment on PostgreSQL: exactly one decision is stored."""

import threading

import pytest
from django.db import connections

from committee import services
from committee.models import Decision
from committee.tests.factories import open_meeting, votes_for
from requests_app.models import SupportRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_decisions_store_exactly_one(committee, before_committee):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    item = meeting.agenda_items.get()
    votes_for(meeting, support_request, "approve")
    # The same decision, the votes', clicked twice at once (say from two devices).
    decisions = [
        {"outcome": "approved", "approved_amount": 800, "support_type": "food_basket"},
        {"outcome": "approved", "approved_amount": 700, "support_type": "food_basket"},
    ]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def decide(fields):
        try:
            barrier.wait(timeout=10)
            services.decision_record(actor=committee.chair, agenda_item=item, **fields)
            results.append("stored")
        except services.CommitteeError as error:
            results.append(str(error.message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(fields,)) for fields in decisions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == sorted(["stored", str(services.ALREADY_DECIDED)])
    decision = Decision.objects.get()
    support_request.refresh_from_db()
    assert support_request.state == decision.outcome
    assert support_request.state in (SupportRequest.State.APPROVED, SupportRequest.State.REJECTED)
