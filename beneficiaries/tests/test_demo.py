import io

import pytest

from beneficiaries import demo
from beneficiaries.models import Beneficiary, HouseholdMember


@pytest.mark.django_db
def test_demo_data_is_valid_unique_and_seeding_twice_adds_nothing():
    demo.seed(stdout=io.StringIO(), options={"beneficiaries": 40, "seed": 7})
    demo.seed(stdout=io.StringIO(), options={"beneficiaries": 40, "seed": 7})

    assert Beneficiary.objects.count() == 40
    assert HouseholdMember.objects.exists()
    for beneficiary in Beneficiary.objects.all():
        beneficiary.full_clean(exclude=["created_by"])  # IDs, mobiles, IBANs all valid
    assert Beneficiary.objects.values("mobile").distinct().count() == 40


@pytest.mark.django_db
def test_seeding_more_tops_up_with_new_files():
    demo.seed(stdout=io.StringIO(), options={"beneficiaries": 5, "seed": 7})
    demo.seed(stdout=io.StringIO(), options={"beneficiaries": 12, "seed": 7})
    assert sorted(Beneficiary.objects.values_list("file_number", flat=True))[-1] == "B-000012"


def test_demo_mobiles_never_repeat():
    mobiles = {demo.mobile_for(i) for i in range(200_000)}
    assert len(mobiles) == 200_000
