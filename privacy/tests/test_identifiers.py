"""Personal identifiers: masked in lists without the permission, never in addresses, never in
error reports."""

import contextlib

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from beneficiaries import views as beneficiary_views
from beneficiaries.tests.factories import BeneficiaryFactory
from beneficiaries.tests.helpers import registration_data
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from wahaj.lib.masking import mask_identifier

pytestmark = pytest.mark.django_db

LIST = reverse("beneficiaries:list")
REQUESTS = reverse("requests_app:list")
State = SupportRequest.State


def test_the_list_masks_national_ids_and_mobiles_for_intake(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    body = client_as(intake_user).get(LIST).content.decode()
    assert beneficiary.national_id not in body
    assert mask_identifier(beneficiary.national_id) in body
    assert beneficiary.mobile.as_national not in body
    assert beneficiary.full_name in body


def test_the_list_shows_them_whole_to_who_may_see_identifiers(client_as, manager_user):
    beneficiary = BeneficiaryFactory()
    body = client_as(manager_user).get(LIST).content.decode()
    assert beneficiary.national_id in body


def _found(page) -> list[int]:
    """The beneficiaries a list page shows: her file, or the file of each request."""
    return [getattr(row, "beneficiary_id", row.pk) for row in page.context["page"]]


@pytest.mark.parametrize(
    ("url", "export"),
    [
        (LIST, reverse("reports:export", args=["beneficiaries", "csv"])),
        (REQUESTS, reverse("reports:export", args=["requests", "csv"])),
    ],
)
def test_a_search_by_national_id_finds_her_without_the_id_ever_in_an_address(
    client_as, manager_user, url, export
):
    noura = BeneficiaryFactory(city="الرياض")
    other = BeneficiaryFactory(city="الرياض")
    for beneficiary in (noura, other):
        request_in_state(State.SUBMITTED, beneficiary=beneficiary)
    client = client_as(manager_user)

    posted = client.post(url, {"q": noura.national_id, "city": "الرياض", "state": "submitted"})

    assert posted.status_code == 302
    assert noura.national_id not in posted.url
    page = client.get(posted.url)
    assert _found(page) == [noura.pk]
    body = page.content.decode()
    assert f"={noura.national_id}" not in body  # no link (paging, export) carries it
    assert 'method="post"' in body.split('role="search"')[0].rsplit("<form", 1)[1]
    # The export link of the searched page exports what the page shows.
    query = posted.url.split("?", 1)[1]
    exported = b"".join(client.get(f"{export}?{query}").streaming_content).decode()
    assert noura.file_number in exported
    assert other.file_number not in exported


@pytest.mark.parametrize("url", [LIST, REQUESTS])
def test_an_identifier_typed_into_an_address_searches_nothing(client_as, manager_user, url):
    """A bookmarked or crafted `?q=<national ID>` is ignored: such links must not work."""
    noura = BeneficiaryFactory()
    request_in_state(State.SUBMITTED, beneficiary=noura)
    request_in_state(State.SUBMITTED)
    page = client_as(manager_user).get(url, {"q": noura.national_id})
    assert len(_found(page)) == 2


def test_the_registration_form_hides_her_identifiers_from_error_reports(intake_user):
    request = RequestFactory().post(reverse("beneficiaries:create"), registration_data())
    request.user = intake_user
    request.session = {}
    request._messages = None
    # Only the decorator's mark on the request matters here, not the page.
    with contextlib.suppress(Exception):
        beneficiary_views.beneficiary_create(request)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    for field in ("national_id", "mobile", "iban", "full_name"):
        assert shown[field] == "********************", field
    assert shown["city"] == "الرياض"


def test_error_reports_hide_identifier_fields_on_any_view(rf):
    """A view that forgot the decorator: the project's report filter still hides them."""
    from wahaj.lib.error_reports import PersonalDataExceptionReporterFilter

    request = rf.post(
        "/anything/",
        {"national_id": "1000000008", "code": "123456", "password": "x", "note": "ok"},
    )
    shown = PersonalDataExceptionReporterFilter().get_post_parameters(request)
    assert shown["national_id"] == shown["code"] == shown["password"] == "********************"
    assert shown["note"] == "ok"


def test_the_project_uses_that_filter(settings):
    assert (
        settings.DEFAULT_EXCEPTION_REPORTER_FILTER
        == "wahaj.lib.error_reports.PersonalDataExceptionReporterFilter"
    )


def test_registering_her_writes_no_identifier_to_the_logs(client_as, intake_user, caplog, capsys):
    data = registration_data()
    client_as(intake_user).post(reverse("beneficiaries:create"), data)
    logged = caplog.text + capsys.readouterr().err
    assert data["national_id"] not in logged
    assert "0501234567" not in logged


@pytest.mark.parametrize(
    ("url_name", "fields"),
    [
        ("beneficiaries:create", ["national_id", "mobile", "iban"]),
        ("beneficiaries:list", ["q"]),
        ("portal:status", ["national_id", "reference"]),
        ("portal:login", ["national_id"]),
        ("portal:login_code", ["code"]),
        ("login", ["password"]),
        ("two_factor", ["token"]),
    ],
)
def test_views_that_take_ids_codes_or_passwords_mark_them_sensitive(
    rf, intake_user, url_name, fields
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    url = reverse(url_name)
    request = rf.post(url, dict.fromkeys(fields, "1000000008"))
    request.user = intake_user
    request.session = SessionStore()
    request._messages = None
    with contextlib.suppress(Exception):  # only the decorator's mark on the request matters
        resolve(url).func(request)
    marked = request.sensitive_post_parameters
    assert marked == "__ALL__" or set(fields) <= set(marked)
