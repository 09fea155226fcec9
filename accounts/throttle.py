"""The staff login page's throttle per client address, across usernames (issue 18).

django-axes locks one username on one address after 5 failures; a script trying many usernames
from one address never trips it, and every attempt costs an argon2 hash. This counts failed
log-ins per address and refuses the form *before* the password is hashed once the address has
failed LOGIN_FAILURES_PER_ADDRESS times in the window. Only failures count, so an office of
many staff behind one address logging in each morning is never limited.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from wahaj.lib.addresses import client_ip

GROUP = "accounts.login.ip"


def _usage(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group=GROUP,
        key=lambda _group, request: client_ip(request),
        rate=settings.LOGIN_FAILURES_PER_ADDRESS,
        method=["POST"],
        increment=increment,
    )


def login_address_limited(request: HttpRequest) -> bool:
    """Has this address used up its failures? Reads the count only: no hash, no increment."""
    usage = _usage(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def login_failure_count(request: HttpRequest) -> None:
    _usage(request, increment=True)
