"""seed_demo's survey part: invitations and answers for the seeded outcomes, once."""

import io

import pytest

from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys import demo
from surveys.models import Answer, Invitation, Response

State = SupportRequest.State
pytestmark = pytest.mark.django_db


def test_the_demo_invites_after_every_outcome_answers_some_and_is_idempotent():
    for state in (State.DELIVERED, State.CLOSED, State.REJECTED) * 10:
        request_in_state(state, decided_at=None)
    request_in_state(State.IN_COMMITTEE)
    demo.seed(stdout=io.StringIO(), options={"seed": 7})
    assert Invitation.objects.count() == 30
    assert Invitation.objects.filter(trigger="rejected").count() == 10
    answered = Response.objects.count()
    assert 0 < answered < 30
    assert Invitation.objects.filter(used_at__isnull=False).count() == answered
    assert Answer.objects.filter(question__kind="rating").count() == answered * 5

    demo.seed(stdout=io.StringIO(), options={"seed": 7})
    assert Invitation.objects.count() == 30
    assert Response.objects.count() == answered
