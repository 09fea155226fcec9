"""Logged-in sessions of the demo staff for `make bench` (Django set up on the bench database).

A manager's session counts only once her second factor is verified (accounts/two_factor.py):
the bench gives her a confirmed authenticator device and marks the session verified, as
`django_otp.login` does after a right code, so that the pages measured are the pages she sees.
"""

from django.conf import settings
from django.test import Client

from accounts.models import User


def logged_in_client(username: str) -> Client:
    user = User.objects.get(username=username)
    if username == "manager":
        _may_view_requests_in_admin(user)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    _verify_second_factor(client, user)
    return client


def _may_view_requests_in_admin(user: User) -> None:
    """The baseline of SPEC §11 is the admin's change list of SupportRequest, which no role may
    open (the staff list is theirs): the bench's manager alone is given the view permission."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="requests_app", codename="view_supportrequest"
        )
    )


def _verify_second_factor(client: Client, user: User) -> None:
    if "django_otp" not in settings.INSTALLED_APPS:
        return
    from accounts.two_factor import two_factor_required

    if not two_factor_required(user):
        return  # a device in her session would cost every page a query she never pays
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import TwoFactorDevice

    device = TwoFactorDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TwoFactorDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def cookie_header(client: Client, *, csrf: str) -> str:
    """The Cookie header of the client's session, with a CSRF cookie for forms."""
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"
