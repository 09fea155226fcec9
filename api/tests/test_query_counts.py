"""Every API list endpoint answers in a pinned, constant number of queries, with few rows
and with many (issue 22): a query per row would fail here. Cursor pages of 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from beneficiaries.models import Contact, Referral
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    DocumentFactory,
    HouseholdMemberFactory,
)
from committee import services as committee_services
from committee.tests.factories import committee_with
from feedback.tests.factories import ticket
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db

State = SupportRequest.State
# The token and its holder (1), her groups (1), then the rows: the caller's own cost is 2.
PINNED = {
    "api:beneficiaries": 3,
    "api:requests": 3,
    "api:meetings": 3,
    "api:referrals": 3,
    "api:tickets": 3,
    "api:documents": 4,  # her file (object check), her documents
    "api:contacts": 4,
    "api:beneficiary_referrals": 4,
    "api:household": 5,  # her file, its access record, the members
}


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _counts(api, url: str, add_rows, sizes=(3, 30)) -> list[int]:
    api.get(url)  # the token's last use is written at most once a minute: not in the count
    counts, added = [], 0
    for size in sizes:
        add_rows(size - added)
        added = size
        counts.append(_queries(api, url))
    return counts


def test_list_endpoints_cost_a_constant_pinned_number_of_queries(
    api_as, manager_user, researcher_user, intake_user, make_staff
):
    api = api_as(manager_user)
    her = BeneficiaryFactory()
    committee = committee_with(chair=make_staff("chair"), members=[make_staff("committee")])
    next_date = iter(range(1, 1000))

    def meetings(n):
        import datetime

        for _ in range(n):
            committee_services.meeting_schedule(
                actor=committee.chair,
                committee=committee,
                date=datetime.date(2027, 1, 1) + datetime.timedelta(days=next(next_date)),
            )

    researcher_api = api_as(researcher_user)
    cases = {
        "api:beneficiaries": (api, reverse("api:beneficiaries"), BeneficiaryFactory.create_batch),
        "api:requests": (
            api,
            reverse("api:requests") + "?state=in_committee",
            lambda n: [
                request_in_state(State.IN_COMMITTEE, researcher=researcher_user) for _ in range(n)
            ],
        ),
        "api:meetings": (api, reverse("api:meetings"), meetings),
        "api:referrals": (
            researcher_api,
            reverse("api:referrals"),
            lambda n: [
                Referral.objects.create(
                    beneficiary=her, reason="غير واضح", assigned_to=researcher_user
                )
                for _ in range(n)
            ],
        ),
        "api:tickets": (
            api,
            reverse("api:tickets"),
            lambda n: [ticket(actor=intake_user, beneficiary=her) for _ in range(n)],
        ),
        "api:documents": (
            api,
            reverse("api:documents", args=[her.pk]),
            lambda n: DocumentFactory.create_batch(n, beneficiary=her),
        ),
        "api:contacts": (
            api,
            reverse("api:contacts", args=[her.pk]),
            lambda n: [
                Contact.objects.create(
                    beneficiary=her, channel="phone", summary="اتصلت", staff=intake_user
                )
                for _ in range(n)
            ],
        ),
        "api:beneficiary_referrals": (
            api,
            reverse("api:beneficiary_referrals", args=[her.pk]),
            lambda n: [
                Referral.objects.create(beneficiary=her, reason="غير واضح") for _ in range(n)
            ],
        ),
        "api:household": (
            api,
            reverse("api:household", args=[her.pk]),
            lambda n: HouseholdMemberFactory.create_batch(n, beneficiary=her),
        ),
    }
    got = {name: _counts(client, url, add) for name, (client, url, add) in cases.items()}
    assert got == {name: [count, count] for name, count in PINNED.items()}


def test_the_request_list_pages_by_cursor_fifty_at_a_time(api_as, manager_user):
    for _ in range(55):
        request_in_state(State.SUBMITTED)
    request_in_state(State.DRAFT)
    api = api_as(manager_user)
    first = api.get(reverse("api:requests"), {"state": "submitted"}).json()
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert "cursor=" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == 55
    assert ids == sorted(ids, reverse=True)
    assert {row["state"] for row in first["results"] + second["results"]} == {"submitted"}
