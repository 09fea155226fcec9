from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.roles import Role
from committee.pdf import minutes_pdf_bytes
from wahaj.lib.search import search_params

from . import selectors, services
from .dashboard import sections_for
from .export_lists import EXPORTS
from .exports import csv_chunks, xlsx_file
from .models import Export
from .queues import queues_for

EXPORT_PERMISSION = "reports.export_data"
IDENTIFIERS_PERMISSION = "reports.view_personal_identifiers"
FULL_IDENTIFIERS_PARAM = "identifiers"  # `?identifiers=full`: the export unmasked
CONTENT_TYPES = {
    Export.Format.CSV: "text/csv; charset=utf-8",
    Export.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _chart(kind: str, rows: list[tuple[str, str, int]], label: str) -> dict:
    """The JSON a <canvas data-chart> draws (static/js/charts.js)."""
    return {
        "type": kind,
        "labels": [str(row_label) for _value, row_label, _n in rows],
        "datasets": [{"label": label, "data": [n for _value, _label, n in rows]}],
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """`/`: the work queue of each role she holds (reports/queues.py), then the manager's
    figures."""
    context = {
        "today": timezone.localdate(),
        "queues": queues_for(request.user),
        "sections": sections_for(request.user),
    }
    if request.user.has_role(Role.MANAGER):
        figures = selectors.manager_dashboard_cached()
        context["manager"] = figures
        context["dashboard_minutes"] = settings.DASHBOARD_CACHE_SECONDS // 60
        context["charts"] = {
            "states": _chart("bar", figures.open_states, _("Open requests")),
            "channels": _chart("doughnut", figures.by_channel, _("Requests")),
            "types": _chart("bar", figures.by_type, _("Requests")),
        }
    return render(request, "reports/dashboard.html", context)


def _report_context(request: HttpRequest) -> dict:
    month = selectors.Month.parse(request.GET.get("month"), timezone.localdate())
    return {"report": selectors.monthly_report(month), "month": month}


@role_required(Role.MANAGER)
def monthly_report(request: HttpRequest) -> HttpResponse:
    """`/reports/?month=YYYY-MM`: the board's monthly report, printable."""
    context = _report_context(request)
    context["months"] = _recent_months(12)
    return render(request, "reports/monthly.html", context)


def _recent_months(count: int) -> list[selectors.Month]:
    month = selectors.Month.of(timezone.localdate())
    months = []
    for _i in range(count):
        months.append(month)
        month = month.previous()
    return months


@role_required(Role.MANAGER)
def monthly_report_pdf(request: HttpRequest) -> HttpResponse:
    """The same report as a PDF, laid out by WeasyPrint like the committee's minutes."""
    context = _report_context(request)
    html = render_to_string("reports/monthly_pdf.html", context, request=request)
    response = HttpResponse(minutes_pdf_bytes(html), content_type="application/pdf")
    filename = f"wahaj-report-{context['month']}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def export(request: HttpRequest, list_name: str, fmt: str) -> HttpResponse:
    """`/reports/export/<list>.<csv|xlsx>?<the list's filter>`: streamed, audited, masked.

    Refused (403) without `reports.export_data`. National IDs and mobiles are masked unless
    `?identifiers=full` is asked by a holder of `reports.view_personal_identifiers` (a file of
    thousands of IDs leaves the building only when someone chose so); the audit row says which.
    """
    if not request.user.has_perm(EXPORT_PERMISSION):
        raise PermissionDenied(_("You may not export lists."))
    spec = EXPORTS.get(list_name)
    if spec is None or fmt not in Export.Format.values:
        raise Http404
    unmasked = request.GET.get(FULL_IDENTIFIERS_PARAM) == "full"
    if unmasked and not request.user.has_perm(IDENTIFIERS_PERMISSION):
        raise PermissionDenied(_("You may not export full national IDs and mobiles."))
    params = search_params(request, spec.session_key) if spec.session_key else request.GET
    if any("\x00" in text for key, values in params.lists() for text in (key, *values)):
        # No filter holds a NUL, and the audit row (JSON) could not store it (issue 18).
        return HttpResponseBadRequest()
    filters = {
        key: params.getlist(key)
        for key in params
        if key not in ("page", "q", FULL_IDENTIFIERS_PARAM)
    }
    services.export_record(
        actor=request.user,
        list_name=list_name,
        fmt=fmt,
        filters=filters,
        masked=not unmasked,
        request=request,
    )
    rows = spec.rows(params, unmasked=unmasked)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"wahaj-{list_name}-{stamp}.{fmt}"
    if fmt == Export.Format.CSV:
        response = StreamingHttpResponse(
            csv_chunks(spec.headers(), rows), content_type=CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    spool = xlsx_file(spec.title, spec.headers(), rows)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
    )
