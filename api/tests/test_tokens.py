"""API tokens: issued by a manager, shown once, stored hashed, expiring, revocable; a manager's
own token only with her second factor (issue 22)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import (
    CODE_WRONG,
    MANAGER_TOKEN_OWN,
    NOT_MANAGER,
    TokenRefused,
    api_token_issue,
    api_token_revoke,
    token_digest,
)
from audit.models import Event
from conftest import current_totp, verify_second_factor

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_a_manager_issues_a_token_that_acts_as_the_staff_member(manager_user, intake_user):
    token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    assert raw.startswith("whj_")
    assert len(raw) > 40
    assert token.token_hash == token_digest(raw)
    assert raw not in token.token_hash
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert token.prefix == raw[:12]
    response = _bearer(raw).get(reverse("api:beneficiaries"))
    assert response.status_code == 200
    event = Event.objects.get(verb="api_token_issued")
    assert event.actor == manager_user
    assert event.subject == intake_user
    assert raw not in str(event.extra)
    assert raw not in event.note


def test_only_a_manager_issues_tokens(researcher_user, intake_user):
    with pytest.raises(TokenRefused) as refused:
        api_token_issue(actor=researcher_user, user=intake_user, name="tablet")
    assert refused.value.message == NOT_MANAGER


def test_a_token_of_her_roles_only(manager_user, member_user, world):
    _token, raw = api_token_issue(actor=manager_user, user=member_user, name="tablet")
    assert _bearer(raw).get(reverse("api:beneficiaries")).status_code == 403


def test_a_manager_token_needs_her_own_fresh_code(manager_user, make_staff, client):
    other_manager = make_staff("manager", is_staff=True)
    with pytest.raises(TokenRefused) as refused:
        api_token_issue(actor=other_manager, user=manager_user, name="laptop")
    assert refused.value.message == MANAGER_TOKEN_OWN
    verify_second_factor(client, manager_user)
    with pytest.raises(TokenRefused) as refused:
        api_token_issue(actor=manager_user, user=manager_user, name="laptop", code="000000")
    assert refused.value.message == CODE_WRONG
    _token, raw = api_token_issue(
        actor=manager_user, user=manager_user, name="laptop", code=current_totp(manager_user)
    )
    assert _bearer(raw).get(reverse("api:survey_results")).status_code == 200


def test_a_revoked_token_is_refused_at_once(manager_user, intake_user):
    token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    api = _bearer(raw)
    assert api.get(reverse("api:beneficiaries")).status_code == 200
    api_token_revoke(actor=manager_user, token=token)
    response = api.get(reverse("api:beneficiaries"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Event.objects.filter(verb="api_token_revoked", object_id=intake_user.pk).count() == 1


def test_an_expired_token_is_refused(manager_user, intake_user, settings):
    settings.API_TOKEN_VALID_DAYS = 30
    _token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert _bearer(raw).get(reverse("api:beneficiaries")).status_code == 401


def test_a_deactivated_colleague_s_token_stops_working(manager_user, intake_user):
    _token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    intake_user.is_active = False
    intake_user.save(update_fields=["is_active"])
    assert _bearer(raw).get(reverse("api:beneficiaries")).status_code == 401


def test_a_guessed_token_is_refused():
    assert _bearer("whj_" + "A" * 43).get(reverse("api:beneficiaries")).status_code == 401


def test_the_managers_page_shows_a_new_token_once(client_as, manager_user, intake_user):
    client = client_as(manager_user)
    response = client.post(reverse("api_tokens:list"), {"user": intake_user.pk, "name": "tablet"})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw in response.content.decode()
    assert _bearer(raw).get(reverse("api:beneficiaries")).status_code == 200
    again = client.get(reverse("api_tokens:list")).content.decode()
    assert raw not in again
    assert raw[:12] in again


def test_the_managers_page_revokes(client_as, manager_user, intake_user):
    token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    client = client_as(manager_user)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    assert _bearer(raw).get(reverse("api:beneficiaries")).status_code == 401


def test_staff_other_than_managers_cannot_open_the_tokens_page(client_as, researcher_user):
    assert client_as(researcher_user).get(reverse("api_tokens:list")).status_code == 403


def test_the_browser_session_works_and_needs_csrf(intake_user, world):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(intake_user)
    assert api.get(reverse("api:beneficiaries")).status_code == 200
    url = reverse("api:contacts", args=[world["her"].pk])
    data = {"channel": "phone", "direction": "in", "summary": "سألت عن موعد"}
    assert api.post(url, data, format="json").status_code == 403  # no CSRF token
    api.get(reverse("api:beneficiaries"))
    token = api.cookies["csrftoken"].value if "csrftoken" in api.cookies else None
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        api.cookies["csrftoken"] = token
    response = api.post(url, data, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_throttled_per_token(manager_user, intake_user, settings):
    settings.API_RATE_PER_TOKEN = "3/min"
    _token, raw = api_token_issue(actor=manager_user, user=intake_user, name="tablet")
    api = _bearer(raw)
    answers = [api.get(reverse("api:beneficiaries")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    # Another token of the same address has its own budget.
    _token, other = api_token_issue(actor=manager_user, user=intake_user, name="phone")
    assert _bearer(other).get(reverse("api:beneficiaries")).status_code == 200


def test_throttled_per_address(settings):
    settings.API_RATE_PER_ADDRESS = "2/min"
    api = APIClient()
    answers = [api.get(reverse("api:beneficiaries")).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
