"""For every role, the API allows exactly what the pages allow on the same objects (issue 22).

Each pair is an API endpoint and the page that shows (or changes) the same thing. A page's
answer and the API's are read as one of: allowed, refused (403), hidden (404), or "who are
you?" (the staff login for a page, 401 for the API); they must agree for every role, on her
objects and on objects outside the caller's reach.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from committee import services as committee_services
from committee.tests.factories import committee_with
from conftest import verify_second_factor
from requests_app.tests.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "intake", "researcher", "member", "chair", "manager")


@pytest.fixture
def others(make_staff):
    other = BeneficiaryFactory()
    committee = committee_with(chair=make_staff("chair"), members=[make_staff("committee")])
    return {
        "other": other,
        "other_document": DocumentFactory(beneficiary=other),
        "other_request": SupportRequestFactory(beneficiary=other),
        "other_meeting": committee_services.meeting_schedule(
            actor=committee.chair, committee=committee, date=timezone.localdate()
        ),
    }


def pairs(world: dict, others: dict) -> list[tuple[str, str, str, dict]]:
    """(method, API path, page path, data) on the same objects."""
    her, document = world["her"].pk, world["document"].pk
    request, meeting, item = world["request"].pk, world["meeting"].pk, world["item"].pk
    referral, ticket = world["referral"].pk, world["ticket"].pk
    other, other_document = others["other"].pk, others["other_document"].pk
    other_request, other_meeting = others["other_request"].pk, others["other_meeting"].pk
    api, page = (lambda name, *a: reverse(f"api:{name}", args=a)), reverse
    return [
        ("GET", api("beneficiaries"), page("beneficiaries:list"), {}),
        ("GET", api("beneficiary", her), page("beneficiaries:detail", args=[her]), {}),
        ("GET", api("beneficiary", other), page("beneficiaries:detail", args=[other]), {}),
        (
            "GET",
            api("document_file", her, document),
            page("beneficiaries:document_download", args=[her, document]),
            {},
        ),
        (
            "GET",
            api("document_file", other, other_document),
            page("beneficiaries:document_download", args=[other, other_document]),
            {},
        ),
        (
            "GET",
            api("document_file", her, other_document),
            page("beneficiaries:document_download", args=[her, other_document]),
            {},
        ),
        ("GET", api("referrals"), page("beneficiaries:referrals"), {}),
        ("GET", api("requests"), page("requests_app:list"), {}),
        ("GET", api("request", request), page("requests_app:detail", args=[request]), {}),
        (
            "GET",
            api("request", other_request),
            page("requests_app:detail", args=[other_request]),
            {},
        ),
        ("GET", api("report", request), page("committee:report", args=[request]), {}),
        ("GET", api("meetings"), page("committee:queue"), {}),
        ("GET", api("agenda", meeting), page("committee:meeting", args=[meeting]), {}),
        (
            "GET",
            api("agenda", other_meeting),
            page("committee:meeting", args=[other_meeting]),
            {},
        ),
        ("GET", api("survey_results"), page("surveys:results"), {}),
        ("GET", api("tickets"), page("feedback:list"), {}),
        ("GET", api("ticket", ticket), page("feedback:detail", args=[ticket]), {}),
        # Writes: the same answer class (the page redirects with a message, the API says 2xx/4xx
        # of the form: both mean "let in"); who is refused must match.
        ("POST", api("contacts", her), page("beneficiaries:contact_create", args=[her]), {}),
        (
            "POST",
            api("beneficiary_referrals", her),
            page("beneficiaries:referral_create", args=[her]),
            {},
        ),
        (
            "POST",
            api("referral_close", referral),
            page("beneficiaries:referral_close", args=[referral]),
            {},
        ),
        (
            "POST",
            api("request_withdraw", request),
            page("requests_app:act", args=[request, "withdraw"]),
            {},
        ),
        (
            "POST",
            api("request_send_to_committee", request),
            page("committee:send_to_committee", args=[request]),
            {},
        ),
        ("POST", api("vote", item), page("committee:vote", args=[item]), {}),
    ]


def _rolled_back(call):
    """One request whose changes are undone: every request sees the same world."""
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def _api_answer(status: int) -> str:
    return {401: "who", 403: "refused", 404: "hidden"}.get(status, "allowed")


def _page_answer(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "who"
    return {403: "refused", 404: "hidden"}.get(response.status_code, "allowed")


def test_api_and_pages_allow_the_same_to_every_role(api_as, client_as, personas, world, others):
    users = {
        "intake": personas["intake"],
        "researcher": personas["researcher"],
        "member": personas["committee"],
        "chair": personas["chair"],
        "manager": personas["manager"],
    }
    apis = {"anonymous": api_as(None)} | {role: api_as(user) for role, user in users.items()}
    pages = {"anonymous": Client()}
    for role, user in users.items():
        pages[role] = Client()
        pages[role].force_login(user)
        if role == "manager":
            verify_second_factor(pages[role], user)
    differ, compared = [], 0
    for method, api_path, page_path, data in pairs(world, others):
        for role in ROLES:
            if method == "GET":
                got_api = _rolled_back(lambda c=apis[role], u=api_path: c.get(u))
                got_page = _rolled_back(lambda c=pages[role], u=page_path: c.get(u))
            else:
                got_api = _rolled_back(
                    lambda c=apis[role], u=api_path, d=data: c.post(u, d, format="json")
                )
                got_page = _rolled_back(lambda c=pages[role], u=page_path, d=data: c.post(u, d))
            api_says, page_says = _api_answer(got_api.status_code), _page_answer(got_page)
            compared += 1
            if api_says != page_says:
                differ.append(
                    f"{method} {api_path} vs {page_path} as {role}: "
                    f"API {got_api.status_code} ({api_says}), "
                    f"page {got_page.status_code} ({page_says})"
                )
    assert compared == len(ROLES) * len(pairs(world, others))
    assert differ == []
