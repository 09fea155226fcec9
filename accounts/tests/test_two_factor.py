"""Managers, and /admin/, need a second factor (TOTP) after the password; a manager enrols her
authenticator only with an invitation another manager (or manage.py) issued (issue 18)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import TwoFactorDevice, TwoFactorInvitation
from accounts.roles import Role
from accounts.two_factor import (
    NOT_TWO_FACTOR_ROLE,
    OWN_INVITATION,
    InvitationRefused,
    base32_secret,
    two_factor_invitation_issue,
)
from audit.models import Event
from conftest import current_totp

pytestmark = pytest.mark.django_db


def log_in(client, user, password):
    return client.post(
        reverse("login"), {"username": user.username, "password": password}, follow=True
    )


@pytest.fixture
def colleague(make_staff):
    """Another manager, who issues invitations."""
    return make_staff(Role.MANAGER, username="colleague_manager")


def test_a_new_manager_cannot_reach_the_dashboard_with_her_password_alone(
    client, manager_user, password
):
    response = log_in(client, manager_user, password)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    body = response.content.decode()
    assert "data:image/svg+xml" not in body  # no secret without an invitation
    assert 'name="invitation"' in body
    assert not TwoFactorDevice.objects.filter(user=manager_user).exists()
    assert client.get("/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_a_new_manager_cannot_enrol_without_the_invitation(client, manager_user, password):
    log_in(client, manager_user, password)
    response = client.post(reverse("two_factor"), {"invitation": "ABCD-EFGH-JKLM-NPQR"})
    assert "رمز الدعوة هذا غير صحيح" in response.content.decode()
    # Posting a six-digit code does not confirm anything either.
    client.post(reverse("two_factor"), {"token": "123456"})
    assert not TwoFactorDevice.objects.filter(user=manager_user).exists()
    assert client.get("/").status_code == 302


def test_a_manager_enrols_with_the_invitation_another_manager_issued(
    client, client_as, colleague, manager_user, password
):
    issuer = client_as(colleague)
    response = issuer.post(reverse("two_factor_invite"), {"user": manager_user.pk})
    code = response.context["code"]
    assert code in response.content.decode()
    invitation = TwoFactorInvitation.objects.get(user=manager_user)
    assert code.replace("-", "") not in invitation.code_hash  # stored hashed
    assert invitation.created_by == colleague
    event = Event.objects.get(verb="two_factor_invited")
    assert (event.actor, event.subject) == (colleague, manager_user)
    assert code not in str(event.extra)
    issuer.logout()

    log_in(client, manager_user, password)
    response = client.post(reverse("two_factor"), {"invitation": code.lower()}, follow=True)
    assert 'src="data:image/svg+xml;base64,' in response.content.decode()
    response = client.post(reverse("two_factor"), {"token": current_totp(manager_user)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert TwoFactorDevice.objects.get(user=manager_user).confirmed
    verbs = list(Event.objects.filter(actor=manager_user).values_list("verb", flat=True))
    assert verbs == ["two_factor_invitation_used", "two_factor_setup"]


def test_an_invitation_works_once(client, manager_user, password):
    code = two_factor_invitation_issue(actor=None, user=manager_user)
    log_in(client, manager_user, password)
    client.post(reverse("two_factor"), {"invitation": code})
    # Another browser with the stolen password and the spent code gets no secret.
    other = client.__class__()
    log_in(other, manager_user, password)
    response = other.post(reverse("two_factor"), {"invitation": code})
    assert "data:image/svg+xml" not in response.content.decode()
    assert TwoFactorDevice.objects.filter(user=manager_user).count() == 1


def test_an_expired_invitation_is_refused(client, manager_user, password):
    code = two_factor_invitation_issue(actor=None, user=manager_user)
    TwoFactorInvitation.objects.update(expires_at="2020-01-01T00:00Z")
    log_in(client, manager_user, password)
    response = client.post(reverse("two_factor"), {"invitation": code})
    assert "data:image/svg+xml" not in response.content.decode()


def test_a_new_invitation_replaces_a_lost_phone(manager_user, colleague):
    TwoFactorDevice.objects.create(user=manager_user, name="lost", confirmed=True)
    two_factor_invitation_issue(actor=colleague, user=manager_user)
    assert not TwoFactorDevice.objects.filter(user=manager_user).exists()


def test_a_manager_cannot_invite_herself_nor_a_role_without_a_second_factor(
    manager_user, intake_user
):
    with pytest.raises(InvitationRefused, match=str(OWN_INVITATION)):
        two_factor_invitation_issue(actor=manager_user, user=manager_user)
    with pytest.raises(InvitationRefused, match=str(NOT_TWO_FACTOR_ROLE)):
        two_factor_invitation_issue(actor=manager_user, user=intake_user)


def test_the_command_issues_the_first_managers_invitation(manager_user, capsys):
    call_command("two_factor_invite", manager_user.username)
    assert "Invitation for manager_p" in capsys.readouterr().out
    assert Event.objects.get(verb="two_factor_invited").actor is None


def test_an_unverified_manager_cannot_issue_invitations(client, manager_user, colleague, password):
    TwoFactorDevice.objects.create(user=manager_user, name="phone", confirmed=True)
    log_in(client, manager_user, password)
    response = client.post(reverse("two_factor_invite"), {"user": colleague.pk})
    assert response.status_code == 302
    assert not TwoFactorInvitation.objects.exists()


@pytest.mark.parametrize("role", [Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR])
def test_only_roles_with_a_second_factor_open_its_pages(client_as, make_staff, role):
    client = client_as(make_staff(role))
    assert client.get(reverse("two_factor")).status_code == 404
    assert client.get(reverse("two_factor_invite")).status_code == 404
    assert not TwoFactorDevice.objects.exists()


def test_a_wrong_code_is_refused_with_a_clear_message(client, manager_user, password):
    TwoFactorDevice.objects.create(user=manager_user, name="phone", confirmed=True)
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
    TwoFactorDevice.objects.create(user=manager_user, name="phone", confirmed=True)
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


def test_the_demo_manager_has_a_confirmed_authenticator_whose_key_is_printed_once(settings, capsys):
    settings.WAHAJ_DEMO_PASSWORD = "demo-password-for-tests-2026"
    call_command("seed_demo", beneficiaries=0)
    out = capsys.readouterr().out
    device = TwoFactorDevice.objects.get(user__username="manager")
    assert device.confirmed
    assert f"(shown once): {base32_secret(device)}" in out
    call_command("seed_demo", beneficiaries=0)
    assert base32_secret(device) not in capsys.readouterr().out
    assert TwoFactorDevice.objects.filter(user__username="manager").count() == 1
