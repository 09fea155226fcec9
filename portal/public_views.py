"""Public pages of the association's website that need no file: `/services/` (issue 20)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from .selectors import services_page_content
from .views import render_portal


@require_safe
def services_page(request: HttpRequest) -> HttpResponse:
    """Anyone: each support type, who it is for, what to bring, how long a decision takes,
    how to apply and how to complain — the text managers keep in the admin."""
    general, entries = services_page_content("en" if get_language() == "en" else "ar")
    return render_portal(request, "portal/services.html", {"general": general, "entries": entries})
