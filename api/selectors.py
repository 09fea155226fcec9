"""Reads of API tokens."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User

from .models import ApiToken
from .services import token_digest


def api_token_for(raw: str) -> ApiToken | None:
    """The active token with this value (not revoked, not expired, its owner active), or None.

    Looked up by its keyed hash: the value itself is never compared or stored.
    """
    return (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=token_digest(raw),
            revoked_at=None,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def api_tokens_for_managers() -> QuerySet[ApiToken]:
    """The managers' page: every token, newest first, with who holds and issued it."""
    return ApiToken.objects.select_related("user", "created_by", "revoked_by").order_by(
        "-created_at", "-pk"
    )


def token_holders() -> QuerySet[User]:
    """Who may be issued a token: active staff (roles decide what the token may do)."""
    return User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")
