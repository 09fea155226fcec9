"""The visitor's address, as every rate limit and lock-out must see it."""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str:
    """Trust X-Forwarded-For only behind the configured proxies (the staff lock-out's setting),
    so the header cannot be forged to dodge a limit."""
    ip, _routable = get_client_ip(
        request,
        proxy_count=getattr(settings, "AXES_IPWARE_PROXY_COUNT", None),
        request_header_order=getattr(settings, "AXES_IPWARE_META_PRECEDENCE_ORDER", None),
    )
    return ip or "unknown"
