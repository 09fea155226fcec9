"""Managers' pages: the records of processing and the audit search."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import role_required
from accounts.roles import Role

from .forms import AuditSearchForm
from .processing import processing_records
from .selectors import audit_events_search, file_accesses_search

PAGE_SIZE = 50
MAX_PAGE = 100_000


@role_required(Role.MANAGER)
def processing(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/processing.html", {"records": processing_records()})


@role_required(Role.MANAGER)
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the audit trail (changes) or the access log (views, downloads).

    No total count: the trail grows without end and counting it would cost more than the page.
    """
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    log = filters.get("log") or "changes"
    wanted = {k: v for k, v in filters.items() if v and k != "log"}
    if log == "access":
        wanted.pop("verb", None)
        wanted.pop("reference", None)
        rows = file_accesses_search(**wanted)
    else:
        rows = audit_events_search(**wanted)
    page_text = request.GET.get("page", "1")
    # isdecimal, not isdigit ("²" is a digit int() refuses); capped, so that the offset stays
    # far inside the database's integers (page=99999999999 was a 500, issue 18).
    page = min(int(page_text), MAX_PAGE) if page_text.isdecimal() and int(page_text) > 0 else 1
    window = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/audit.html",
        {
            "form": form,
            "log": log,
            "rows": window[:PAGE_SIZE],
            "page": page,
            "has_next": len(window) > PAGE_SIZE,
            "query": query.urlencode(),
        },
    )
