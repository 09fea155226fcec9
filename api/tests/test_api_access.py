"""Every /api/v1/ endpoint × every role, with the answer each must get (issue 22).

The API's own matrix, in the style of tests/test_access_table.py (whose walk leaves the `api`
namespace to this file): a URL name of the namespace missing here fails, and so does any
answer that differs. Each caller uses her own token (the beneficiary, her portal session,
which is nobody to the API). Requests that would change something run in a savepoint that is
rolled back, so every request sees the same world.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from committee import services as committee_services
from committee.tests.factories import committee_with
from feedback.tests.factories import ticket
from portal.session import BENEFICIARY_KEY, LAST_SEEN_KEY
from requests_app.tests.factories import SupportRequestFactory
from tests.test_access_table import url_names

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "beneficiary", "intake", "researcher", "member", "chair", "manager")
FILE = ("intake", "researcher", "manager")
READ = (*FILE, "member", "chair")
COMMITTEE = ("member", "chair", "manager")
VOTERS = COMMITTEE  # Role.COMMITTEE: the chair and managers hold it too
RESEARCH = ("researcher", "manager")
MANAGER = ("manager",)


@dataclass
class Call:
    method: str
    expected: dict[str, int]
    args: tuple[str, ...] = ()
    data: dict = field(default_factory=dict)


def staff(method="GET", *, args=(), allowed=(), ok=200, data=None, **more) -> Call:
    """Anonymous callers (and her portal session) get 401; `allowed` roles `ok`; other staff
    403; `more` overrides single roles."""
    expected = {"anonymous": 401, "beneficiary": 401}
    for role in ROLES[2:]:
        expected[role] = ok if role in allowed else 403
    expected.update(more)
    args = args if isinstance(args, tuple) else (args,)
    return Call(method, expected, args, data or {})


def everyone(method="GET", answer=200, *, args=(), data=None) -> Call:
    args = args if isinstance(args, tuple) else (args,)
    return Call(method, dict.fromkeys(ROLES, answer), args, data or {})


# Every name of the `api` namespace: one or more calls each.
MATRIX: dict[str, list[Call]] = {
    "api:schema": [everyone()],
    "api:docs": [everyone()],
    "api:beneficiaries": [staff(allowed=FILE)],
    "api:beneficiary_search": [staff("POST", allowed=FILE, data={"q": "فاطمة"})],
    "api:beneficiary": [staff(args="her", allowed=READ)],
    "api:household": [staff(args="her", allowed=READ)],
    "api:documents": [
        staff(args="her", allowed=READ),
        staff("POST", args="her", allowed=FILE, ok=400),  # no file: the form refuses
    ],
    "api:document_file": [staff(args=("her", "document"), allowed=READ)],
    "api:contacts": [
        staff(args="her", allowed=READ),
        staff("POST", args="her", allowed=FILE, ok=400),
        staff(
            "POST",
            args="her",
            allowed=FILE,
            ok=201,
            data={"channel": "phone", "direction": "in", "summary": "سألت عن موعد"},
        ),
    ],
    "api:beneficiary_referrals": [
        staff(args="her", allowed=READ),
        staff("POST", args="her", allowed=FILE, ok=400),
    ],
    "api:referrals": [staff(allowed=RESEARCH)],
    "api:referral_close": [staff("POST", args="referral", allowed=RESEARCH, ok=400)],
    "api:requests": [staff(allowed=FILE)],
    "api:request": [staff(args="request", allowed=READ)],
    # The request is before the committee: most moves are refused by the service (409).
    "api:request_submit": [staff("POST", args="request", allowed=FILE, ok=409)],
    "api:request_return": [staff("POST", args="request", allowed=FILE, ok=400)],
    "api:request_resubmit": [staff("POST", args="request", allowed=FILE, ok=409)],
    "api:request_start_research": [staff("POST", args="request", allowed=FILE, ok=409)],
    "api:request_deliver": [staff("POST", args="request", allowed=FILE, ok=400)],
    "api:request_close": [staff("POST", args="request", allowed=FILE, ok=409)],
    "api:request_withdraw": [staff("POST", args="request", allowed=FILE, ok=200)],
    "api:request_send_to_committee": [staff("POST", args="request", allowed=RESEARCH, ok=409)],
    "api:report": [staff(args="request", allowed=RESEARCH)],
    "api:meetings": [staff(allowed=COMMITTEE)],
    "api:agenda": [staff(args="meeting", allowed=COMMITTEE)],
    "api:vote": [staff("POST", args="item", allowed=VOTERS, ok=400)],
    "api:survey_results": [staff(allowed=MANAGER)],
    "api:tickets": [staff(allowed=FILE)],
    "api:ticket": [staff(args="ticket", allowed=FILE)],
    "api:status": [everyone("POST", 400)],
    # No secret: refused to everybody, token or not.
    "api:gateway_receipts": [everyone("POST", 403, args="gateway")],
}


def api_names() -> list[str]:
    return [name for name in url_names(own_matrix=True) if name.startswith("api:")]


def test_every_api_endpoint_is_in_the_matrix():
    assert sorted(set(api_names()) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(api_names())) == []


@pytest.fixture
def callers(api_as, personas, world):
    portal = APIClient()
    session = portal.session
    session[BENEFICIARY_KEY] = world["her"].pk
    session[LAST_SEEN_KEY] = timezone.now().timestamp()
    session.save()
    return {
        "anonymous": api_as(None),
        "beneficiary": portal,
        "intake": api_as(personas["intake"]),
        "researcher": api_as(personas["researcher"]),
        "member": api_as(personas["committee"]),
        "chair": api_as(personas["chair"]),
        "manager": api_as(personas["manager"]),
    }


def _value(world: dict, key: str):
    if key == "gateway":
        return "unifonic"
    value = world[key]
    return value.pk if hasattr(value, "pk") else value


def _ask(client, method: str, url: str, data: dict):
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data, format="json")
        transaction.set_rollback(True)
    return response


def test_every_endpoint_answers_every_role_as_the_matrix_says(callers, world):
    wrong = []
    for name, calls in MATRIX.items():
        for call in calls:
            url = reverse(name, args=[_value(world, key) for key in call.args])
            for role in ROLES:
                got = _ask(callers[role], call.method, url, call.data).status_code
                if got != call.expected[role]:
                    wrong.append(
                        f"{call.method} {name} as {role}: {got}, matrix says {call.expected[role]}"
                    )
    if wrong:
        pytest.fail("\n".join(wrong), pytrace=False)


def test_objects_outside_her_reach_answer_404(callers, world, make_staff, intake_user):
    other = BeneficiaryFactory()
    other_document = DocumentFactory(beneficiary=other)
    other_request = SupportRequestFactory(beneficiary=other)
    other_committee = committee_with(chair=make_staff("chair"), members=[make_staff("committee")])
    other_meeting = committee_services.meeting_schedule(
        actor=other_committee.chair, committee=other_committee, date=timezone.localdate()
    )
    her = world["her"].pk
    about_her = ticket(kind="complaint", beneficiary=world["her"], about_staff=intake_user)
    cases = [
        ("member", "GET", reverse("api:beneficiary", args=[other.pk])),
        ("member", "GET", reverse("api:household", args=[other.pk])),
        ("member", "GET", reverse("api:documents", args=[other.pk])),
        ("member", "GET", reverse("api:document_file", args=[other.pk, other_document.pk])),
        ("member", "GET", reverse("api:contacts", args=[other.pk])),
        ("member", "GET", reverse("api:request", args=[other_request.pk])),
        ("member", "GET", reverse("api:agenda", args=[other_meeting.pk])),
        ("chair", "GET", reverse("api:agenda", args=[other_meeting.pk])),
        ("member", "POST", reverse("api:contacts", args=[her])),  # reads her file, never writes
        ("intake", "GET", reverse("api:document_file", args=[her, other_document.pk])),
        ("intake", "POST", reverse("api:request_submit", args=[999_999])),
        ("researcher", "GET", reverse("api:report", args=[other_request.pk])),  # no report
        ("intake", "GET", reverse("api:ticket", args=[about_her.pk])),  # about herself
    ]
    wrong = []
    for role, method, url in cases:
        got = _ask(callers[role], method, url, {}).status_code
        expected = 403 if (role, method) == ("member", "POST") else 404
        if got != expected:
            wrong.append(f"{method} {url} as {role}: {got}")
    assert wrong == []
