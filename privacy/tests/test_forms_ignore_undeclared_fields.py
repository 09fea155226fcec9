"""A form sets only the fields it declares: state, owner and staff flags cannot be posted in."""

import pytest
from django.urls import reverse

from beneficiaries.tests.factories import BeneficiaryFactory
from beneficiaries.tests.helpers import registration_data
from requests_app.models import SupportRequest

pytestmark = pytest.mark.django_db

SMUGGLED = {
    "state": "approved",
    "registration_status": "active",
    "created_by": "",
    "owner": "",
    "is_staff": "on",
    "is_superuser": "on",
    "file_number": "B-999999",
    "reference": "WHJ-2026-999999",
    "approved_amount": "99999",
    "legal_hold": "on",
    "anonymised_at": "2020-01-01T00:00",
}


def test_registering_her_ignores_posted_status_owner_number_and_hold(
    client_as, intake_user, make_staff
):
    other = make_staff("manager")
    client_as(intake_user).post(
        reverse("beneficiaries:create"),
        registration_data(**{**SMUGGLED, "created_by": str(other.pk)}),
    )
    from beneficiaries.models import Beneficiary

    beneficiary = Beneficiary.objects.get()
    assert beneficiary.registration_status == "incomplete"
    assert beneficiary.created_by == intake_user
    assert beneficiary.file_number != "B-999999"
    assert beneficiary.legal_hold is False
    assert beneficiary.anonymised_at is None
    intake_user.refresh_from_db()
    assert not intake_user.is_staff
    assert not intake_user.is_superuser


def test_editing_her_file_ignores_posted_status_and_owner(client_as, intake_user, make_staff):
    beneficiary = BeneficiaryFactory()
    other = make_staff("manager")
    data = registration_data(
        national_id=beneficiary.national_id,
        mobile=beneficiary.mobile.as_national,
        version=str(beneficiary.version),
        city="جدة",
        **{
            **SMUGGLED,
            "created_by": str(other.pk),
            "household-TOTAL_FORMS": "0",
        },
    )
    client_as(intake_user).post(reverse("beneficiaries:edit", args=[beneficiary.pk]), data)
    beneficiary.refresh_from_db()
    assert beneficiary.city == "جدة"  # the declared field was saved
    assert beneficiary.registration_status == "incomplete"
    assert beneficiary.created_by is None
    assert beneficiary.legal_hold is False


def test_a_new_request_ignores_a_posted_state_reference_and_amount(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("requests_app:new") + f"?beneficiary={beneficiary.pk}"
    client_as(intake_user).post(
        url,
        {
            "request_type": "rent",
            "amount_requested": "1500",
            "description": "",
            "channel": "phone",
            **SMUGGLED,
        },
    )
    support_request = SupportRequest.objects.get()
    assert support_request.state == "draft"
    assert support_request.reference is None
    assert support_request.approved_amount is None
    assert support_request.created_by == intake_user


def test_her_portal_request_ignores_a_posted_state(portal_client):
    beneficiary = BeneficiaryFactory()
    portal_client(beneficiary).post(
        reverse("portal:request_new"),
        {"request_type": "rent", "amount_requested": "1500", "description": "x", **SMUGGLED},
    )
    for support_request in SupportRequest.objects.all():
        assert support_request.state == "draft"
        assert support_request.created_by is None
