"""Staff change their own password (Django's view, themed, translated); it ends the others."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.views import PASSWORD_CHANGED

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-long-passphrase-42"


def test_a_staff_member_changes_her_password_and_her_other_sessions_end(
    client_as, intake_user, password
):
    other = Client()
    other.force_login(intake_user)
    assert other.get("/").status_code == 200

    client = client_as(intake_user)
    page = client.get(reverse("password_change"))
    assert "تغيير كلمة المرور" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert str(PASSWORD_CHANGED) in [str(m) for m in response.context["messages"]]
    intake_user.refresh_from_db()
    assert intake_user.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other one is logged out


def test_a_wrong_old_password_changes_nothing(client_as, intake_user, password):
    response = client_as(intake_user).post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    intake_user.refresh_from_db()
    assert intake_user.check_password(password)


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
