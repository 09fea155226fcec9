"""A household row posted with another woman's member id is refused, never a 500 nor an edit."""

import pytest
from django.urls import reverse

from beneficiaries.forms import FOREIGN_MEMBER
from beneficiaries.models import HouseholdMember
from beneficiaries.tests.factories import BeneficiaryFactory
from beneficiaries.tests.helpers import HOUSEHOLD_MANAGEMENT, registration_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("member_id", ["other", "99999999999999999999"])
def test_a_foreign_household_member_id_in_the_edit_form_is_refused(
    client_as, intake_user, member_id
):
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    foreign = HouseholdMember.objects.create(
        beneficiary=other, name="سارة", relation="daughter", sex="F"
    )
    data = registration_data(
        national_id=her.national_id,
        mobile=str(her.mobile),
        version=str(her.version),
        **{
            **HOUSEHOLD_MANAGEMENT,
            "household-TOTAL_FORMS": "1",
            "household-0-id": str(foreign.pk) if member_id == "other" else member_id,
            "household-0-name": "تغيير اسم ليس لها",
            "household-0-relation": "daughter",
            "household-0-sex": "F",
        },
    )
    response = client_as(intake_user).post(reverse("beneficiaries:edit", args=[her.pk]), data)
    assert response.status_code == 200
    assert str(FOREIGN_MEMBER) in [str(e) for e in response.context["household"].non_form_errors()]
    foreign.refresh_from_db()
    assert foreign.name == "سارة"
    her.refresh_from_db()
    assert her.version == 1
