"""`/apply/`: a woman who is not on file applies on the website (issue 20, policy channel 7).

Four steps, what she typed kept in her session between them (she can go back to any step):
her national ID and mobile → the code sent to that mobile → her identity and household → the
request, its documents, her declaration. The last step calls one service
(`portal_application_submit`) that opens her file and submits the request with the existing
services. Every answer is the same whether or not the ID or mobile is on file.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from beneficiaries.forms import document_formset, household_formset
from notifications.services import (
    PHONE_CODE_REFUSED,
    PhoneCodeError,
    phone_code_send,
    phone_code_verify,
)
from requests_app.models import DECLARATION_TEXT_AR
from requests_app.services import InvalidTransition

from . import ratelimits, services
from .apply_forms import ApplyDetailsForm, ApplyRequestForm, ApplyStartForm
from .forms import CodeForm
from .views import render_portal

APPLY_KEY = "portal_apply"
CODE_PURPOSE = "apply"
APPLY_CODE_SENT = _(
    "A code has been sent by text message to %(mobile)s. It is valid for 5 minutes."
)
APPLY_NOT_COMPLETE = _("Your application cannot be sent yet:")


def _state(request: HttpRequest) -> dict | None:
    return request.session.get(APPLY_KEY)


def _save(request: HttpRequest, state: dict) -> None:
    request.session[APPLY_KEY] = state
    request.session.modified = True


def _typed(request: HttpRequest) -> dict[str, list[str]]:
    """What she typed on a step, kept to fill the step again (never a file, never the token)."""
    return {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}


def _bound(typed: dict[str, list[str]] | None) -> QueryDict | None:
    if not typed:
        return None
    data = QueryDict(mutable=True)
    data.update(MultiValueDict(typed))
    return data


def _details_forms(data) -> tuple[ApplyDetailsForm, object]:
    return ApplyDetailsForm(data), household_formset(data)


# --- Step 1: her ID and mobile ------------------------------------------------------------------
@sensitive_post_parameters("national_id", "mobile")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply_start(request: HttpRequest) -> HttpResponse:
    """Anyone: national ID and mobile → a code to that mobile. Nothing here reads a file."""
    form = ApplyStartForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.apply_limited(request):
            return render_portal(request, "portal/try_later.html", status=429)
        if form.is_valid():
            mobile = form.cleaned_data["mobile"]
            try:
                phone_code_send(mobile=mobile, purpose=CODE_PURPOSE, language=get_language())
            except PhoneCodeError as error:
                form.add_error(None, error.message)
            else:
                previous = _state(request) or {}
                same_person = previous.get("national_id") == form.cleaned_data["national_id"]
                _save(
                    request,
                    {
                        "national_id": form.cleaned_data["national_id"],
                        "mobile": mobile,
                        "verified": False,
                        # Another ID starts afresh; the same one keeps what she typed.
                        "details": previous.get("details") if same_person else None,
                    },
                )
                return redirect("portal:apply_code")
    if request.method != "POST":
        return _first_page(request)
    return render_portal(request, "portal/apply_start.html", {"form": form, "step": 1})


# The first page is an empty form, the same for every visitor but for its CSRF token: rendered
# once per language and process, the visitor's token put in its place on each request (the page
# is measured against a bare view: `make bench`, apply_over_bare_view). A page that has
# something of its own to show (a message, her portal navigation) is rendered as usual.
_FIRST_PAGES: dict[str, str] = {}
_CSRF_PLACE = "apply-csrf-slot"


def _first_page(request: HttpRequest) -> HttpResponse:
    if len(messages.get_messages(request)) or getattr(request, "beneficiary", None) is not None:
        context = {"form": ApplyStartForm(), "step": 1}
        return render_portal(request, "portal/apply_start.html", context)
    language = get_language()
    if language not in _FIRST_PAGES:
        context = {"form": ApplyStartForm(), "step": 1, "csrf_token": _CSRF_PLACE}
        page = render_portal(request, "portal/apply_start.html", context)
        _FIRST_PAGES[language] = page.content.decode()
    return HttpResponse(_FIRST_PAGES[language].replace(_CSRF_PLACE, get_token(request)))


# --- Step 2: the code -------------------------------------------------------------------------
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply_code(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None:
        return redirect("portal:apply")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.code_entry_limited(request):
            return render_portal(request, "portal/try_later.html", status=429)
        if form.is_valid():
            if phone_code_verify(
                mobile=state["mobile"], purpose=CODE_PURPOSE, code=form.cleaned_data["code"]
            ):
                request.session.cycle_key()  # a new session id once the phone is proven
                _save(request, {**state, "verified": True})
                return redirect("portal:apply_details")
            form.add_error("code", PHONE_CODE_REFUSED)
    sent = APPLY_CODE_SENT % {"mobile": state["mobile"]}
    return render_portal(request, "portal/apply_code.html", {"form": form, "sent": sent, "step": 2})


def _verified(request: HttpRequest) -> dict | None:
    state = _state(request)
    return state if state and state.get("verified") else None


# --- Step 3: her identity and household ---------------------------------------------------------
@sensitive_post_parameters()  # her identity, income and IBAN: never in an error report
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply_details(request: HttpRequest) -> HttpResponse:
    state = _verified(request)
    if state is None:
        return redirect("portal:apply")
    if request.method == "POST":
        if ratelimits.apply_limited(request):
            return render_portal(request, "portal/try_later.html", status=429)
        form, household = _details_forms(request.POST)
        _save(request, {**state, "details": _typed(request)})
        if form.is_valid() and household.is_valid():
            return redirect("portal:apply_request")
        status = 400
    else:
        form, household = _details_forms(_bound(state.get("details")))
        status = 200
    return render_portal(
        request,
        "portal/apply_details.html",
        {"form": form, "household": household, "step": 3},
        status=status,
    )


# --- Step 4: the request, its documents, the declaration ----------------------------------------
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def apply_request(request: HttpRequest) -> HttpResponse:
    state = _verified(request)
    if state is None:
        return redirect("portal:apply")
    details, household = _details_forms(_bound(state.get("details")))
    if not (details.is_valid() and household.is_valid()):
        return redirect("portal:apply_details")
    if request.method != "POST":
        context = _request_context(ApplyRequestForm(), document_formset(prefix="doc"))
        return render_portal(request, "portal/apply_request.html", context)
    if ratelimits.apply_limited(request):
        return render_portal(request, "portal/try_later.html", status=429)
    return _apply_request_post(request, state, details, household)


def _apply_request_post(request: HttpRequest, state: dict, details, household) -> HttpResponse:
    form = ApplyRequestForm(request.POST)
    uploads = document_formset(request.POST, request.FILES, prefix="doc")
    accepted, refused = uploads.uploads()
    if form.is_valid() and not refused:
        form.check_complete(uploads=accepted, iban=details.cleaned_data.get("iban"))
    if not form.is_valid() or refused:
        retry = document_formset(prefix="doc", retry=[*accepted, *refused])
        return render_portal(
            request, "portal/apply_request.html", _request_context(form, retry), status=400
        )
    try:
        services.portal_application_submit(
            data={
                **details.model_data(),
                "national_id": state["national_id"],
                "mobile": state["mobile"],
                "preferred_language": get_language() if get_language() in ("ar", "en") else "ar",
            },
            categories=details.cleaned_data.get("categories") or [],
            income=details.income(),
            members=[m.data for m in household.members() if not m.delete],
            documents=[
                services.UploadedDocument(
                    doc_type=f.cleaned_data["doc_type"],
                    file=f.cleaned_data["file"],
                    content_type=f.content_type,
                    issued_on=f.cleaned_data.get("issued_on"),
                    expires_on=f.cleaned_data.get("expires_on"),
                )
                for f in accepted
            ],
            request_type=form.cleaned_data["request_type"],
            amount_requested=form.cleaned_data["amount_requested"],
            description=form.cleaned_data["description"],
            signed_name=form.cleaned_data["signed_name"],
            consent_purposes=form.consent_purposes(),
            request=request,
        )
    except (InvalidTransition, services.PortalError) as error:
        missing = getattr(error, "missing", None) or [error.message]
        form.add_error(None, APPLY_NOT_COMPLETE)
        for item in missing:
            form.add_error(None, item)
        retry = document_formset(prefix="doc", retry=accepted)
        return render_portal(
            request, "portal/apply_request.html", _request_context(form, retry), status=400
        )
    request.session.pop(APPLY_KEY, None)
    return redirect("portal:apply_done")


def _request_context(form: ApplyRequestForm, uploads) -> dict:
    return {
        "form": form,
        "upload_form": uploads,
        "declaration_text": DECLARATION_TEXT_AR,
        "step": 4,
    }


@never_cache
def apply_done(request: HttpRequest) -> HttpResponse:
    """The same page whether her file was opened or the ID or mobile was on file already."""
    return render_portal(request, "portal/apply_done.html")
