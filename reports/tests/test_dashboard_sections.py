import pytest

from beneficiaries.services import referral_create
from beneficiaries.tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db


def test_the_researcher_sees_her_open_referrals_on_her_dashboard(
    client_as, intake_user, researcher_user
):
    beneficiary = BeneficiaryFactory(full_name="هند سالم عبدالله الحربي")
    referral_create(
        actor=intake_user,
        beneficiary=beneficiary,
        reason="لم تتضح لها الإجراءات",
        assigned_to=researcher_user,
    )
    content = client_as(researcher_user).get("/").content.decode()
    assert "هند سالم عبدالله الحربي" in content
    assert 'data-queue-line="referrals"' in content


def test_intake_does_not_see_the_researchers_referral_list(client_as, intake_user):
    content = client_as(intake_user).get("/").content.decode()
    assert 'data-queue-line="referrals"' not in content
