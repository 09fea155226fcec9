"""API rate limits (DRF throttles on the shared cache, so every gunicorn worker counts together):
one budget per token (or staff session) and one per address. RATELIMIT_ENABLE=0 turns them
off with the portal's limits (make bench)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from wahaj.lib.addresses import client_ip

from .models import ApiToken


class _Throttle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def allow_request(self, request, view) -> bool:
        if not settings.RATELIMIT_ENABLE:
            return True
        # Read the rate on each call so that a changed setting applies at once (tests too).
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class TokenThrottle(_Throttle):
    scope = "api.token"
    setting = "API_RATE_PER_TOKEN"

    def get_cache_key(self, request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif getattr(request.user, "is_authenticated", False):
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(_Throttle):
    scope = "api.address"
    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}


class AddressFirst:
    """Counts the address before anything else, authentication included: a script trying
    tokens, or calling without one, is slowed like any other caller (DRF would otherwise
    refuse it before its throttles run, and never count it)."""

    def initial(self, request, *args, **kwargs):
        throttle = AddressThrottle()
        if not throttle.allow_request(request, self):
            self.throttled(request, throttle.wait())
        super().initial(request, *args, **kwargs)
