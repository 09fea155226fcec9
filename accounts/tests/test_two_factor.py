"""Managers, and /admin/, need a second factor (TOTP) after the password."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from audit.models import Event
from conftest import current_totp

pytestmark = pytest.mark.django_db


def log_in(client, user, password):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}, follow=True
    )


def test_a_manager_sets_up_her_authenticator_at_first_log_in(client, manager_user, password):
    response = log_in(client, manager_user, password)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()
    assert client.get("/").status_code == 302  # nothing opens before the code

    response = client.post(reverse("two_factor"), {"token": current_totp(manager_user)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert TOTPDevice.objects.get(user=manager_user).confirmed
    assert Event.objects.filter(actor=manager_user, verb="two_factor_setup").exists()


def test_a_wrong_code_is_refused_with_a_clear_message(client, manager_user, password):
    log_in(client, manager_user, password)
    code = current_totp(manager_user)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor"), {"token": wrong})
    assert response.status_code == 200
    assert "الرمز غير صحيح" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_manager_with_a_device_gives_its_code_and_sees_no_new_qr_code(
    client, manager_user, password
):
    TOTPDevice.objects.create(user=manager_user, name="phone", confirmed=True)
    response = log_in(client, manager_user, password)
    assert "data:image/svg+xml" not in response.content.decode()
    client.post(reverse("two_factor"), {"token": current_totp(manager_user)})
    assert client.get("/").status_code == 200


def test_the_admin_needs_the_second_factor(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor"))


@pytest.mark.parametrize("role", [Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR])
def test_other_roles_log_in_with_their_password_alone(client, make_staff, password, role):
    user = make_staff(role)
    response = log_in(client, user, password)
    assert response.redirect_chain[-1][0] == "/"
    assert response.status_code == 200
