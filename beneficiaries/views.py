"""Thin views: a form validates, an access helper returns the file or 404, one service writes."""

from functools import cache

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.selectors import events_for
from wahaj.lib.search import remember_search, search_params

from . import services
from .access import (
    FILE_ROLES,
    READ_ROLES,
    beneficiary_for_editing,
    beneficiary_for_staff,
    may_see_identifiers,
)
from .forms import (
    BaseDocumentFormSet,
    BeneficiaryForm,
    ConsentForm,
    ConsentWithdrawForm,
    ContactForm,
    DocumentForm,
    ReferralCloseForm,
    ReferralForm,
    RegistrationReasonForm,
    SearchForm,
    document_formset,
    household_formset,
)
from .models import Document, FileAccess, Referral, RegistrationStatus
from .selectors import (
    beneficiary_change_history,
    beneficiary_search,
    household_flags,
    household_income_summary,
    referrals_open_for,
    registration_gaps,
)
from .uploads import EXTENSIONS

PAGE_SIZES = (25, 50, 100)
# The requests app fills the file page's requests section with this partial once it exists.
REQUESTS_PARTIAL = "requests_app/_beneficiary_requests.html"


@cache
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@sensitive_post_parameters("q")
@role_required(*FILE_ROLES)
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """Search by name, national ID, mobile or file number. The search text is posted and kept
    in the session (`wahaj.lib.search`), so an identifier never appears in an address, a
    browser history or a server log. National IDs and mobiles are masked without the
    identifiers permission."""
    if request.method == "POST":
        return remember_search(request, SearchForm.session_key, SearchForm.base_fields)
    form = SearchForm(search_params(request, SearchForm.session_key) or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = beneficiary_search(**{k: v for k, v in filters.items() if v})
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page.isdecimal() and int(per_page) in PAGE_SIZES else 25
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "beneficiaries/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_identifiers": may_see_identifiers(request.user),
        },
    )


def _duplicate_message(error: services.DuplicateBeneficiary) -> str:
    url = reverse("beneficiaries:detail", args=[error.existing.pk])
    if error.field == "national_id":
        text = _("This national ID is already on file {file_number}: here is her file.")
    else:
        text = _("This mobile is already on file {file_number} ({name}).")
    return format_html(
        '<a href="{}">{}</a>',
        url,
        text.format(file_number=error.existing.file_number, name=error.existing.full_name),
    )


# Her identifiers never reach an error report (Django's reporter shows them as stars).
IDENTIFYING_POST_FIELDS = ("national_id", "mobile", "phone2", "iban", "email", "full_name")


@sensitive_post_parameters(*IDENTIFYING_POST_FIELDS)
@role_required(*FILE_ROLES)
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    """Register her: identity, income, household inline, a first document (optional), and her
    consent under the privacy notice (PDPL)."""
    data = request.POST if request.method == "POST" else None
    form = BeneficiaryForm(data)
    household = household_formset(data)
    document = DocumentForm(data, request.FILES or None, required=False, prefix="document")
    consent = ConsentForm(data, prefix="consent")
    valid = data is not None and all(
        [form.is_valid(), household.is_valid(), document.is_valid(), consent.is_valid()]
    )
    if valid:
        try:
            with transaction.atomic():
                beneficiary = services.beneficiary_register(
                    actor=request.user,
                    data=form.model_data(),
                    categories=form.cleaned_data["categories"],
                    income=form.income(),
                    members=[m.data for m in household.members() if not m.delete],
                    consent_purposes=consent.cleaned_data["purposes"],
                    request=request,
                )
                if document.has_file():
                    _document_add(request, beneficiary, document)
        except services.DuplicateBeneficiary as error:
            if error.field == "national_id":
                # The same woman: send the desk to her file rather than a second one.
                messages.warning(request, _duplicate_message(error))
                return redirect("beneficiaries:detail", pk=error.existing.pk)
            form.add_error("mobile", _duplicate_message(error))
        else:
            messages.success(
                request,
                _("File {file_number} opened.").format(file_number=beneficiary.file_number),
            )
            if household_flags(beneficiary):
                messages.warning(request, _("A household member's national ID is on another file."))
            return redirect("beneficiaries:detail", pk=beneficiary.pk)
    return render(
        request,
        "beneficiaries/form.html",
        {
            "form": form,
            "household": household,
            "document": document,
            "consent": consent,
            "creating": True,
        },
    )


@sensitive_post_parameters(*IDENTIFYING_POST_FIELDS)
@role_required(*FILE_ROLES)
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = beneficiary_for_editing(request.user, pk)
    data = request.POST if request.method == "POST" else None
    if data is None:
        services.file_access_record(
            user=request.user, beneficiary=beneficiary, kind=FileAccess.Kind.EDIT, request=request
        )
    form = BeneficiaryForm(data, instance=beneficiary)
    household = household_formset(data, beneficiary=beneficiary)
    conflict = None
    if data is not None and form.is_valid() and household.is_valid():
        try:
            services.beneficiary_update(
                actor=request.user,
                beneficiary=beneficiary,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.model_data(),
                categories=form.cleaned_data["categories"],
                income=form.income(),
                members=household.members(),
                request=request,
            )
        except services.EditConflict as error:
            conflict = error
            # Her input stays on the form; saving again now is a deliberate overwrite.
            form.data = form.data.copy()
            form.data["version"] = error.beneficiary.version
        except services.DuplicateBeneficiary as error:
            form.add_error(error.field, _duplicate_message(error))
        else:
            messages.success(request, _("The file was saved."))
            return redirect("beneficiaries:detail", pk=beneficiary.pk)
    return render(
        request,
        "beneficiaries/form.html",
        {
            "form": form,
            "household": household,
            "beneficiary": beneficiary,
            "conflict": conflict,
            "conflict_message": services.EDIT_CONFLICT,
        },
        status=409 if conflict else 200,
    )


@role_required(*READ_ROLES)
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = beneficiary_for_staff(request.user, pk)
    services.file_access_record(
        user=request.user, beneficiary=beneficiary, kind=FileAccess.Kind.FILE, request=request
    )
    household = list(beneficiary.household.all())
    can_edit = request.user.has_role(*FILE_ROLES)
    context = {
        "beneficiary": beneficiary,
        "can_edit": can_edit,
        "categories": [c.get_category_display() for c in beneficiary.categories.all()],
        "income_sources": list(beneficiary.income_sources.all()),
        "household": household,
        "flags": household_flags(beneficiary),
        "summary": household_income_summary(beneficiary),
        "documents": list(beneficiary.documents.select_related("uploaded_by")),
        "contacts": list(beneficiary.contacts.select_related("staff")[:50]),
        "referrals": list(beneficiary.referrals.select_related("referred_by", "assigned_to")),
        "history": beneficiary_change_history(beneficiary),
        "events": events_for(beneficiary).order_by("-created_at")[:50],
        "requests_partial": REQUESTS_PARTIAL if _template_exists(REQUESTS_PARTIAL) else "",
        "document_form": document_formset(rows=3) if can_edit else None,
        "contact_form": ContactForm(prefix="contact") if can_edit else None,
        "referral_form": ReferralForm(prefix="referral") if can_edit else None,
        "consents": list(beneficiary.consents.select_related("withdrawn_by")),
        "consent_form": ConsentWithdrawForm(prefix="consent") if can_edit else None,
        "close_form": ReferralCloseForm(),
        "can_close": request.user.has_role(Role.RESEARCHER),
        **_registration_context(beneficiary, can_edit),
    }
    return render(request, "beneficiaries/detail.html", context)


def _registration_context(beneficiary, can_edit: bool) -> dict:
    """The file page's registration card: what still blocks completion, and the moves open."""
    status = beneficiary.registration_status
    reason_event = (
        events_for(beneficiary)
        .filter(verb="registration_suspended")
        .order_by("-created_at")
        .first()
        if status == RegistrationStatus.SUSPENDED
        else None
    )
    return {
        "registration_gaps": (
            registration_gaps(beneficiary) if status == RegistrationStatus.INCOMPLETE else []
        ),
        "suspension": reason_event,
        "registration_form": (
            RegistrationReasonForm(prefix="registration")
            if can_edit and status != RegistrationStatus.INCOMPLETE
            else None
        ),
    }


_REGISTRATION_MOVES = {
    "complete": (services.beneficiary_registration_complete, _("Her registration is complete.")),
    "suspend": (services.beneficiary_suspend, _("Her registration is suspended.")),
    "reactivate": (services.beneficiary_reactivate, _("Her registration is reactivated.")),
}


@require_POST
@role_required(*FILE_ROLES)
def registration_change(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """Complete, suspend or reactivate her registration (the last two with a reason)."""
    if move not in _REGISTRATION_MOVES:
        raise Http404
    beneficiary = beneficiary_for_editing(request.user, pk)
    service, done = _REGISTRATION_MOVES[move]
    kwargs = {}
    if move != "complete":
        form = RegistrationReasonForm(request.POST, prefix="registration")
        kwargs["reason"] = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        beneficiary = service(
            actor=request.user, beneficiary=beneficiary, request=request, **kwargs
        )
    except services.InvalidTransition as error:
        messages.error(request, error.message)
        for item in error.missing:
            messages.error(request, item)
    else:
        messages.success(request, done)
        if beneficiary.registration_status == RegistrationStatus.INCOMPLETE:
            messages.warning(request, _("Some requirements no longer hold: see what is missing."))
    return redirect(reverse("beneficiaries:detail", args=[pk]) + "#registration")


@require_POST
@role_required(*FILE_ROLES)
def document_verify(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Staff matched the document against the original she showed."""
    beneficiary = beneficiary_for_editing(request.user, pk)
    document = get_object_or_404(Document, beneficiary=beneficiary, pk=document_pk)
    try:
        services.document_verify(actor=request.user, document=document, request=request)
    except services.InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document is marked as verified."))
    return redirect(reverse("beneficiaries:detail", args=[pk]) + "#documents")


def _document_add(request: HttpRequest, beneficiary, form: DocumentForm):
    """Store one checked document form's file on her file (the one call of both uploads)."""
    return services.document_add(
        actor=request.user,
        beneficiary=beneficiary,
        file=form.cleaned_data["file"],
        content_type=form.content_type,
        doc_type=form.cleaned_data["doc_type"],
        issued_on=form.cleaned_data["issued_on"],
        expires_on=form.cleaned_data["expires_on"],
        request=request,
    )


@role_required(*FILE_ROLES)
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Several documents in one submit. Each accepted file is stored; a refused one is named
    with its reason and its row kept (type, dates) for her to choose the file again."""
    beneficiary = beneficiary_for_editing(request.user, pk)
    if request.method != "POST":
        return render(
            request,
            "beneficiaries/document_form.html",
            {"beneficiary": beneficiary, "formset": document_formset()},
        )
    accepted, refused = document_formset(request.POST, request.FILES).uploads()
    for form in list(accepted):
        try:
            _document_add(request, beneficiary, form)
        except services.DocumentQuotaExceeded as error:  # her file is full: this one is refused
            form.add_error("file", error.message)
            accepted.remove(form)
            refused.append(form)
    if accepted:
        messages.success(
            request,
            ngettext(
                "%(count)d document was added.", "%(count)d documents were added.", len(accepted)
            )
            % {"count": len(accepted)},
        )
    if accepted and not refused:
        return redirect(reverse("beneficiaries:detail", args=[pk]) + "#documents")
    if not accepted and not refused:
        messages.error(request, _("Choose at least one file."))
    context = {
        "beneficiary": beneficiary,
        "formset": document_formset(retry=refused),
        "refused": [BaseDocumentFormSet.refusal(form) for form in refused],
    }
    return render(request, "beneficiaries/document_form.html", context, status=400)


@role_required(*READ_ROLES)
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """Serve a document only to who may read her file; recorded (PDPL)."""
    beneficiary = beneficiary_for_staff(request.user, pk)
    document = get_object_or_404(beneficiary.documents, pk=document_pk)
    services.file_access_record(
        user=request.user,
        beneficiary=beneficiary,
        kind=FileAccess.Kind.DOCUMENT,
        document=document,
        request=request,
    )
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=request.GET.get("inline") != "1",
        # The extension of the type detected at upload, never of the name she sent.
        filename=f"{beneficiary.file_number}-{document.doc_type}-{document.pk}"
        + EXTENSIONS.get(document.content_type, ".bin"),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(*FILE_ROLES)
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = beneficiary_for_editing(request.user, pk)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        services.contact_record(actor=request.user, beneficiary=beneficiary, **form.cleaned_data)
        messages.success(request, _("The contact was recorded."))
    else:
        messages.error(request, _("The contact was not recorded: fill in every field."))
    return redirect(reverse("beneficiaries:detail", args=[pk]) + "#contacts")


@require_POST
@role_required(*FILE_ROLES)
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """She told staff she withdraws a purpose: recorded in her words, dated, audited."""
    beneficiary = beneficiary_for_editing(request.user, pk)
    form = ConsentWithdrawForm(request.POST, prefix="consent")
    if not form.is_valid():
        messages.error(request, services.CONSENT_WORDS_REQUIRED)
    else:
        try:
            services.consent_withdraw(
                actor=request.user, beneficiary=beneficiary, request=request, **form.cleaned_data
            )
        except services.InvalidTransition as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Her withdrawal of consent was recorded."))
    return redirect(reverse("beneficiaries:detail", args=[pk]) + "#consents")


@require_POST
@role_required(*FILE_ROLES)
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = beneficiary_for_editing(request.user, pk)
    form = ReferralForm(request.POST, prefix="referral")
    if form.is_valid():
        services.referral_create(
            actor=request.user,
            beneficiary=beneficiary,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(request, _("She was referred to the social-research officer."))
    else:
        messages.error(request, _("Write the reason for the referral."))
    return redirect(reverse("beneficiaries:detail", args=[pk]) + "#referrals")


@role_required(Role.RESEARCHER)
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "beneficiaries/referrals.html",
        {"referrals": referrals_open_for(request.user), "close_form": ReferralCloseForm()},
    )


@require_POST
@role_required(Role.RESEARCHER)
def referral_close(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral.objects.select_related("beneficiary"), pk=pk)
    form = ReferralCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer before closing the referral."))
    else:
        try:
            services.referral_close(
                actor=request.user,
                referral=referral,
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except services.InvalidTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The referral was closed."))
    if request.POST.get("back") == "file":
        return redirect(
            reverse("beneficiaries:detail", args=[referral.beneficiary_id]) + "#referrals"
        )
    return redirect("beneficiaries:referrals")
