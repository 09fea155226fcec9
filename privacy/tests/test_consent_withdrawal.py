"""PDPL: no purpose is ticked for her; she (portal) or staff (her words recorded) withdraw one,
dated and audited, and what depends on it stops (issue 18)."""

import re

import pytest
from django.urls import reverse

from audit.models import Event
from beneficiaries.models import PRIVACY_NOTICE_VERSION, Consent
from beneficiaries.services import (
    CONSENT_SERVICE_STAYS,
    CONSENT_WORDS_REQUIRED,
    InvalidTransition,
    consent_withdraw,
)
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import Message
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.models import Invitation
from surveys.services import invitation_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def her():
    beneficiary = BeneficiaryFactory()
    for purpose in ("service", "contact", "survey"):
        Consent.objects.create(
            beneficiary=beneficiary, purpose=purpose, notice_version=PRIVACY_NOTICE_VERSION
        )
    return beneficiary


def test_no_purpose_is_ticked_in_advance_on_the_registration_form(client_as, intake_user):
    body = client_as(intake_user).get(reverse("beneficiaries:create")).content.decode()
    boxes = [line for line in body.splitlines() if 'name="consent-purposes"' in line]
    assert len(boxes) == 3
    assert not any("checked" in box for box in boxes)


def test_she_withdraws_surveys_in_the_portal_and_is_invited_no_more(her, portal_client):
    response = portal_client(her).post(reverse("portal:consent_withdraw"), {"purpose": "survey"})
    assert response.url == reverse("portal:data")
    consent = her.consents.get(purpose="survey")
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by is None
    event = Event.objects.for_subject(her).get(verb="consent_withdrawn")
    assert event.actor_kind == Event.ActorKind.BENEFICIARY
    assert event.extra == {"purpose": "survey", "via": "portal"}
    assert (event.old_state, event.new_state) == ("given", "withdrawn")

    delivered = request_in_state(SupportRequest.State.DELIVERED, beneficiary=her)
    assert invitation_create(support_request=delivered, trigger="delivered") is None
    assert not Invitation.objects.exists()
    assert not Message.objects.filter(template="survey_invitation").exists()


def test_she_is_still_invited_while_her_consent_stands(her):
    delivered = request_in_state(SupportRequest.State.DELIVERED, beneficiary=her)
    assert invitation_create(support_request=delivered, trigger="delivered") is not None
    assert Message.objects.filter(template="survey_invitation").count() == 1


def test_staff_record_her_withdrawal_in_her_words(her, client_as, intake_user):
    client = client_as(intake_user)
    url = reverse("beneficiaries:consent_withdraw", args=[her.pk])
    client.post(url, {"consent-purpose": "contact", "consent-note": ""})
    assert her.consents.get(purpose="contact").withdrawn_at is None  # her words are required

    client.post(url, {"consent-purpose": "contact", "consent-note": "قالت بالهاتف: لا رسائل"})
    consent = her.consents.get(purpose="contact")
    assert consent.withdrawn_by == intake_user
    assert consent.withdrawal_note == "قالت بالهاتف: لا رسائل"
    event = Event.objects.for_subject(her).get(verb="consent_withdrawn")
    assert (event.actor, event.note) == (intake_user, "قالت بالهاتف: لا رسائل")
    page = client.get(reverse("beneficiaries:detail", args=[her.pk])).content.decode()
    assert "قالت بالهاتف: لا رسائل" in page


def test_the_service_itself_and_a_withdrawn_purpose_cannot_be_withdrawn_here(her, intake_user):
    with pytest.raises(InvalidTransition, match=re.escape(str(CONSENT_SERVICE_STAYS))):
        consent_withdraw(actor=None, beneficiary=her, purpose="service")
    with pytest.raises(InvalidTransition, match=re.escape(str(CONSENT_WORDS_REQUIRED))):
        consent_withdraw(actor=intake_user, beneficiary=her, purpose="survey")
    consent_withdraw(actor=None, beneficiary=her, purpose="survey")
    with pytest.raises(InvalidTransition):
        consent_withdraw(actor=None, beneficiary=her, purpose="survey")
    assert Event.objects.filter(verb="consent_withdrawn").count() == 1


def test_a_member_cannot_record_a_withdrawal(her, client_as, member_user):
    url = reverse("beneficiaries:consent_withdraw", args=[her.pk])
    response = client_as(member_user).post(url, {"consent-purpose": "survey", "consent-note": "x"})
    assert response.status_code == 403
    assert her.consents.get(purpose="survey").withdrawn_at is None
