from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .dashboard import sections_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """`/`: one page, its sections chosen by the roles the person holds."""
    context = {"today": timezone.localdate(), "sections": sections_for(request.user)}
    return render(request, "reports/dashboard.html", context)
