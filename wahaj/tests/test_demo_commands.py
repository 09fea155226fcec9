"""Getting into a demo (issue 17, point 4): `demo_password` and `demo_totp`."""

import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import TwoFactorDevice, User
from accounts.roles import Role
from audit.models import Event
from wahaj.management.commands.demo_password import NO_DEMO_STAFF
from wahaj.management.commands.seed_demo import ALREADY_PRESENT, DEMO_STAFF

pytestmark = pytest.mark.django_db

DEMO_USERS = {username for username, *_ in DEMO_STAFF}


def test_demo_password_gives_the_demo_staff_a_new_password_and_prints_it(settings, capsys):
    settings.WAHAJ_DEMO_PASSWORD = "first-demo-password-2026"
    call_command("seed_demo", beneficiaries=0)
    capsys.readouterr()

    call_command("demo_password")

    password = capsys.readouterr().out.strip().rsplit("new password: ", 1)[1]
    users = User.objects.filter(username__in=DEMO_USERS)
    assert password != "first-demo-password-2026"
    assert all(user.check_password(password) for user in users)
    events = Event.objects.filter(verb="demo_password_set")
    assert {event.object_id for event in events} == {user.pk for user in users}
    assert {event.actor_id for event in events} == {None}


def test_a_second_seed_demo_says_how_to_get_in(settings, capsys):
    settings.WAHAJ_DEMO_PASSWORD = ""
    call_command("seed_demo", beneficiaries=0)
    capsys.readouterr()
    call_command("seed_demo", beneficiaries=0)
    out = capsys.readouterr().out
    assert ALREADY_PRESENT in out
    assert "manage.py demo_password" in out
    assert "manage.py demo_totp manager" in out


def test_demo_password_leaves_a_real_account_called_manager_alone(make_staff, password):
    real = make_staff(Role.MANAGER, username="manager", email="director@association.sa")
    with pytest.raises(CommandError, match=re.escape(NO_DEMO_STAFF)):
        call_command("demo_password", password="not-her-password-2026")
    real.refresh_from_db()
    assert real.check_password(password)
    assert not Event.objects.filter(verb="demo_password_set").exists()


def test_demo_totp_prints_the_code_her_authenticator_shows_now(manager_user, capsys):
    device = TwoFactorDevice.objects.create(user=manager_user, name="demo", confirmed=True)
    call_command("demo_totp", manager_user.username)
    code = capsys.readouterr().out.split()[0]
    assert len(code) == device.digits
    assert device.verify_token(code)


def test_demo_totp_only_reads_her_device(manager_user, capsys):
    device = TwoFactorDevice.objects.create(user=manager_user, name="demo", confirmed=True)
    call_command("demo_totp", manager_user.username)
    assert TwoFactorDevice.objects.filter(user=manager_user).count() == 1
    assert TwoFactorDevice.objects.get().last_t == device.last_t
    assert not Event.objects.exists()


def test_demo_totp_without_a_confirmed_device_says_so(manager_user):
    TwoFactorDevice.objects.create(user=manager_user, name="half set up", confirmed=False)
    with pytest.raises(CommandError, match="has no confirmed authenticator"):
        call_command("demo_totp", manager_user.username)
