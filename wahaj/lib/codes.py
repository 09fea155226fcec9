"""One-time codes sent by SMS: drawn at random, stored only as a salted keyed hash.

Used by the portal's sign-in codes and by the outbox's codes to a mobile that need not be on
file (`notifications.PhoneCode`). The key is SECRET_KEY, so a database dump alone cannot turn a
stored hash back into a code (six digits are otherwise a million guesses away).
"""

import hmac
import secrets
from hashlib import sha256

from django.conf import settings

CODE_DIGITS = 6


def keyed_digest(value: str, *, purpose: str, scope: str = "portal") -> str:
    """HMAC-SHA256 of `value` keyed with SECRET_KEY, separated by scope and purpose."""
    key = f"wahaj.{scope}.{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), sha256).hexdigest()


def code_new() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(code: str, salt: str | None = None) -> str:
    """ "<salt>$<hex digest>"; a fresh random salt unless one is given (to check a code)."""
    salt = secrets.token_hex(8) if salt is None else salt
    return f"{salt}${keyed_digest(f'{salt}:{code}', purpose='code')}"


def code_matches(code: str, stored: str) -> bool:
    salt, _sep, _digest = stored.partition("$")
    return hmac.compare_digest(code_hash(code, salt), stored)
