import pytest
from django.core.management import call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

DEMO_USERS = {"intake", "researcher", "chair", "member1", "member2", "member3", "manager"}


def test_seed_demo_creates_the_demo_staff_with_the_configured_password(settings, capsys):
    settings.WAHAJ_DEMO_PASSWORD = "demo-password-for-tests-2026"
    call_command("seed_demo", beneficiaries=0)
    users = User.objects.filter(username__in=DEMO_USERS)
    assert set(users.values_list("username", flat=True)) == DEMO_USERS
    assert all(u.check_password("demo-password-for-tests-2026") for u in users)
    assert User.objects.get(username="chair").has_role("chair")
    assert User.objects.get(username="member2").has_role("committee")
    assert "demo-password-for-tests-2026" not in capsys.readouterr().out


def test_without_a_configured_password_one_is_generated_and_printed_once(settings, capsys):
    settings.WAHAJ_DEMO_PASSWORD = ""
    call_command("seed_demo", beneficiaries=0)
    first = capsys.readouterr().out
    line = next(line for line in first.splitlines() if "shown once" in line)
    password = line.rsplit(": ", 1)[1].strip()
    assert User.objects.get(username="manager").check_password(password)

    call_command("seed_demo", beneficiaries=0)
    assert password not in capsys.readouterr().out
    assert User.objects.filter(username__in=DEMO_USERS).count() == len(DEMO_USERS)
