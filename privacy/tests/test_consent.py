"""PDPL: the privacy notice and her consent are recorded when her file is opened."""

import pytest
from django.urls import reverse

from audit.models import Event
from beneficiaries.forms import CONSENT_SERVICE_REQUIRED
from beneficiaries.models import PRIVACY_NOTICE_VERSION, Beneficiary, Consent
from beneficiaries.tests.helpers import registration_data

pytestmark = pytest.mark.django_db

NEW = reverse("beneficiaries:create")


def test_registration_records_her_consent_with_purpose_notice_version_time_and_witness(
    client_as, intake_user
):
    response = client_as(intake_user).post(NEW, registration_data())

    beneficiary = Beneficiary.objects.get()
    assert response.status_code == 302
    consents = list(beneficiary.consents.order_by("purpose"))
    assert [c.purpose for c in consents] == ["contact", "service", "survey"]
    for consent in consents:
        assert consent.notice_version == PRIVACY_NOTICE_VERSION
        assert consent.recorded_by == intake_user
        assert consent.given_at is not None
        assert consent.via == "staff"
    event = Event.objects.get(verb="beneficiary_registered")
    assert event.extra["consent"] == {
        "notice_version": PRIVACY_NOTICE_VERSION,
        "purposes": ["service", "contact", "survey"],
    }


def test_the_registration_form_shows_the_privacy_notice_and_its_version(client_as, intake_user):
    body = client_as(intake_user).get(NEW).content.decode()
    assert "لكِ حق الاطلاع على بياناتك" in body
    assert PRIVACY_NOTICE_VERSION in body


def test_no_file_is_opened_when_the_notice_was_not_shown(client_as, intake_user):
    data = registration_data()
    del data["consent-notice_shown"]
    response = client_as(intake_user).post(NEW, data)
    assert response.status_code == 200
    assert not Beneficiary.objects.exists()
    assert not Consent.objects.exists()


def test_no_file_is_opened_without_consent_to_the_service_itself(client_as, intake_user):
    response = client_as(intake_user).post(
        NEW, registration_data(**{"consent-purposes": ["contact"]})
    )
    assert response.status_code == 200
    assert str(CONSENT_SERVICE_REQUIRED) in str(response.context["consent"].errors)
    assert not Beneficiary.objects.exists()


def test_she_may_decline_surveys_and_only_what_she_agreed_to_is_recorded(client_as, intake_user):
    client_as(intake_user).post(
        NEW, registration_data(**{"consent-purposes": ["service", "contact"]})
    )
    assert sorted(Consent.objects.values_list("purpose", flat=True)) == ["contact", "service"]
