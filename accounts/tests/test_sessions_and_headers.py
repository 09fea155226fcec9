"""Staff sessions and the security headers of every page."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def log_in(client, user, password):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_the_session_key_changes_at_login(client, intake_user, password):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    log_in(client, intake_user, password)
    assert client.session.session_key != before


def test_logout_ends_the_session_on_the_server(client, intake_user, password):
    log_in(client, intake_user, password)
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    client.cookies["sessionid"] = old_cookie  # replaying the old cookie gets nothing
    assert client.get("/").status_code == 302


def test_a_staff_session_expires_after_30_idle_minutes(client, intake_user, password, settings):
    settings.SESSION_RENEW_SECONDS = 60
    with time_machine.travel(timezone.now(), tick=False) as clock:
        log_in(client, intake_user, password)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity renews the session
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("weak", ["password123", "qwertyuiop", "12345678901", "short1!"])
def test_common_numeric_and_short_passwords_are_rejected(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_pages_carry_the_security_headers(client_as, intake_user):
    response = client_as(intake_user).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_is_not_stored_either(client):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]


def test_activity_renews_the_session_at_most_once_a_minute(client_as, intake_user, settings):
    """The idle limit holds without writing the session on every page."""
    from django.contrib.sessions.models import Session

    settings.SESSION_RENEW_SECONDS = 60
    client = client_as(intake_user)
    key = client.cookies["sessionid"].value
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(timedelta(seconds=61))  # a minute after login
        client.get("/")
        renewed = Session.objects.get(pk=key).expire_date
        assert renewed == timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        clock.shift(timedelta(seconds=30))
        client.get("/")
        assert Session.objects.get(pk=key).expire_date == renewed  # not written again
        clock.shift(timedelta(seconds=31))
        client.get("/")
        assert Session.objects.get(pk=key).expire_date == renewed + timedelta(seconds=61)
