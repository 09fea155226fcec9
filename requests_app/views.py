"""Staff pages of support requests: the list, a new request, a request, its receipt.

Every view checks the role, then the object (404 outside her reach), calls one service and
turns its refusal into a message.
"""

from datetime import date, time, timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import role_required
from accounts.roles import Role
from beneficiaries.access import beneficiary_for_staff
from beneficiaries.forms import DocumentForm
from beneficiaries.selectors import household_income_summary
from beneficiaries.services import DocumentQuotaExceeded, document_add
from wahaj.lib.search import remember_search, search_params

from . import services
from .access import READ_ROLES, REQUEST_ROLES, support_request_for_staff, support_request_for_work
from .filters import SEARCH_SESSION_KEY, SupportRequestFilter, with_list_defaults
from .forms import (
    DeclarationForm,
    DeliverForm,
    HomeVisitForm,
    NoteForm,
    ReturnForm,
    StartResearchForm,
    SupportRequestForm,
    VerificationForm,
)
from .models import SupportRequest
from .selectors import (
    beneficiary_address,
    home_visits_of_researcher,
    support_request_detail,
    support_request_list,
    support_request_page,
    week_of,
)

State = SupportRequest.State
PAGE_SIZE = 50
SUBMITTED_PROMISE = gettext_lazy(
    "The request was submitted. Tell her that the research committee will study it and answer "
    "within two weeks."
)


@sensitive_post_parameters("q")
@require_http_methods(["GET", "POST"])
@role_required(*REQUEST_ROLES)
def support_request_index(request: HttpRequest) -> HttpResponse:
    """`/requests/`: filtered, searched, sorted by days left (overdue first), 50 a page.

    The search text (a reference, a name, a national ID) is posted and kept in the session,
    never in the address (`wahaj.lib.search`); the other filters stay in the address."""
    if request.method == "POST":
        return remember_search(request, SEARCH_SESSION_KEY, SupportRequestFilter.base_filters)
    data = with_list_defaults(search_params(request, SEARCH_SESSION_KEY))
    filterset = SupportRequestFilter(data, queryset=support_request_list(), request=request)
    page = Paginator(filterset.page_rows(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        # The reports app's CSV / XLSX links for this list, once it has them.
        "export_links": ["reports/_export_links.html", "requests_app/_nothing.html"],
    }
    return render(request, "requests_app/list.html", context)


@role_required(*REQUEST_ROLES)
def support_request_new(request: HttpRequest) -> HttpResponse:
    """`/requests/new/?beneficiary=<pk>`: a draft request for her."""
    try:
        beneficiary_pk = int(request.GET.get("beneficiary", ""))
    except ValueError:
        beneficiary_pk = 0
    beneficiary = beneficiary_for_staff(request.user, beneficiary_pk)
    form = SupportRequestForm(request.POST or None, initial={"channel": "interview"})
    if request.method == "POST" and form.is_valid():
        try:
            support_request = services.support_request_create(
                actor=request.user,
                beneficiary=beneficiary,
                request=request,
                **form.cleaned_data,
            )
        except services.InvalidTransition as refused:
            messages.error(request, refused.message)
        else:
            return redirect(support_request)
    context = {
        "beneficiary": beneficiary,
        "form": form,
        "income": household_income_summary(beneficiary),
    }
    return render(request, "requests_app/new.html", context)


@require_GET
@role_required(*READ_ROLES)
def support_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/requests/<pk>/`: her summary, documents, checklist, declaration, timeline, actions."""
    support_request = support_request_for_staff(request.user, pk, support_request_detail(pk))
    context = support_request_page(support_request)
    user = request.user
    context.update(
        {
            "can_edit": support_request.state in (State.DRAFT, State.RETURNED)
            and services.transition_allowed(support_request, "verify", user),
            "can_verify": services.transition_allowed(support_request, "verify", user),
            "actions": [
                # Several action forms have a `note`: ids per action, so none is repeated.
                {
                    "name": name,
                    "label": ACTION_LABELS[name],
                    "form": form_class(auto_id=f"id_{name}_%s"),
                }
                for name, (form_class, _service) in ACTIONS.items()
                if services.transition_allowed(support_request, name, user)
            ],
            "document_form": DocumentForm(),
            "declaration_form": DeclarationForm(),
            "verification_form": VerificationForm(initial={"items": context["checked_items"]}),
            "visit_states": services.VISIT_STATES,  # a researcher may schedule a home visit
            # The committee app plugs its research-report panel in here when it exists.
            "committee_panel": ["committee/_request_panel.html", "requests_app/_nothing.html"],
        }
    )
    return render(request, "requests_app/detail.html", context)


@require_GET
@role_required(*REQUEST_ROLES)
def support_request_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable support request form (طلب دعم مستفيد) with her declaration: her receipt."""
    support_request = support_request_for_staff(request.user, pk, support_request_detail(pk))
    return render(request, "requests_app/receipt.html", support_request_page(support_request))


def _back(support_request: SupportRequest, anchor: str = "") -> HttpResponseRedirect:
    return redirect(support_request.get_absolute_url() + anchor)


def _refused(request: HttpRequest, refused: services.InvalidTransition) -> None:
    messages.error(request, refused.message)
    for item in refused.missing:
        messages.warning(request, item)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@role_required(*REQUEST_ROLES)
def support_request_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Her signature of the declaration, witnessed by the member of staff."""
    support_request = support_request_for_work(request.user, pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(support_request, "#declaration")
    try:
        services.support_request_sign_declaration(
            actor=request.user,
            support_request=support_request,
            signed_name=form.cleaned_data["signed_name"],
            request=request,
        )
    except services.InvalidTransition as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Her declaration is signed."))
    return _back(support_request, "#declaration")


@require_POST
@role_required(*REQUEST_ROLES)
def support_request_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff verification checklist (policy step 2)."""
    support_request = support_request_for_work(request.user, pk)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(support_request, "#verification")
    try:
        services.support_request_verify(
            actor=request.user,
            support_request=support_request,
            items=form.cleaned_data["items"],
            request=request,
        )
    except services.InvalidTransition as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("The verification checklist is saved."))
    return _back(support_request, "#verification")


@require_POST
@role_required(*REQUEST_ROLES)
def support_request_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document to her file from the request page (it is hers, not the request's)."""
    support_request = support_request_for_work(request.user, pk)
    if not services.transition_allowed(support_request, "verify", request.user):
        messages.error(request, services.NOT_EDITABLE)
        return _back(support_request, "#documents")
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(support_request, "#documents")
    try:
        document_add(
            actor=request.user,
            beneficiary=support_request.beneficiary,
            content_type=form.content_type,
            request=request,
            **form.cleaned_data,
        )
    except DocumentQuotaExceeded as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document is on her file."))
    return _back(support_request, "#documents")


# The moves a staff page offers: the form each needs and its service. Sending to the committee
# and deciding are the committee app's pages (they check the research report and the quorum).
ACTIONS: dict[str, tuple[type[forms.Form], object]] = {
    "submit": (NoteForm, services.support_request_submit),
    "return": (ReturnForm, services.support_request_return),
    "resubmit": (NoteForm, services.support_request_resubmit),
    "start_research": (StartResearchForm, services.support_request_start_research),
    "deliver": (DeliverForm, services.support_request_deliver),
    "close": (NoteForm, services.support_request_close),
    "withdraw": (NoteForm, services.support_request_withdraw),
}


ACTION_LABELS = {
    "submit": gettext_lazy("Submit the request"),
    "return": gettext_lazy("Return to her for completion"),
    "resubmit": gettext_lazy("Resubmit"),
    "start_research": gettext_lazy("Start the social research"),
    "deliver": gettext_lazy("Record the delivery"),
    "close": gettext_lazy("Close the request"),
    "withdraw": gettext_lazy("Withdraw the request"),
}


@require_POST
@role_required(*REQUEST_ROLES)
def support_request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """`/requests/<pk>/<action>/`: one transition, by a staff member whose role allows it."""
    support_request = support_request_for_work(request.user, pk)
    form_class, service = ACTIONS[action]
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(support_request, "#actions")
    arguments = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    if action == "return":
        arguments["note"] = form.cleaned_data["note"]
    try:
        support_request = service(
            actor=request.user, support_request=support_request, request=request, **arguments
        )
    except services.InvalidTransition as refused:
        _refused(request, refused)
        return _back(support_request, "#actions")
    if action in ("submit", "resubmit"):
        messages.success(request, SUBMITTED_PROMISE)
        return redirect("requests_app:receipt", pk=support_request.pk)
    messages.success(
        request,
        _("Done: the request is now %(state)s.") % {"state": support_request.get_state_display()},
    )
    return _back(support_request)


# --- Home visits -----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@role_required(Role.RESEARCHER)
def home_visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """`/requests/<pk>/visits/new/`: the researcher schedules a home visit (address from file)."""
    support_request = support_request_for_work(request.user, pk)
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = HomeVisitForm(
        request.POST or None,
        initial={"date": tomorrow, "window_start": time(10), "window_end": time(12)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.home_visit_schedule(
                actor=request.user,
                support_request=support_request,
                request=request,
                **form.cleaned_data,
            )
        except services.InvalidTransition as refused:
            _refused(request, refused)
        else:
            messages.success(
                request,
                _("The home visit is scheduled; she will be told by text message the day before."),
            )
            return redirect(f"{reverse('requests_app:visits')}?week={visit.date.isoformat()}")
    context = {
        "sr": support_request,
        "form": form,
        "address": beneficiary_address(support_request.beneficiary),
    }
    return render(request, "requests_app/home_visit_form.html", context)


def _day(text: str) -> date | None:
    try:
        return parse_date(text[:10])
    except ValueError:  # well formed but no such day (2026-02-31)
        return None


@require_GET
@role_required(Role.RESEARCHER)
def home_visit_week(request: HttpRequest) -> HttpResponse:
    """`/requests/visits/?week=<any day of it>`: her home visits of one week, day by day."""
    day = _day(request.GET.get("week", "")) or timezone.localdate()
    start, end = week_of(day)
    visits = list(home_visits_of_researcher(request.user, start, end))
    days = [
        {
            "day": start + timedelta(days=n),
            "visits": [v for v in visits if v.date == start + timedelta(days=n)],
        }
        for n in range(7)
    ]
    context = {
        "days": days,
        "start": start,
        "end": end - timedelta(days=1),
        "previous": (start - timedelta(days=7)).isoformat(),
        "next": end.isoformat(),
        "today": timezone.localdate(),
    }
    return render(request, "requests_app/home_visits_week.html", context)
