"""Two-factor authentication (TOTP, django-otp) for managers, superusers and /admin/.

A manager's password alone opens nothing. She enrols an authenticator app only with a one-time
invitation code that another manager (or `manage.py two_factor_invite`) issued and handed to
her out of band: the code lets this session see the secret (a QR code) once, and the device is
confirmed by its first six-digit code. After that she gives a code at every log-in.
"""

import base64
import io
import secrets
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from audit.services import event_record

from .models import TwoFactorDevice, TwoFactorInvitation, User
from .roles import Role

INVITATION_VALID_HOURS = 48
# Unambiguous capitals and digits (no 0/O, 1/I): 16 of them are 80 bits, typed from a note.
INVITATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
INVITATION_LENGTH = 16
# The unconfirmed device this session may confirm: set only by redeeming an invitation.
ENROL_SESSION_KEY = "two_factor_enrol_device"

NOT_TWO_FACTOR_ROLE = _("Only managers and administrators use a second factor.")
OWN_INVITATION = _("Another manager must issue your invitation.")


class InvitationRefused(Exception):
    pass


def two_factor_required(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.MANAGER) or user.is_superuser)


def confirmed_device(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(request: HttpRequest) -> TwoFactorDevice | None:
    """The device this session was allowed to set up by an invitation, if any."""
    device_id = request.session.get(ENROL_SESSION_KEY)
    if device_id is None:
        return None
    return TwoFactorDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()


def qr_code_data_uri(device: TwoFactorDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (CSP allows data: images only)."""
    buffer = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def base32_secret(device: TwoFactorDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _code_hash(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").upper()
    return salted_hmac("accounts.TwoFactorInvitation", normalised).hexdigest()


def invitation_users():
    """Who may be issued an invitation: the active people whose log-in needs a second factor."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=Role.MANAGER) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def two_factor_invitation_issue(
    *, actor: User | None, user: User, request: HttpRequest | None = None
) -> str:
    """Issue `user` a one-time enrolment code; return it (it is shown once, stored hashed).

    `actor` is the manager issuing it, None for `manage.py`. Her devices and earlier unused
    invitations are removed: an invitation is also how a lost phone is replaced. Raises
    InvitationRefused for a role without a second factor, or for a manager inviting herself.
    Writes one `two_factor_invited` event (never the code).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not two_factor_required(user):
        raise InvitationRefused(NOT_TWO_FACTOR_ROLE)
    if actor is not None and actor.pk == user.pk:
        raise InvitationRefused(OWN_INVITATION)
    TwoFactorDevice.objects.filter(user=user).delete()
    now = timezone.now()
    TwoFactorInvitation.objects.filter(user=user, used_at=None).update(expires_at=now)
    code = "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_LENGTH))
    invitation = TwoFactorInvitation.objects.create(
        user=user,
        code_hash=_code_hash(code),
        created_by=actor,
        expires_at=now + timedelta(hours=INVITATION_VALID_HOURS),
    )
    event_record(
        actor=actor,
        subject=user,
        verb="two_factor_invited",
        extra={"invitation": invitation.pk, "expires_at": invitation.expires_at.isoformat()},
        request=request,
    )
    return "-".join(code[i : i + 4] for i in range(0, INVITATION_LENGTH, 4))


@transaction.atomic
def two_factor_invitation_redeem(*, request: HttpRequest, code: str) -> TwoFactorDevice | None:
    """Spend her invitation: a new unconfirmed device whose secret this session may show.

    Returns None for a wrong, used or expired code. Writes `two_factor_invitation_used`.
    """
    user = request.user
    invitations = TwoFactorInvitation.objects.select_for_update().filter(
        user=user, used_at=None, expires_at__gt=timezone.now()
    )
    given = _code_hash(code)
    invitation = next((i for i in invitations if constant_time_compare(i.code_hash, given)), None)
    if invitation is None:
        return None
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    TwoFactorDevice.objects.filter(user=user, confirmed=False).delete()
    device = TwoFactorDevice.objects.create(user=user, name="authenticator", confirmed=False)
    request.session[ENROL_SESSION_KEY] = device.pk
    event_record(
        actor=user,
        subject=user,
        verb="two_factor_invitation_used",
        extra={"invitation": invitation.pk},
        request=request,
    )
    return device


@transaction.atomic
def two_factor_verify(*, request: HttpRequest, token: str) -> bool:
    """Check the code against her confirmed device, or confirm the one this session enrols.

    Without a confirmed device and without a redeemed invitation nothing can be verified.
    On success the session is marked verified (django_otp.login) and the event is audited.
    """
    user = request.user
    device = confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = enrolment_device(request)
        if device is None:
            return False
    token = token.strip()
    if not token.isdigit() or not device.verify_token(token):
        return False
    if setting_up:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        request.session.pop(ENROL_SESSION_KEY, None)
    otp_login(request, device)
    event_record(
        actor=user,
        subject=user,
        verb="two_factor_setup" if setting_up else "two_factor_verified",
        request=request,
    )
    return True
