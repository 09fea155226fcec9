"""Her link: answered once without login; a late, reused or forged link stores nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from surveys.models import Answer, Invitation, Response
from surveys.services import LINK_EXPIRED, LINK_UNKNOWN, LINK_USED

from .factories import InvitationFactory, default_survey

pytestmark = pytest.mark.django_db


def full_answers() -> dict[str, str]:
    data = {}
    for question in default_survey().questions.all():
        data[f"q{question.pk}"] = {
            "rating": "4",
            "yes_no": "1",
            "recommend": "9",
            "text": "شكرًا لكنّ",
        }[question.kind]
    return data


def url(invitation: Invitation) -> str:
    return reverse("surveys:respond", args=[invitation.token])


def test_she_opens_her_survey_without_logging_in(client):
    invitation = InvitationFactory()
    response = client.get(url(invitation))
    assert response.status_code == 200
    assert "كيف تقيّمين الاستقبال وحسن التعامل والاحترام؟" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_her_answers_are_stored_once_and_the_link_is_used_up(client):
    invitation = InvitationFactory()
    response = client.post(url(invitation), full_answers())
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:thanks")
    stored = Response.objects.get(invitation=invitation)
    assert stored.channel == Response.Channel.LINK
    assert stored.outcome == "delivered"
    assert stored.request_type == invitation.support_request.request_type
    assert stored.answers.count() == 8
    assert stored.answers.get(question__key="comments").text == "شكرًا لكنّ"
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    event = Event.objects.for_subject(invitation).get(verb="survey_answer")
    assert event.actor_kind == Event.ActorKind.BENEFICIARY


def test_a_used_link_says_so_and_stores_nothing(client):
    invitation = InvitationFactory()
    client.post(url(invitation), full_answers())
    again = client.post(url(invitation), full_answers())
    assert again.status_code == 410
    assert str(LINK_USED) in again.content.decode()
    assert Response.objects.count() == 1
    assert client.get(url(invitation)).status_code == 410


def test_an_expired_link_says_so_and_stores_nothing(client):
    invitation = InvitationFactory(
        created_at=timezone.now() - timedelta(days=31),
        expires_at=timezone.now() - timedelta(days=1),
    )
    response = client.post(url(invitation), full_answers())
    assert response.status_code == 410
    assert str(LINK_EXPIRED) in response.content.decode()
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_a_forged_link_finds_nothing_and_stores_nothing(client):
    InvitationFactory()
    forged = reverse("surveys:respond", args=["x" * 43])
    response = client.post(forged, full_answers())
    assert response.status_code == 404
    assert str(LINK_UNKNOWN) in response.content.decode()
    assert not Response.objects.exists()


def test_a_survey_missing_a_required_rating_is_shown_again_and_stores_nothing(client):
    invitation = InvitationFactory()
    data = full_answers()
    data.pop(next(iter(data)))
    response = client.post(url(invitation), data)
    assert response.status_code == 200
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_an_out_of_range_answer_is_refused(client):
    invitation = InvitationFactory()
    data = full_answers()
    first_rating = next(k for k, v in data.items() if v == "4")
    data[first_rating] = "9"
    assert client.post(url(invitation), data).status_code == 200
    assert not Response.objects.exists()
