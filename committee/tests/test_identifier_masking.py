"""Issue 18, item 8: committee members and the chair see the last four digits of her
identifiers; intake and researchers see them whole on her file and her request."""

import pytest
from django.urls import reverse

from committee.tests.factories import open_meeting
from wahaj.lib.masking import mask_identifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_agenda(committee, before_committee):
    support_request = before_committee()
    open_meeting(committee=committee, requests=[support_request])
    return support_request


def _pages(client, support_request) -> list[str]:
    beneficiary = support_request.beneficiary
    urls = [
        reverse("requests_app:detail", args=[support_request.pk]),
        reverse("beneficiaries:detail", args=[beneficiary.pk]),
    ]
    responses = [client.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200, 200]
    return [r.content.decode() for r in responses]


@pytest.mark.parametrize("who", ["member", "chair"])
def test_the_committee_sees_only_the_last_four_digits_of_her_identifiers(
    client_as, on_agenda, members, chair_user, who
):
    beneficiary = on_agenda.beneficiary
    user = members[0] if who == "member" else chair_user
    request_page, file_page = _pages(client_as(user), on_agenda)
    for html in (request_page, file_page):
        assert beneficiary.national_id not in html
        assert mask_identifier(beneficiary.national_id) in html
        assert beneficiary.mobile.as_national not in html
        assert mask_identifier(beneficiary.mobile.as_national) in html
    assert beneficiary.iban not in file_page
    assert mask_identifier(beneficiary.iban) in file_page


@pytest.mark.parametrize("persona", ["intake_user", "researcher_user"])
def test_intake_and_researchers_see_her_identifiers_whole_on_her_file(
    client_as, on_agenda, request, persona
):
    beneficiary = on_agenda.beneficiary
    request_page, file_page = _pages(client_as(request.getfixturevalue(persona)), on_agenda)
    assert beneficiary.national_id in request_page
    assert beneficiary.national_id in file_page
    assert beneficiary.mobile.as_national in file_page
    assert beneficiary.iban in file_page
