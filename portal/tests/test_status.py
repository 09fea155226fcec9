"""/status/: reference + national ID → her request's state in plain words; nothing for others."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.tests.factories import BeneficiaryFactory
from portal.views import STATUS_NOT_FOUND
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db

STATUS = reverse("portal:status")
State = SupportRequest.State


def _csrf_free(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_she_sees_her_requests_state_timeline_and_due_date(client, django_assert_num_queries):
    support_request = request_in_state(State.IN_RESEARCH)
    with django_assert_num_queries(1):  # public and measured: one indexed query
        response = client.post(
            STATUS,
            {
                "reference": support_request.reference.lower(),
                "national_id": support_request.beneficiary.national_id,
            },
        )
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "portal/status_result.html"
    assert response.context["plain_state"] == "Being studied by the social researcher" or (
        response.context["plain_state"] == "قيد الدراسة لدى الباحثة الاجتماعية"
    )
    steps = response.context["steps"]
    assert [step.status for step in steps] == ["done", "current", "todo", "todo", "todo"]
    assert steps[0].at == support_request.submitted_at
    content = response.content.decode()
    assert support_request.reference in content
    assert 'class="dual-date"' in content  # the due date in both calendars
    assert support_request.beneficiary.full_name not in content  # nothing she did not type


def test_a_returned_request_says_what_is_missing(client):
    support_request = request_in_state(
        State.RETURNED, return_reason="صورة صك الإعالة", paused_at=timezone.now()
    )
    response = client.post(
        STATUS,
        {
            "reference": support_request.reference,
            "national_id": support_request.beneficiary.national_id,
        },
    )
    assert "صورة صك الإعالة" in response.content.decode()


def test_wrong_id_unknown_reference_and_mismatch_get_the_same_answer(
    client, django_assert_num_queries
):
    support_request = request_in_state(State.SUBMITTED)
    other = request_in_state(State.SUBMITTED)
    cases = {
        "wrong id": {"reference": support_request.reference, "national_id": "1000000008"},
        "malformed id": {"reference": support_request.reference, "national_id": "12"},
        "unknown reference": {
            "reference": "WHJ-2099-999999",
            "national_id": support_request.beneficiary.national_id,
        },
        "mismatch": {
            "reference": support_request.reference,
            "national_id": other.beneficiary.national_id,
        },
    }
    answers = {}
    for name, data in cases.items():
        # The same work whatever the case: one lookup query, nothing else.
        with django_assert_num_queries(1):
            response = client.post(STATUS, data)
        answers[name] = (
            response.status_code,
            next(t.name for t in response.templates),
            _csrf_free(response.content),
        )
    assert len(set(answers.values())) == 1
    status_code, template, content = answers["mismatch"]
    assert (status_code, template) == (200, "portal/status.html")
    assert str(STATUS_NOT_FOUND) in content


def test_a_draft_has_no_status(client):
    draft = request_in_state(State.DRAFT)
    response = client.post(STATUS, {"reference": "", "national_id": draft.beneficiary.national_id})
    assert next(t.name for t in response.templates) == "portal/status.html"


def test_the_id_is_never_read_from_the_url(client):
    support_request = request_in_state(State.SUBMITTED)
    response = client.get(
        STATUS,
        {
            "reference": support_request.reference,
            "national_id": support_request.beneficiary.national_id,
        },
    )
    assert next(t.name for t in response.templates) == "portal/status.html"
    assert support_request.reference not in response.content.decode()
    assert 'method="post"' in response.content.decode()


def test_too_many_lookups_of_one_reference_get_the_try_later_page(client, settings):
    settings.PORTAL_STATUS_RATE_PER_REFERENCE = "3/h"
    support_request = request_in_state(State.SUBMITTED)
    for n in range(3):
        response = client.post(
            STATUS,
            {"reference": support_request.reference, "national_id": f"100000000{n}"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
        assert response.status_code == 200
    # Even from a new address and with the right ID: the reference is resting.
    response = client.post(
        STATUS,
        {
            "reference": support_request.reference,
            "national_id": support_request.beneficiary.national_id,
        },
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429
    assert next(t.name for t in response.templates) == "portal/try_later.html"


def test_too_many_lookups_from_one_address_get_the_try_later_page(client, settings):
    settings.PORTAL_STATUS_RATE_PER_IP = "3/10m"
    for n in range(3):
        client.post(STATUS, {"reference": f"WHJ-2026-00000{n}", "national_id": "1000000008"})
    response = client.post(STATUS, {"reference": "WHJ-2026-000009", "national_id": "1000000008"})
    assert response.status_code == 429
    # Another address is not held back.
    response = client.post(
        STATUS,
        {"reference": "WHJ-2026-000009", "national_id": "1000000008"},
        REMOTE_ADDR="10.1.1.1",
    )
    assert response.status_code == 200


def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(client, settings):
    settings.PORTAL_STATUS_RATE_PER_IP = "2/10m"
    for n in range(3):
        response = client.post(
            STATUS,
            {"reference": f"WHJ-2026-10000{n}", "national_id": "1000000008"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    assert response.status_code == 429


def test_the_national_id_is_never_logged(client, caplog):
    caplog.set_level("DEBUG")
    support_request = request_in_state(State.SUBMITTED)
    national_id = support_request.beneficiary.national_id
    client.post(STATUS, {"reference": support_request.reference, "national_id": national_id})
    client.post(STATUS, {"reference": "WHJ-2099-000001", "national_id": national_id})
    client.get(STATUS + "?national_id=" + national_id)  # even if someone puts it in a link
    assert national_id not in caplog.text


def test_the_status_page_works_for_a_beneficiary_with_several_requests(client):
    beneficiary = BeneficiaryFactory()
    first = request_in_state(State.DELIVERED, beneficiary=beneficiary)
    request_in_state(State.SUBMITTED, beneficiary=beneficiary)
    response = client.post(
        STATUS, {"reference": first.reference, "national_id": beneficiary.national_id}
    )
    assert [step.status for step in response.context["steps"]] == ["done"] * 5


def test_a_form_error_does_not_write_the_id_back_into_the_page(client):
    response = client.post(STATUS, {"reference": "", "national_id": "1100000007"})
    assert response.status_code == 200
    assert "1100000007" not in response.content.decode()
