"""Issue 19: a manager's TOTP seed is stored encrypted; the migration moves django-otp's
devices (seed in plain hex) to the encrypted model and they keep verifying."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorDevice

pytestmark = pytest.mark.django_db

seeds_encrypt = importlib.import_module(
    "accounts.migrations.0004_h2_two_factor_device"
).seeds_encrypt


def _code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _table_text(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - a fixed table name
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_seed_is_not_in_the_table_and_the_device_still_verifies(manager_user):
    device = TwoFactorDevice.objects.create(user=manager_user, name="phone")
    seed = device.key
    assert len(seed) == 40  # 20 random bytes, hex
    assert seed not in _table_text("accounts_twofactordevice")
    stored = TwoFactorDevice.objects.get(pk=device.pk)
    assert stored.key == seed
    assert stored.verify_token(_code(stored))
    stored.refresh_from_db()
    assert stored.last_t > -1  # django-otp's replay guard, saved through the encrypted row
    assert not stored.verify_token(_code(stored))  # the same code twice is refused


def test_the_migration_moves_plain_seeds_into_the_encrypted_model(manager_user):
    old = TOTPDevice.objects.create(user=manager_user, name="phone", confirmed=True, drift=1)
    seed = old.key
    assert seed in _table_text("otp_totp_totpdevice")
    seeds_encrypt(apps, None)
    assert _table_text("otp_totp_totpdevice") == ""
    moved = TwoFactorDevice.objects.get(user=manager_user)
    assert (moved.key, moved.name, moved.confirmed, moved.drift) == (seed, "phone", True, 1)
    assert seed not in _table_text("accounts_twofactordevice")
    assert moved.verify_token(_code(moved))
