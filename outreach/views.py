"""`/outreach/`: the work that reaches her before she asks, for intake and the researchers."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import role_required
from accounts.roles import Role

from .selectors import documents_expiring_open, reassessments_open_for

PAGE_SIZE = 50


@require_safe
@role_required(Role.INTAKE)
def work(request: HttpRequest) -> HttpResponse:
    """Documents about to expire (she was told), and the files due for reassessment — the
    user's own or unassigned ones — each a link to her file; 50 of each a page."""
    page = request.GET.get("page")
    documents = Paginator(documents_expiring_open(), PAGE_SIZE).get_page(page)
    reassessments = Paginator(reassessments_open_for(request.user), PAGE_SIZE).get_page(page)
    return render(
        request,
        "outreach/work.html",
        {
            "documents": documents,
            "reassessments": reassessments,
            "months": settings.REASSESSMENT_MONTHS,
        },
    )
