"""Error pages: in Arabic, without a traceback, with an incident number staff can quote."""

import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("wahaj.errors")


def _render(
    request: HttpRequest | None, template: str, status: int, **context
) -> HttpResponse:
    try:
        body = render_to_string(template, context, request=request)
    except Exception:  # noqa: BLE001 - an error page must never fail itself
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    incident = uuid.uuid4().hex[:10].upper()
    # The path only: query strings and bodies may carry personal data.
    logger.error("incident %s on %s %s", incident, request.method, request.path)
    # Rendered without the request: no context processor may touch a failing database.
    return _render(None, "errors/500.html", 500, incident=incident)
