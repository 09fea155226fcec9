"""Issue 19: the field encryption keys come from the environment; production refuses to start
without them, a development install makes its own once."""

import os
import subprocess
import sys
from pathlib import Path

from wahaj.lib.crypto import development_keys, keys_check

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-production-like-secret-" + "x7Q!pZ" * 10}
KEYS = ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY")


def settings_load(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in KEYS}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "wahaj.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_field_keys_refuses_to_start_and_says_which():
    result = settings_load(**PRODUCTION)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY are not set" in result.stderr


def test_a_key_that_is_not_a_fernet_key_is_refused_at_start():
    result = settings_load(**PRODUCTION, FIELD_ENCRYPTION_KEYS="not-a-key", FIELD_HASH_KEY="h" * 40)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 1 is not a Fernet key" in result.stderr


def test_development_keys_are_written_once_then_reused(tmp_path):
    path = tmp_path / "var" / "field-keys.env"
    keys, hash_key = development_keys(path)
    keys_check(keys, hash_key)
    assert development_keys(path) == (keys, hash_key)
    assert path.stat().st_mode & 0o777 == 0o600
