"""Rate limits of the public portal pages (django-ratelimit on the shared cache: Redis when
REDIS_URL is set, so every gunicorn worker counts together).

Rates can be changed in settings (the names below); RATELIMIT_ENABLE=0 turns them off for
`make bench`, which measures the pages from one address.
"""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from wahaj.lib import addresses

# Somebody checking her own request a few times is far below these; a script trying IDs
# against one reference, or references from one address, is stopped quickly.
DEFAULT_RATES = {
    "PORTAL_STATUS_RATE_PER_IP": "20/10m",
    "PORTAL_STATUS_RATE_PER_REFERENCE": "10/h",
    "PORTAL_LOGIN_RATE_PER_IP": "20/10m",
    "PORTAL_CODE_RATE_PER_IP": "30/10m",
    # /apply/: each step's POST from one address (a code sent, details, the request). One
    # application takes five or six; a script sending codes to numbers is stopped quickly.
    "PORTAL_APPLY_RATE_PER_IP": "30/h",
    # A returned request needs two or three documents: ten an hour is plenty for her, and
    # stops one session from filling her file (each upload is decoded and re-encoded).
    "PORTAL_UPLOAD_RATE_PER_SESSION": "10/h",
    # The public contact form (issue 20): a few messages an hour from one address is plenty
    # for a person, and each one either texts a code or files an anonymous complaint.
    "PORTAL_CONTACT_RATE_PER_IP": "10/h",
    "PORTAL_CONTACT_CODE_RATE_PER_IP": "30/10m",
}


def _rate(name: str) -> str:
    return getattr(settings, name, DEFAULT_RATES[name])


def client_ip(group: str, request: HttpRequest) -> str:
    """django-ratelimit's key: the visitor's address (wahaj.lib.addresses)."""
    return addresses.client_ip(request)


def _limited(request: HttpRequest, *, group: str, key, rate_name: str) -> bool:
    return is_ratelimited(
        request, group=group, key=key, rate=_rate(rate_name), method=["POST"], increment=True
    )


def status_lookup_limited(request: HttpRequest, *, reference: str) -> bool:
    """Count one status lookup against the address and against the reference."""
    by_ip = _limited(
        request, group="portal.status.ip", key=client_ip, rate_name="PORTAL_STATUS_RATE_PER_IP"
    )
    by_reference = _limited(
        request,
        group="portal.status.reference",
        key=lambda _group, _request: reference or "-",
        rate_name="PORTAL_STATUS_RATE_PER_REFERENCE",
    )
    return by_ip or by_reference


def login_limited(request: HttpRequest) -> bool:
    """Count one "send me a code" from this address."""
    return _limited(
        request, group="portal.login.ip", key=client_ip, rate_name="PORTAL_LOGIN_RATE_PER_IP"
    )


def code_entry_limited(request: HttpRequest) -> bool:
    """Count one code typed from this address (the per-code limit of five is in services)."""
    return _limited(
        request, group="portal.code.ip", key=client_ip, rate_name="PORTAL_CODE_RATE_PER_IP"
    )


def apply_limited(request: HttpRequest) -> bool:
    """Count one step of an online application from this address."""
    return _limited(
        request, group="portal.apply.ip", key=client_ip, rate_name="PORTAL_APPLY_RATE_PER_IP"
    )


def document_upload_limited(request: HttpRequest) -> bool:
    """Count each document sent from this portal session, refused ones too (each costs a
    decode); True once the session is past its rate."""
    files = max(1, sum(len(request.FILES.getlist(name)) for name in request.FILES))
    return any(
        _limited(
            request,
            group="portal.upload.session",
            key=lambda group, request: request.session.session_key or client_ip(group, request),
            rate_name="PORTAL_UPLOAD_RATE_PER_SESSION",
        )
        for _file in range(files)
    )


def contact_limited(request: HttpRequest) -> bool:
    """Count one message sent from the public contact form by this address."""
    return _limited(
        request, group="portal.contact.ip", key=client_ip, rate_name="PORTAL_CONTACT_RATE_PER_IP"
    )


def contact_code_limited(request: HttpRequest) -> bool:
    """Count one code typed on the contact form from this address (five per code: notifications)."""
    return _limited(
        request,
        group="portal.contact_code.ip",
        key=client_ip,
        rate_name="PORTAL_CONTACT_CODE_RATE_PER_IP",
    )
