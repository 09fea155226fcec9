"""Her voice (issue 20): an inquiry, complaint, suggestion or thanks — from her portal, or from
the public contact form by anyone, with a mobile proven by a one-time code (notifications'
phone codes) or, for a complaint only, anonymously. Rate-limited like /status/.

The mobile travels in the session between the two steps, never in a URL, and is never logged.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from feedback import services as ticket_services
from feedback.forms import PortalTicketForm, PublicTicketForm
from feedback.selectors import her_tickets
from notifications.services import (
    PHONE_CODE_REFUSED,
    PhoneCodeError,
    phone_code_send,
    phone_code_verify,
)
from wahaj.lib.choices import Channel

from . import ratelimits
from .forms import CodeForm
from .session import portal_login_required
from .views import _try_later, render_portal

PURPOSE = "feedback"
PENDING_KEY = "contact_pending"

TICKET_SENT = _("Your message was received. Its number is %(reference)s.")
CONTACT_CODE_SENT = _("A code was sent by text message to your mobile. It is valid for 5 minutes.")


# --- Her portal ----------------------------------------------------------------------------------
@never_cache
@portal_login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tickets(request: HttpRequest) -> HttpResponse:
    """Her messages to the association and their answers; a new one at the top."""
    form = PortalTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = ticket_services.ticket_create(
            actor=None,
            beneficiary=request.beneficiary,
            channel=Channel.WEBSITE,
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, TICKET_SENT % {"reference": ticket.reference})
        return redirect("portal:tickets")
    return render_portal(
        request,
        "portal/tickets.html",
        {
            "form": form,
            "tickets": her_tickets(request.beneficiary),
            "portal_section": "tickets",
        },
    )


# --- The public contact form ---------------------------------------------------------------
def _create(request: HttpRequest, data: dict) -> HttpResponse:
    ticket = ticket_services.ticket_create(
        actor=None,
        channel=Channel.WEBSITE,
        language=get_language() or "ar",
        request=request,
        kind=data["kind"],
        category=data["category"],
        text=data["text"],
        contact_name=data.get("contact_name", ""),
        contact_mobile=data.get("contact_mobile", ""),
    )
    return render_portal(
        request,
        "portal/contact_sent.html",
        {"ticket": ticket, "anonymous": ticket.anonymous},
    )


@sensitive_post_parameters("contact_mobile")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = PublicTicketForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.contact_limited(request):
            return _try_later(request)
        if form.is_valid():
            data = form.cleaned_data
            if data["anonymous"]:
                return _create(request, data)
            try:
                phone_code_send(
                    mobile=data["contact_mobile"], purpose=PURPOSE, language=get_language() or "ar"
                )
            except PhoneCodeError as error:
                form.add_error("contact_mobile", error.message)
            else:
                request.session[PENDING_KEY] = {
                    key: data[key]
                    for key in ("kind", "category", "text", "contact_name", "contact_mobile")
                }
                messages.info(request, CONTACT_CODE_SENT)
                return redirect("portal:contact_code")
    return render_portal(request, "portal/contact.html", {"form": form})


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("portal:contact")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if ratelimits.contact_code_limited(request):
            return _try_later(request)
        if form.is_valid():
            # Outside any transaction of ours: a wrong try must count even if nothing else is
            # written (notifications.services.phone_code_verify).
            if phone_code_verify(
                mobile=pending["contact_mobile"], purpose=PURPOSE, code=form.cleaned_data["code"]
            ):
                del request.session[PENDING_KEY]
                return _create(request, pending)
            form.add_error("code", PHONE_CODE_REFUSED)
    return render_portal(request, "portal/contact_code.html", {"form": form})
