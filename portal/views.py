"""The beneficiary's pages. Thin: a form validates, an access helper returns her object or
404, one service call, a refusal becomes a message.

No view here logs, redirects with, or puts in a URL her national ID: it travels only in
POST bodies (SPEC §6, PDPL).
"""

import json

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from weasyprint import HTML

from accounts.access import role_required
from accounts.roles import Role
from beneficiaries import services as beneficiary_services
from beneficiaries.forms import BaseDocumentFormSet, document_formset
from committee.services import CommitteeError
from requests_app.models import DECLARATION_TEXT_AR, SupportRequest
from requests_app.services import InvalidTransition
from surveys import services as survey_services
from surveys.forms import SurveyAnswerForm
from surveys.models import Response as SurveyResponse
from surveys.selectors import invitations_for_beneficiary, questions_of

from . import ratelimits, selectors, services
from .data_export import her_data, her_data_json
from .forms import (
    AppealForm,
    CodeForm,
    CorrectionCloseForm,
    CorrectionExtendForm,
    CorrectionForm,
    DeclarationForm,
    LoginForm,
    NewRequestForm,
    StatusForm,
    WithdrawForm,
    normalize_reference,
)
from .models import CorrectionRequest
from .selectors import open_corrections
from .services import CODE_LOCKED, CODE_MAX_ATTEMPTS, CODE_WRONG, PortalError
from .session import (
    portal_login_required,
    portal_pending_get,
    portal_pending_set,
    portal_session_end,
    portal_session_start,
)

STATUS_NOT_FOUND = _(
    "We found no request with this reference and this ID. Check both and try again."
)
CODE_SENT = _(
    "If this ID is registered with the association, a code has been sent by text message "
    "to the mobile number on her file. It is valid for 5 minutes."
)
LOGGED_OUT = _("You have logged out.")
SURVEY_THANKS = _("Your answers were received. Your opinion helps us improve our service.")
REQUEST_STARTED = _(
    "Your request is saved as a draft. Add any missing documents, then confirm and send it."
)
REQUEST_SENT = _("Your request has been sent. You will receive a text message with its reference.")
CHOOSE_A_FILE = _("Choose at least one file.")
REQUEST_WITHDRAWN = _("Your request has been withdrawn.")
CORRECTION_RECEIVED = _(
    "Your correction request has been received. The association will answer within 30 days."
)
REQUEST_INCOMPLETE = _("Your request cannot be sent yet. Still needed:")
REQUEST_NOT_OPEN = _(
    "This request cannot be changed now. Its page shows where it stands and what comes next."
)
APPEAL_FILED = _("Your appeal has been received. The committee will study your request again.")
CORRECTION_CLOSED = _("The correction request is marked as done.")
CORRECTION_EXTENDED = _("The answer is due 30 days later; she was sent the reason.")
CONSENT_WITHDRAWN = _("Your consent was withdrawn. We will no longer use your data for this.")

State = SupportRequest.State


def render_portal(
    request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a portal page: `portal_beneficiary` switches on her navigation."""
    context = {"portal_beneficiary": getattr(request, "beneficiary", None), **(context or {})}
    return render(request, template, context, status=status)


def _try_later(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render_portal(request, "portal/try_later.html", {"message": message}, status=429)


# --- /status/ ---------------------------------------------------------------------------------
@sensitive_post_parameters("national_id", "reference")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    """Anyone: reference + national ID → the state of that request in plain words."""
    form = StatusForm(request.POST or None)
    if request.method == "POST":
        reference = normalize_reference(request.POST.get("reference", ""))
        if ratelimits.status_lookup_limited(request, reference=reference):
            return _try_later(request)
        if form.is_valid():
            support_request = selectors.support_request_status_lookup(
                reference=form.cleaned_data["reference"],
                national_id=form.cleaned_data["national_id"],
            )
            if support_request is not None:
                return render_portal(
                    request,
                    "portal/status_result.html",
                    {
                        "support_request": support_request,
                        "plain_state": selectors.plain_state(support_request),
                        "next_step": selectors.next_step(support_request),
                        "steps": selectors.status_steps(support_request),
                    },
                )
            # A blank form: echoing what was typed would make the answers differ (and put
            # her ID back into a page).
            return render_portal(
                request, "portal/status.html", {"form": StatusForm(), "not_found": STATUS_NOT_FOUND}
            )
    return render_portal(request, "portal/status.html", {"form": form})


# --- Login with a one-time code ---------------------------------------------------------------
@sensitive_post_parameters("national_id")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """National ID → a code by SMS. The answer never says whether the ID is on file."""
    form = LoginForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.login_limited(request):
            return _try_later(request)
        if form.is_valid():
            try:
                beneficiary = services.portal_code_issue(
                    national_id=form.cleaned_data["national_id"]
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                portal_pending_set(request, beneficiary)
                messages.info(request, CODE_SENT)
                return redirect("portal:login_code")
    return render_portal(request, "portal/login.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    pending = portal_pending_get(request)
    if pending is None:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.code_entry_limited(request):
            return _try_later(request)
        if form.is_valid():
            try:
                beneficiary = services.portal_code_verify(
                    beneficiary_id=pending["beneficiary"],
                    code=form.cleaned_data["code"],
                    request=request,
                )
            except PortalError as error:
                form.add_error("code", _refusal_for(request, pending, error))
            else:
                portal_session_start(request, beneficiary)
                return redirect("portal:home")
    return render_portal(request, "portal/login_code.html", {"form": form})


def _refusal_for(request: HttpRequest, pending: dict, error: PortalError):
    """For an ID not on file, count the tries here so the fifth is refused like a real one."""
    if pending["beneficiary"] is not None or error.message != CODE_WRONG:
        return error.message
    pending["failures"] = pending.get("failures", 0) + 1
    request.session.modified = True
    return CODE_LOCKED if pending["failures"] >= CODE_MAX_ATTEMPTS else CODE_WRONG


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    portal_session_end(request)
    messages.info(request, LOGGED_OUT)
    return redirect("portal:login")


# --- Her pages --------------------------------------------------------------------------------
@never_cache
@portal_login_required
def home(request: HttpRequest) -> HttpResponse:
    """Her requests with their states and due dates."""
    support_requests = [
        (support_request, selectors.plain_state(support_request))
        for support_request in selectors.her_requests(request.beneficiary)
    ]
    return render_portal(
        request,
        "portal/home.html",
        {"support_requests": support_requests, "portal_section": "requests"},
    )


@never_cache
@portal_login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """A new request, entered by her: a draft she completes and sends from its page."""
    form = NewRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        support_request = services.portal_request_create(
            beneficiary=request.beneficiary, request=request, **form.cleaned_data
        )
        messages.success(request, REQUEST_STARTED)
        return redirect("portal:request_detail", pk=support_request.pk)
    return render_portal(
        request, "portal/request_new.html", {"form": form, "portal_section": "requests"}
    )


def _detail_context(request: HttpRequest, support_request: SupportRequest, **forms) -> dict:
    editable = support_request.state in (State.DRAFT, State.RETURNED)
    context = {
        "support_request": support_request,
        "plain_state": selectors.plain_state(support_request),
        "next_step": selectors.next_step(support_request),
        "steps": selectors.status_steps(support_request),
        "missing": selectors.what_she_still_needs(support_request) if editable else [],
        "documents": request.beneficiary.documents.all() if editable else [],
        "editable": editable,
        "upload_form": (
            document_formset(prefix="doc", rows=3)
            if editable or selectors.upload_open(request.beneficiary, support_request)
            else None
        ),
        "declaration_form": DeclarationForm() if support_request.state == State.DRAFT else None,
        "declaration_text": DECLARATION_TEXT_AR,
        "appeal_form": AppealForm() if support_request.state == State.REJECTED else None,
        "portal_section": "requests",
    }
    context.update({name: form for name, form in forms.items() if form is not None})
    return context


@never_cache
@portal_login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.her_request(request.beneficiary, pk)
    return render_portal(
        request, "portal/request_detail.html", _detail_context(request, support_request)
    )


def _refused(
    request: HttpRequest,
    error: InvalidTransition | PortalError | CommitteeError,
    support_request: SupportRequest,
) -> None:
    """Her refusal in her words: a request service's messages are written for staff."""
    if not isinstance(error, InvalidTransition):
        messages.error(request, error.message)
    elif error.missing:
        messages.error(request, REQUEST_INCOMPLETE)
        for item in selectors.what_she_still_needs(support_request):
            messages.error(request, item)
    else:
        messages.error(request, REQUEST_NOT_OPEN)


@portal_login_required
@require_POST
def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """She confirms the declaration and sends her draft."""
    support_request = selectors.her_request(request.beneficiary, pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, support_request, declaration_form=form)
        return render_portal(request, "portal/request_detail.html", context, status=400)
    try:
        services.portal_request_submit(
            beneficiary=request.beneficiary,
            support_request=support_request,
            signed_name=form.cleaned_data["signed_name"],
            request=request,
        )
    except InvalidTransition as error:
        _refused(request, error, support_request)
    else:
        messages.success(request, REQUEST_SENT)
    return redirect("portal:request_detail", pk=pk)


@portal_login_required
@require_POST
def request_document(request: HttpRequest, pk: int) -> HttpResponse:
    """She uploads missing documents, several at once, while the request is a draft or
    returned. Each accepted file is stored; a refused one is named with its reason and its row
    kept for her to choose the file again."""
    support_request = selectors.her_request(request.beneficiary, pk)
    if ratelimits.document_upload_limited(request):
        return _try_later(request, services.UPLOAD_RATE_LIMITED)
    if not selectors.upload_open(request.beneficiary, support_request):
        messages.error(request, services.UPLOAD_NOT_OPEN)
        return redirect("portal:request_detail", pk=pk)
    accepted, refused = document_formset(request.POST, request.FILES, prefix="doc").uploads()
    added = 0
    for form in accepted:
        try:
            services.portal_document_add(
                beneficiary=request.beneficiary,
                support_request=support_request,
                doc_type=form.cleaned_data["doc_type"],
                file=form.cleaned_data["file"],
                content_type=form.content_type,
                issued_on=form.cleaned_data.get("issued_on"),
                expires_on=form.cleaned_data.get("expires_on"),
                request=request,
            )
        except PortalError as error:  # her file is full: said once, no row to retry
            messages.error(request, error.message)
            break
        added += 1
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)d document has been added to your file.",
                "%(count)d documents have been added to your file.",
                added,
            )
            % {"count": added},
        )
    if accepted and not refused:
        return redirect("portal:request_detail", pk=pk)
    if not accepted and not refused:
        messages.error(request, CHOOSE_A_FILE)
    context = _detail_context(
        request,
        support_request,
        upload_form=document_formset(prefix="doc", retry=refused),
        refused=[BaseDocumentFormSet.refusal(form) for form in refused],
    )
    return render_portal(request, "portal/request_detail.html", context, status=400)


@portal_login_required
@require_POST
def request_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.her_request(request.beneficiary, pk)
    try:
        services.portal_request_resubmit(
            beneficiary=request.beneficiary, support_request=support_request, request=request
        )
    except InvalidTransition as error:
        _refused(request, error, support_request)
    else:
        messages.success(request, REQUEST_SENT)
    return redirect("portal:request_detail", pk=pk)


@never_cache
@portal_login_required
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    support_request = selectors.her_request(request.beneficiary, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_request_withdraw(
                beneficiary=request.beneficiary,
                support_request=support_request,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except InvalidTransition as error:
            _refused(request, error, support_request)
        else:
            messages.success(request, REQUEST_WITHDRAWN)
        return redirect("portal:request_detail", pk=pk)
    return render_portal(
        request,
        "portal/request_withdraw.html",
        {"form": form, "support_request": support_request, "portal_section": "requests"},
    )


@portal_login_required
@require_POST
def request_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """She appeals a rejection, with her reason."""
    support_request = selectors.her_request(request.beneficiary, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, support_request, appeal_form=form)
        return render_portal(request, "portal/request_detail.html", context, status=400)
    try:
        services.portal_request_appeal(
            beneficiary=request.beneficiary,
            support_request=support_request,
            reason=form.cleaned_data["reason"],
        )
    except CommitteeError as error:
        _refused(request, error, support_request)
    else:
        messages.success(request, APPEAL_FILED)
    return redirect("portal:request_detail", pk=pk)


@never_cache
@portal_login_required
def surveys(request: HttpRequest) -> HttpResponse:
    invitations = invitations_for_beneficiary(request.beneficiary)
    return render_portal(
        request, "portal/surveys.html", {"invitations": invitations, "portal_section": "surveys"}
    )


@never_cache
@portal_login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Her survey from the portal: the same questions as her link, which the database cannot
    give back (it keeps the link's hash), so the invitation is found as hers instead."""
    invitation = get_object_or_404(invitations_for_beneficiary(request.beneficiary), pk=pk)
    try:
        survey_services.invitation_check(invitation)
    except survey_services.SurveyLinkError as error:
        messages.info(request, error.message)
        return redirect("portal:surveys")
    form = SurveyAnswerForm(request.POST or None, questions=questions_of(invitation.survey))
    if request.method == "POST" and form.is_valid():
        try:
            survey_services.response_submit(
                invitation_id=invitation.pk,
                answers=form.answers(),
                channel=SurveyResponse.Channel.PORTAL,
            )
        except survey_services.SurveyLinkError as error:
            messages.info(request, error.message)
        else:
            messages.success(request, SURVEY_THANKS)
        return redirect("portal:surveys")
    context = {
        "survey": invitation.survey,
        "form": form,
        "base_template": "portal/base.html",
        "portal_section": "surveys",
    }
    return render_portal(request, "surveys/respond.html", context)


# --- Her data (PDPL) --------------------------------------------------------------------------
@never_cache
@portal_login_required
@require_http_methods(["GET", "POST"])
def data(request: HttpRequest) -> HttpResponse:
    """Her data: the two downloads, and a request to correct it."""
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.correction_request_create(
            beneficiary=request.beneficiary, details=form.cleaned_data["details"], request=request
        )
        messages.success(request, CORRECTION_RECEIVED)
        return redirect("portal:data")
    corrections = CorrectionRequest.objects.filter(beneficiary=request.beneficiary)
    consents = [c for c in request.beneficiary.consents.all() if c.purpose != "service"]
    return render_portal(
        request,
        "portal/data.html",
        {
            "form": form,
            "corrections": corrections,
            "consents": consents,
            "portal_section": "data",
        },
    )


@portal_login_required
@require_POST
def consent_withdraw(request: HttpRequest) -> HttpResponse:
    """She withdraws her consent to contact or surveys herself: dated, audited, effective now."""
    purpose = request.POST.get("purpose", "")
    try:
        beneficiary_services.consent_withdraw(
            actor=None, beneficiary=request.beneficiary, purpose=purpose, request=request
        )
    except beneficiary_services.InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, CONSENT_WITHDRAWN)
    return redirect("portal:data")


def _download_name(beneficiary, extension: str) -> str:
    return f"wahaj-my-data-{beneficiary.file_number}.{extension}"


@never_cache
@portal_login_required
def data_json(request: HttpRequest) -> HttpResponse:
    body = json.dumps(
        her_data_json(request.beneficiary), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(request.beneficiary, "json")}"'
    )
    return response


@never_cache
@portal_login_required
def data_pdf(request: HttpRequest) -> HttpResponse:
    html = render_to_string(
        "portal/data_pdf.html",
        {
            "beneficiary": request.beneficiary,
            "sections": her_data(request.beneficiary),
            "generated_at": timezone.now(),
        },
        request=request,
    )
    # No base URL fetch: the template carries its own styles and fonts come from the system.
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(request.beneficiary, "pdf")}"'
    )
    return response


# --- Staff: the correction requests intake must answer ----------------------------------------
@role_required(Role.INTAKE)
def corrections(request: HttpRequest) -> HttpResponse:
    """Open correction requests, the nearest due first (PDPL: 30 days)."""
    return render(
        request,
        "portal/corrections.html",
        {"corrections": open_corrections(), "close_form": CorrectionCloseForm()},
    )


@role_required(Role.INTAKE)
@require_POST
def correction_close(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(CorrectionRequest, pk=pk)
    form = CorrectionCloseForm(request.POST)
    form.is_valid()
    services.correction_request_close(
        actor=request.user, correction=correction, answer=form.cleaned_data.get("answer", "")
    )
    messages.success(request, CORRECTION_CLOSED)
    return redirect("portal:corrections")


@role_required(Role.INTAKE)
@require_POST
def correction_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """30 more days, once, and a message to her that says why (PDPL)."""
    correction = get_object_or_404(CorrectionRequest, pk=pk)
    form = CorrectionExtendForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.correction_request_extend(
            actor=request.user, correction=correction, reason=reason, request=request
        )
    except services.PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, CORRECTION_EXTENDED)
    return redirect("portal:corrections")
