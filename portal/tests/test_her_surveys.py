"""Her surveys in the portal (issue 19): the database keeps only the hash of her link, so the
portal opens her survey by the invitation being hers, not by the link."""

import pytest
from django.urls import reverse

from portal.views import SURVEY_THANKS
from surveys.models import Response
from surveys.tests.factories import InvitationFactory
from surveys.tests.test_respond import full_answers

pytestmark = pytest.mark.django_db


def test_she_answers_from_the_portal_without_the_link(portal_client):
    invitation = InvitationFactory()
    client = portal_client(invitation.support_request.beneficiary)
    url = reverse("portal:survey_answer", args=[invitation.pk])
    assert url in client.get(reverse("portal:surveys")).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, full_answers(), follow=True)
    assert str(SURVEY_THANKS) in response.content.decode()
    stored = Response.objects.get(invitation=invitation)
    assert stored.channel == Response.Channel.PORTAL
    # Answered: the portal page sends her back to her list, saying so.
    assert client.get(url).status_code == 302


def test_another_womans_survey_is_not_found_in_her_portal(portal_client):
    hers = InvitationFactory()
    other = InvitationFactory()
    client = portal_client(hers.support_request.beneficiary)
    response = client.get(reverse("portal:survey_answer", args=[other.pk]))
    assert response.status_code == 404
