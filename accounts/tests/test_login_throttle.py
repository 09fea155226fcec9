"""A login storm from one address: limited per address across usernames, before any hash."""

import argon2
import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIMIT = 20  # settings.LOGIN_FAILURES_PER_ADDRESS = "20/10m"


@pytest.fixture
def hashes(monkeypatch):
    """Counts the argon2 hashes computed (new ones and checks), still computing each for real."""
    counted = {"n": 0}
    for name in ("hash_secret", "verify_secret"):
        real = getattr(argon2.low_level, name)

        def counting(*args, _real=real, **kwargs):
            counted["n"] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(argon2.low_level, name, counting)
    return counted


def test_300_failed_logins_with_distinct_usernames_hash_only_the_first_20(client, hashes):
    answers = [
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong-password"})
        for n in range(300)
    ]
    assert [a.status_code for a in answers[:LIMIT]] == [200] * LIMIT
    assert {a.status_code for a in answers[LIMIT:]} == {429}
    assert "محاولات دخول فاشلة كثيرة من هذه الشبكة" in answers[LIMIT].content.decode()
    assert hashes["n"] == LIMIT


def test_a_throttled_address_cannot_log_in_even_with_the_right_password(
    client, intake_user, password, hashes, three_failures
):
    for n in range(three_failures):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": intake_user.username, "password": password}
    )
    assert response.status_code == 429
    assert hashes["n"] == three_failures


@pytest.fixture
def three_failures(settings):
    """A small limit, so that the tests beside the acceptance one hash a few passwords only."""
    settings.LOGIN_FAILURES_PER_ADDRESS = "3/10m"
    return 3


def test_another_address_is_not_throttled(client, intake_user, password, three_failures):
    for n in range(three_failures):
        client.post(reverse("login"), {"username": f"guess{n}", "password": "wrong"})
    response = client.post(
        reverse("login"),
        {"username": intake_user.username, "password": password},
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 302


def test_an_office_logging_in_successfully_is_never_throttled(
    client, make_staff, password, three_failures
):
    staff = [make_staff("intake") for _ in range(three_failures + 2)]
    for user in staff:
        response = client.post(reverse("login"), {"username": user.username, "password": password})
        assert response.status_code == 302
        client.logout()


def test_each_hash_uses_19_mib_one_lane_two_passes():
    encoded = make_password("correct-horse-battery-staple-9")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
