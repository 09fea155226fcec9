"""Issue 18, item 6: IDs, mobiles and IBANs are taken as people type them and stored clean."""

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from wahaj.lib.validators import normalize_iban, normalize_mobile, normalize_national_id

from .helpers import registration_data

pytestmark = pytest.mark.django_db

NEW = reverse("beneficiaries:create")
LRM, RLM, ALM, LRI, PDI, RLO, PDF = (
    "\u200e",
    "\u200f",
    "\u061c",
    "\u2066",
    "\u2069",
    "\u202e",
    "\u202c",
)


@pytest.mark.parametrize(
    "typed",
    [
        "100-000-0008",
        "1 000 000 008",
        f"{LRM}1000000008{LRM}",
        f"{ALM}١٠٠٠٠٠٠٠٠٨",
        f"{LRI}1-0-0-0-0-0-0-0-0-8{PDI}",
        f"{RLO}100 000 0008{PDF}",
        "١٠٠–٠٠٠–٠٠٠٨",  # en dashes, as a phone's keyboard types them
    ],
)
def test_a_national_id_typed_with_separators_marks_or_arabic_digits_is_normalised(typed):
    assert normalize_national_id(typed) == "1000000008"


def test_a_mobile_and_an_iban_typed_with_separators_are_normalised():
    assert normalize_mobile(f"{RLM}٠٥٠ ١٢٣ ٤٥٦٧{RLM}").as_e164 == "+966501234567"
    assert normalize_iban(f"{LRI}SA03 8000 0000-6080 1016 7519{PDI}") == "SA0380000000608010167519"
    assert normalize_iban("sa03 ٨٠٠٠ ٠٠٠٠ ٦٠٨٠ ١٠١٦ ٧٥١٩") == "SA0380000000608010167519"


def test_intake_registers_her_with_an_id_typed_with_dashes_and_bidi_marks(client_as, intake_user):
    national_id = f"{LRM}١٠٠-٠٠٠-٠٠٠٨{LRM}"  # 16 characters: longer than the 10 stored
    data = registration_data(
        national_id=national_id,
        mobile=f"{RLM}050 - 123 - 4567{RLM}",
        iban=f"{LRI}SA03 8000 0000 6080 1016 7519{PDI}",
        **{"household-1-national_id": f"{ALM}100 000 0016"},
    )
    response = client_as(intake_user).post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.national_id == "1000000008"
    assert beneficiary.mobile.as_e164 == "+966501234567"
    assert beneficiary.iban == "SA0380000000608010167519"
    assert beneficiary.household.exclude(national_id="").get().national_id == "1000000016"


def test_the_id_field_lets_the_browser_take_the_typed_separators(client_as, intake_user):
    html = client_as(intake_user).get(NEW).content.decode()
    assert 'maxlength="10"' not in html
    assert 'maxlength="24"' not in html
