"""Field encryption at rest (issue 19): Fernet tokens and keyed lookup hashes.

A `pg_dump`, a stolen backup or a read-only SQL account shows ciphertext for her national ID,
mobiles, IBAN, e-mail and health notes. Keys come from the environment:

- `FIELD_ENCRYPTION_KEYS`: Fernet keys, comma-separated, NEWEST FIRST. The first encrypts;
  every one decrypts (a rotation adds a key in front, runs `manage.py rotate_field_keys`, then
  drops the old one).
- `FIELD_HASH_KEY`: the HMAC-SHA256 key of the lookup hashes (`national_id_hash`…) that let
  the database find or keep unique a value it cannot read. A separate key: rotating the
  encryption keys leaves every hash (and unique index) as it is.

Fernet (AES-128-CBC + HMAC-SHA256, random IV) is `cryptography`'s audited recipe: the same
value encrypts differently each time, so equality and prefix search only work through the hash.
This module imports nothing of Django's ORM: settings call `development_keys` at start.
"""

import hmac
import os
from functools import cache
from hashlib import sha256
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every Fernet token starts with its version byte 0x80, "gAAAAA" once base64-encoded: what a
# migration uses to tell a row it has already encrypted from one still in plain text.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - a format marker, not a secret
KEY_FILE_NOTE = "# Wahaj development field keys (make run). Never use these in production.\n"


def keys_check(keys: list[str], hash_key: str) -> None:
    """Raise ValueError with a readable message if the keys cannot be used."""
    if not keys:
        raise ValueError("FIELD_ENCRYPTION_KEYS is empty.")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key ({error})."
            ) from None
    if len(hash_key) < 32:
        raise ValueError("FIELD_HASH_KEY must be at least 32 characters.")


def development_keys(path: Path) -> tuple[list[str], str]:
    """The keys of a development install, read from `path`, written there once if missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            f"{KEY_FILE_NOTE}FIELD_ENCRYPTION_KEYS={Fernet.generate_key().decode()}\n"
            f"FIELD_HASH_KEY={Fernet.generate_key().decode()}\n"
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process (web, worker, beat) wrote it first
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
    values = dict(
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    keys = [k.strip() for k in values.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()]
    return keys, values.get("FIELD_HASH_KEY", "").strip()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(text: str) -> str:
    """A Fernet token of `text` under the newest key."""
    return _fernet(_keys()).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of `token`, whichever configured key made it. InvalidToken if none did."""
    return _fernet(_keys()).decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """`token` encrypted again under the newest key (same text)."""
    return _fernet(_keys()).rotate(token.encode()).decode()


def is_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


def lookup_hash(value: str) -> str:
    """HMAC-SHA256 of `value` (hex): equal values, equal hashes; nothing else to learn."""
    from django.conf import settings

    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, str(value).encode(), sha256).hexdigest()


__all__ = [
    "InvalidToken",
    "decrypt",
    "development_keys",
    "encrypt",
    "is_token",
    "keys_check",
    "lookup_hash",
    "rotate",
]
