"""Error pages: in Arabic, without a traceback, with an incident number staff can quote."""

import contextlib
import logging
import sys
import uuid

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from wahaj.lib.cache import CACHE_UNAVAILABLE

logger = logging.getLogger("wahaj.errors")


def _render(request: HttpRequest | None, template: str, status: int, **context) -> HttpResponse:
    try:
        body = render_to_string(template, context, request=request)
    except Exception:  # noqa: BLE001 - an error page must never fail itself
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/404.html", 404)


# The database went away (restart, fail-over, a killed connection): psycopg raises one of these.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest | None) -> HttpResponse:
    """503 with a Retry-After: the change she was making was rolled back, she may retry.

    Every write runs in a service's transaction, so a connection lost mid-request commits
    nothing. The broken connection is dropped so the next request opens a fresh one.
    """
    incident = uuid.uuid4().hex[:10].upper()
    path = request.path if request is not None else "-"
    logger.error("incident %s: database unavailable on %s", incident, path)
    for conn in connections.all(initialized_only=True):
        # A dead connection may fail to close: it is dropped all the same.
        with contextlib.suppress(Exception):
            conn.close()
    response = _render(None, "errors/503.html", 503, incident=incident)
    response["Retry-After"] = "30"
    return response


def cache_unavailable(request: HttpRequest | None) -> HttpResponse:
    """503 with a Retry-After when Redis does not answer a page that needs it: the public
    pages' rate limits cannot count without it, and refusing is safer than not counting."""
    incident = uuid.uuid4().hex[:10].upper()
    path = request.path if request is not None else "-"
    logger.error("incident %s: cache unavailable on %s", incident, path)
    response = _render(None, "errors/503.html", 503, incident=incident)
    response["Retry-After"] = "30"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        # Raised outside a view (e.g. saving the session): the same clean 503.
        return database_unavailable(request)
    if isinstance(sys.exc_info()[1], CACHE_UNAVAILABLE):
        return cache_unavailable(request)
    incident = uuid.uuid4().hex[:10].upper()
    # The path only: query strings and bodies may carry personal data.
    logger.error("incident %s on %s %s", incident, request.method, request.path)
    # Rendered without the request: no context processor may touch a failing database.
    return _render(None, "errors/500.html", 500, incident=incident)
