"""Issuing and revoking API tokens (issue 22). Each is one audited change."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.two_factor import confirmed_device, two_factor_required
from audit.services import event_record

from .models import ApiToken

TOKEN_PREFIX = "whj_"  # noqa: S105 - what every token begins with, not a secret
SHOWN_PREFIX_LENGTH = 12  # "whj_" and 8 characters of the secret: names it, never opens it

NOT_MANAGER = _("Only managers issue and revoke API tokens.")
NOT_ACTIVE = _("This staff member's account is not active.")
MANAGER_TOKEN_OWN = _(
    "A token that acts as a manager is issued only by that manager herself, with her code."
)
CODE_WRONG = _("The six-digit code of your authenticator app is wrong or was already used.")
ALREADY_REVOKED = _("This token is already revoked.")


class TokenRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def token_digest(raw: str) -> str:
    """HMAC-SHA256 of the whole token, keyed with SECRET_KEY: what the database keeps."""
    return salted_hmac("api.ApiToken", raw, algorithm="sha256").hexdigest()


@transaction.atomic
def api_token_issue(
    *,
    actor: User,
    user: User,
    name: str,
    code: str = "",
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Issue `user` a token; return it with its secret, which is shown once and never stored.

    Only a manager issues. A token acting as someone whose sign-in needs a second factor (a
    manager) is issued only by that person, with a fresh code of her authenticator: her
    verified session alone is not enough for something that outlives it. Raises TokenRefused.
    Writes one `api_token_issued` event on `user` (the prefix, never the secret).
    """
    if not actor.has_role(Role.MANAGER):
        raise TokenRefused(NOT_MANAGER)
    if not user.is_active:
        raise TokenRefused(NOT_ACTIVE)
    if two_factor_required(user):
        if actor.pk != user.pk:
            raise TokenRefused(MANAGER_TOKEN_OWN)
        device = confirmed_device(user)
        code = "".join(code.split())
        if device is None or not code.isdigit() or not device.verify_token(code):
            raise TokenRefused(CODE_WRONG)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:SHOWN_PREFIX_LENGTH],
        token_hash=token_digest(raw),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_VALID_DAYS),
    )
    event_record(
        actor=actor,
        subject=user,
        verb="api_token_issued",
        note=token.prefix,
        extra={"token": token.pk, "expires_at": token.expires_at.isoformat()},
        request=request,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(
    *, actor: User, token: ApiToken, request: HttpRequest | None = None
) -> ApiToken:
    """Revoke a token at once (the next call with it is refused). One `api_token_revoked`."""
    if not actor.has_role(Role.MANAGER):
        raise TokenRefused(NOT_MANAGER)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise TokenRefused(ALREADY_REVOKED)
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    event_record(
        actor=actor,
        subject=token.user,
        verb="api_token_revoked",
        note=token.prefix,
        extra={"token": token.pk},
        request=request,
    )
    return token


# A token's last use is written at most this often (not one UPDATE per call).
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_touch(token: ApiToken) -> None:
    """Note that the token was used now (managers see it beside each token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
