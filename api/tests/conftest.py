"""The API's fixtures: a token per persona (issued through the service), and one world."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.two_factor import two_factor_required
from api.services import api_token_issue
from beneficiaries.models import Contact, Referral
from beneficiaries.tests.factories import DocumentFactory, HouseholdMemberFactory
from committee.tests.factories import committee_with, open_meeting, request_before_committee
from conftest import current_totp, verify_second_factor
from feedback.tests.factories import ticket
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state


@pytest.fixture
def token_for(db, manager_user, client):
    """`token_for(user)`: a fresh API token acting as `user`, issued as a manager issues it."""

    def issue(user) -> str:
        code = ""
        if two_factor_required(user):
            verify_second_factor(client, user)  # makes her authenticator if she has none
            code = current_totp(user)
        actor = user if two_factor_required(user) else manager_user
        _token, raw = api_token_issue(actor=actor, user=user, name="test", code=code)
        return raw

    return issue


@pytest.fixture
def api_as(token_for):
    """`api_as(user)`: a DRF test client sending her token (None: no credentials)."""

    def make(user=None) -> APIClient:
        api = APIClient()
        if user is not None:
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
        return api

    return make


@pytest.fixture
def world(intake_user, researcher_user, member_user, chair_user, manager_user):
    """Her file with a document, a household member, a contact and a referral; her request
    before the committee on an open meeting of the persona committee; another request of hers
    delivered."""
    committee = committee_with(chair=chair_user, members=[member_user])
    support_request = request_before_committee(researcher=researcher_user, intake=intake_user)
    her = support_request.beneficiary
    meeting = open_meeting(committee=committee, requests=[support_request])
    HouseholdMemberFactory(beneficiary=her)
    Contact.objects.create(beneficiary=her, channel="phone", summary="اتصلت تسأل عن طلبها")
    return {
        "her": her,
        "document": DocumentFactory(beneficiary=her),
        "referral": Referral.objects.create(
            beneficiary=her, reason="لم تتضح لها الإجراءات", assigned_to=researcher_user
        ),
        "request": support_request,
        "submitted": request_in_state(SupportRequest.State.SUBMITTED, beneficiary=her),
        "delivered": request_in_state(SupportRequest.State.DELIVERED, beneficiary=her),
        "meeting": meeting,
        "item": meeting.agenda_items.get(),
        "ticket": ticket(actor=intake_user, beneficiary=her),
        "now": timezone.now(),
    }
