"""Staff pages of tickets. Thin: a form validates, `ticket_for` returns the ticket or 404
(a complaint about the viewer is a 404), one service call, a refusal becomes a message."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.roles import Role
from audit.models import Event

from . import selectors, services
from .forms import AnswerForm, AssignForm, ReopenForm, TicketFilterForm, TicketRecordForm
from .services import TicketError

HANDLERS = selectors.HANDLERS
PER_PAGE = 50

RECORDED = _("The ticket is recorded.")
ASSIGNED = _("The ticket is assigned.")
ANSWERED = _("The answer is saved and sent to her.")
CLOSED = _("The ticket is closed.")
REOPENED = _("The ticket is reopened, with a new deadline.")


@role_required(*HANDLERS)
@require_http_methods(["GET", "HEAD"])
def ticket_list(request: HttpRequest) -> HttpResponse:
    form = TicketFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    tickets = selectors.tickets_filtered(request.user, **filters)
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "feedback/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()},
    )


@role_required(*HANDLERS)
@require_http_methods(["GET", "HEAD", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_create(
                actor=request.user, request=request, **form.service_arguments()
            )
        except TicketError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, RECORDED)
            return redirect("feedback:detail", pk=ticket.pk)
    return render(request, "feedback/new.html", {"form": form})


@role_required(*HANDLERS)
@require_http_methods(["GET", "HEAD"])
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_for(request.user, pk)
    return render(request, "feedback/detail.html", _detail_context(request, ticket))


def _detail_context(request: HttpRequest, ticket, **forms) -> dict:
    return {
        "ticket": ticket,
        "overdue": ticket.is_overdue(),
        "may_assign": request.user.has_role(Role.MANAGER),
        "assign_form": forms.get("assign") or AssignForm(ticket=ticket),
        "answer_form": forms.get("answer") or AnswerForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "events": Event.objects.for_subject(ticket).select_related("actor").order_by("created_at"),
    }


ACTIONS = {"assign", "answer", "close", "reopen"}


@role_required(*HANDLERS)
@require_POST
def ticket_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One move of the ticket; managers alone assign."""
    if action not in ACTIONS:
        raise Http404
    ticket = selectors.ticket_for(request.user, pk)
    form, done = None, None
    try:
        if action == "assign":
            if not request.user.has_role(Role.MANAGER):
                raise TicketError(_("Only a manager assigns tickets."))
            form = AssignForm(request.POST, ticket=ticket)
            if form.is_valid():
                services.ticket_assign(
                    actor=request.user,
                    ticket=ticket,
                    assignee=form.cleaned_data["assignee"],
                    request=request,
                )
                done = ASSIGNED
        elif action == "answer":
            form = AnswerForm(request.POST)
            if form.is_valid():
                services.ticket_answer(
                    actor=request.user,
                    ticket=ticket,
                    answer=form.cleaned_data["answer"],
                    request=request,
                )
                done = ANSWERED
        elif action == "close":
            services.ticket_close(actor=request.user, ticket=ticket, request=request)
            done = CLOSED
        else:
            form = ReopenForm(request.POST)
            if form.is_valid():
                services.ticket_reopen(
                    actor=request.user,
                    ticket=ticket,
                    note=form.cleaned_data["note"],
                    request=request,
                )
                done = REOPENED
    except TicketError as error:
        messages.error(request, error.message)
        return redirect("feedback:detail", pk=ticket.pk)
    if done is None:  # the form's errors, beside its fields, with what was typed
        context = _detail_context(request, ticket, **{action: form})
        return render(request, "feedback/detail.html", context, status=400)
    messages.success(request, done)
    return redirect("feedback:detail", pk=ticket.pk)
