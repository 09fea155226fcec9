"""The lists staff may export, their columns and the filter each applies (SPEC §8)."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import SearchForm
from beneficiaries.models import MaritalStatus, Nationality, RegistrationStatus
from beneficiaries.selectors import beneficiary_search
from feedback.forms import TicketFilterForm
from feedback.models import Ticket
from feedback.selectors import tickets_matching
from requests_app.filters import SEARCH_SESSION_KEY as REQUESTS_SEARCH
from requests_app.filters import SupportRequestFilter, with_list_defaults
from requests_app.models import RequestType, SupportRequest
from requests_app.selectors import support_requests_with_clock
from surveys.forms import PeriodForm
from surveys.models import Answer, Invitation, Response
from surveys.selectors import period_withheld, staff_names
from wahaj.lib.choices import Channel
from wahaj.lib.masking import mask_free_text

from .exports import Column, ListExport


# Each export applies the very filter of its list page (the owning app's form or FilterSet),
# so "the current filter" means the same rows on the page and in the file.
def _beneficiaries(params: dict) -> QuerySet:
    form = SearchForm(params)
    filters = form.cleaned_data if form.is_valid() else {}
    return beneficiary_search(**{key: value for key, value in filters.items() if value})


def _requests(params) -> QuerySet:
    queryset = support_requests_with_clock(SupportRequest.objects.all())
    return SupportRequestFilter(with_list_defaults(params.copy()), queryset=queryset).qs


def _survey_answers(params: dict) -> QuerySet:
    """The answers of one whole month, quarter or year, as on the results page; none when the
    page withholds that period (fewer than five answers, or subtractable from others)."""
    period = PeriodForm(params).chosen()
    if period_withheld(period):
        return Answer.objects.none()
    start, end = period.bounds
    return Answer.objects.filter(response__submitted_at__range=(start, end)).order_by(
        "response_id", "question__position"
    )


def _masked_comments():
    """Comments masked as on the results page (names of staff, digits, e-mails)."""
    names = staff_names()
    return lambda text: mask_free_text(text, names) if text else ""


def _tickets(params: dict) -> QuerySet:
    """The ticket list's filters (not its text search), without the text, her name or the
    staff named: the figures behind the report, which no complaint's subject can read."""
    form = TicketFilterForm(params)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if k != "q"}
    return tickets_matching(Ticket.objects.all(), **filters)


def _month(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else ""


EXPORTS: dict[str, ListExport] = {
    "beneficiaries": ListExport(
        name="beneficiaries",
        title=_("Beneficiaries"),
        queryset=_beneficiaries,
        session_key=SearchForm.session_key,
        columns=[
            Column(_("file number"), "file_number"),
            Column(_("full name"), "full_name"),
            Column(_("national ID or iqama"), "national_id", kind="national_id"),
            Column(_("mobile"), "mobile", kind="mobile"),
            Column(_("nationality"), "nationality", choices=Nationality.choices),
            Column(_("marital status"), "marital_status", choices=MaritalStatus.choices),
            Column(_("city"), "city"),
            Column(_("district"), "district"),
            Column(
                _("registration status"), "registration_status", choices=RegistrationStatus.choices
            ),
            Column(_("intake channel"), "intake_channel", choices=Channel.choices),
            Column(_("registered at"), "created_at"),
        ],
    ),
    "requests": ListExport(
        name="requests",
        title=_("Support requests"),
        queryset=_requests,
        session_key=REQUESTS_SEARCH,
        columns=[
            Column(_("reference"), "reference"),
            Column(_("state"), "state", choices=SupportRequest.State.choices),
            Column(_("type"), "request_type", choices=RequestType.choices),
            Column(_("channel"), "channel", choices=Channel.choices),
            Column(_("file number"), "beneficiary__file_number"),
            Column(_("beneficiary"), "beneficiary__full_name"),
            Column(_("national ID or iqama"), "beneficiary__national_id", kind="national_id"),
            Column(_("mobile"), "beneficiary__mobile", kind="mobile"),
            Column(_("amount requested (SAR)"), "amount_requested"),
            Column(_("submitted"), "submitted_at"),
            Column(_("decision due"), "decision_due_at"),
            Column(_("decided"), "decided_at"),
            Column(_("approved amount (SAR)"), "approved_amount"),
            Column(_("delivered"), "delivered_at"),
            Column(_("amount delivered (SAR)"), "delivered_amount"),
        ],
    ),
    "tickets": ListExport(
        name="tickets",
        title=_("Tickets"),
        queryset=_tickets,
        columns=[
            Column(_("reference"), "pk", convert=lambda: lambda pk: f"T-{pk:06d}"),
            Column(_("type"), "kind", choices=Ticket.Kind.choices),
            Column(_("channel"), "channel", choices=Channel.choices),
            Column(_("category"), "category", choices=Ticket.Category.choices),
            Column(_("priority"), "priority", choices=Ticket.Priority.choices),
            Column(_("state"), "state", choices=Ticket.State.choices),
            Column(_("received at"), "created_at"),
            Column(_("answer due"), "due_at"),
            Column(_("answered at"), "answered_at"),
            Column(_("closed at"), "closed_at"),
        ],
    ),
    # One row per answer, without her name or reference: results stay anonymous (policy goal 6).
    "survey-responses": ListExport(
        name="survey-responses",
        title=_("Survey answers"),
        queryset=_survey_answers,
        columns=[
            Column(_("answer set"), "response_id"),
            # The month only, as on the results page: an answer is not tied to a day's visit.
            Column(_("answered"), "response__submitted_at", convert=lambda: _month),
            Column(_("answered by"), "response__channel", choices=Response.Channel.choices),
            Column(_("request channel"), "response__request_channel", choices=Channel.choices),
            Column(_("support type"), "response__request_type", choices=RequestType.choices),
            Column(_("decision"), "response__outcome", choices=Invitation.Trigger.choices),
            Column(_("question"), "question__text"),
            Column(_("answer"), "value"),
            Column(_("comment"), "text", convert=_masked_comments),
        ],
    ),
}
