from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import two_factor_required

# What an unverified manager may still reach: the code page, logging out, the language switch.
# ("/accounts/two-factor/" with its slash: the invitations page next to it is not open.)
OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/healthz", "/readyz")


class TwoFactorMiddleware:
    """Send a manager whose session is not verified by her second factor to the code page.

    Needs django_otp's OTPMiddleware before it (it sets request.user.is_verified).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            two_factor_required(user)
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect(f"{reverse('two_factor')}?next={request.path}")
        return self.get_response(request)
