"""Managers' pages: the records of processing, the audit search and the breach register."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role

from . import breach
from .forms import AuditSearchForm, IncidentAuthorityForm, IncidentForm, IncidentMessageForm
from .processing import processing_records
from .selectors import audit_events_search, file_accesses_search, incident_for, incidents_list

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


# --- The breach register (PDPL implementing regulation, art. 24) ----------------------------
@role_required(Role.MANAGER)
def breaches(request: HttpRequest) -> HttpResponse:
    return render(
        request, "privacy/breaches.html", {"incidents": incidents_list(), "now": timezone.now()}
    )


@role_required(Role.MANAGER)
def breach_new(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        incident = breach.incident_record(
            actor=request.user,
            found_at=data["found_at"],
            what_happened=data["what_happened"],
            data_categories=data["data_categories"],
            people_affected=data["people_affected"],
            affected=data["file_numbers"],
        )
        messages.success(request, _("Incident recorded: the 72-hour clock runs."))
        return redirect("privacy:breach", pk=incident.pk)
    return render(request, "privacy/breach_form.html", {"form": form})


def _detail(request: HttpRequest, incident, status: int = 200, **forms) -> HttpResponse:
    now = timezone.now()
    hours, minutes = divmod(int(abs(incident.authority_time_left(now)).total_seconds()) // 60, 60)
    context = {
        "incident": incident,
        "now": now,
        "left_hours": hours,
        "left_minutes": minutes,
        "overdue": incident.authority_overdue(now),
        "affected": incident.affected.order_by("file_number"),
        "message_form": forms.get("message_form")
        or IncidentMessageForm(
            initial={"message_ar": incident.message_ar, "message_en": incident.message_en}
        ),
        "authority_form": forms.get("authority_form")
        or IncidentAuthorityForm(initial={"notified_at": timezone.localtime(now)}),
    }
    return render(request, "privacy/breach_detail.html", context, status=status)


@role_required(Role.MANAGER)
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, incident_for(request.user, pk))


def _refused(request: HttpRequest, error: breach.IncidentError) -> None:
    messages.error(request, str(error.message))


@require_POST
@role_required(Role.MANAGER)
def breach_message(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    form = IncidentMessageForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, status=400, message_form=form)
    try:
        breach.incident_message_approve(actor=request.user, incident=incident, **form.cleaned_data)
    except breach.IncidentError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Message approved."))
    return redirect("privacy:breach", pk=pk)


@require_POST
@role_required(Role.MANAGER)
def breach_notify(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    try:
        queued = breach.incident_women_notify(actor=request.user, incident=incident)
    except breach.IncidentError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            ngettext("%(count)d message queued.", "%(count)d messages queued.", queued)
            % {"count": queued},
        )
    return redirect("privacy:breach", pk=pk)


@require_POST
@role_required(Role.MANAGER)
def breach_authority(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    form = IncidentAuthorityForm(request.POST)
    if not form.is_valid():
        return _detail(request, incident, status=400, authority_form=form)
    try:
        breach.incident_authority_notified(
            actor=request.user,
            incident=incident,
            notified_at=form.cleaned_data["notified_at"],
            reference=form.cleaned_data["reference"],
        )
    except breach.IncidentError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The authority's notification is recorded."))
    return redirect("privacy:breach", pk=pk)


@require_POST
@role_required(Role.MANAGER)
def breach_close(request: HttpRequest, pk: int) -> HttpResponse:
    incident = incident_for(request.user, pk)
    try:
        breach.incident_close(actor=request.user, incident=incident)
    except breach.IncidentError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Incident closed."))
    return redirect("privacy:breach", pk=pk)
