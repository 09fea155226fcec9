import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Pages are personal data: no browser or proxy keeps a copy (`Cache-Control: no-store`).

    Static files never reach this (WhiteNoise answers them first, with long caching); a view
    that sets its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database (or Redis) answers a clean 503 page, not a half-done 500.

    wahaj.errors.server_error does the same for errors raised outside views (session save).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from wahaj.errors import (
            CACHE_UNAVAILABLE,
            DATABASE_UNAVAILABLE,
            cache_unavailable,
            database_unavailable,
        )

        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request)
        if isinstance(exception, CACHE_UNAVAILABLE):  # Redis, under a rate limit (wahaj.lib.cache)
            return cache_unavailable(request)
        return None


class SessionIdleMiddleware:
    """Sessions end after SESSION_COOKIE_AGE (30 minutes) without activity.

    Django's SESSION_SAVE_EVERY_REQUEST would renew the session by writing it on every page
    (a transaction and an UPDATE each). A session is renewed here at most once every
    SESSION_RENEW_SECONDS instead: the idle limit holds to within that minute, and most
    pages write nothing. An empty session (an anonymous visitor) is never created by this.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            # A session written anyway (a login, a form kept) is stamped for free.
            if session.modified or now - session.get(self.KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        return response


class ArabicFirstLocaleMiddleware(LocaleMiddleware):
    """The language is Arabic unless the person chose English (the switch's cookie).

    Django's LocaleMiddleware falls back to the browser's Accept-Language, so an English
    browser got English pages although the association works in Arabic (issue 16). The header
    is dropped before the choice is made: the cookie, then LANGUAGE_CODE, decide.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
