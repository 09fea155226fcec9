"""Two-factor authentication (TOTP, django-otp) for managers and for /admin/.

A manager's password alone opens nothing: after it, she sets up an authenticator app once (a QR
code) and then gives its six-digit code at every log-in. The session is then "verified".
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import event_record

from .roles import Role


def two_factor_required(user) -> bool:
    return user.is_authenticated and (user.has_role(Role.MANAGER) or user.is_superuser)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def setup_device(user) -> TOTPDevice:
    """The device being set up: an unconfirmed one, created once and kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (CSP allows data: images only)."""
    buffer = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def two_factor_verify(*, request, token: str) -> bool:
    """Check the code against her confirmed device, or confirm the one being set up.

    On success the session is marked verified (django_otp.login) and the event is audited.
    """
    user = request.user
    device = confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = setup_device(user)
    token = token.strip()
    if not token.isdigit() or not device.verify_token(token):
        return False
    if setting_up:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    otp_login(request, device)
    event_record(
        actor=user,
        subject=user,
        verb="two_factor_setup" if setting_up else "two_factor_verified",
        request=request,
    )
    return True
