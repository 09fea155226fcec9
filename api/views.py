"""/api/v1/: the same rules as the pages. Each view names its roles (api.permissions), finds
the object through the app's access helper (404 outside her reach), validates with the page's
own form, and calls the one service the page calls. Reads go through the apps' selectors;
every read of her data is recorded as the pages record it (FileAccess)."""

from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Role
from beneficiaries import services as beneficiary_services
from beneficiaries.access import (
    FILE_ROLES,
    READ_ROLES,
    beneficiary_for_editing,
    beneficiary_for_staff,
    may_see_identifiers,
    may_see_identifiers_on_file,
)
from beneficiaries.forms import ContactForm, DocumentForm, ReferralCloseForm, ReferralForm
from beneficiaries.models import FileAccess, Referral, RegistrationStatus
from beneficiaries.selectors import beneficiary_search, referrals_open_for
from beneficiaries.uploads import EXTENSIONS
from committee import selectors as committee_selectors
from committee import services as committee_services
from committee.forms import VoteForm
from committee.models import ResearchReport
from committee.views import COMMITTEE_ROLES
from feedback.models import Ticket
from feedback.selectors import HANDLERS as TICKET_HANDLERS
from feedback.selectors import ticket_for, tickets_visible_to
from portal import ratelimits
from portal import selectors as portal_selectors
from portal.forms import StatusForm, normalize_reference
from portal.views import STATUS_NOT_FOUND
from requests_app import services as request_services
from requests_app.access import (
    READ_ROLES as REQUEST_READ_ROLES,
)
from requests_app.access import (
    REQUEST_ROLES,
    support_request_for_staff,
    support_request_for_work,
    support_requests_visible_to,
)
from requests_app.models import SupportRequest
from requests_app.selectors import support_request_list, support_requests_with_clock
from requests_app.views import ACTIONS
from surveys import selectors as survey_selectors
from surveys.forms import PeriodForm

from . import serializers as s
from .permissions import PUBLIC
from .throttles import AddressFirst

NOT_FOUND = _("Not found.")
NOT_A_CHOICE = _("Not one of the choices.")
SEND_AN_OBJECT = _("Send the fields as one object.")
TRY_LATER = _(
    "We received many attempts in a short time. To protect beneficiaries' data, please wait a "
    "few minutes and try again."
)
PAGE_SIZE = 50
ERRORS = {
    401: s.ErrorSerializer,
    403: s.ErrorSerializer,
    404: s.ErrorSerializer,
    429: s.ErrorSerializer,
}


@csrf_exempt  # answers every method with 404, reads nothing: no form to forge
def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)


class ApiView(AddressFirst, APIView):
    pass


class ApiListView(AddressFirst, generics.ListAPIView):
    pass


class FilePartView(ApiView):
    """A list on her file: read by who may read her file, added to (POST) by who may edit it."""

    roles = READ_ROLES

    def get_permissions(self):
        if self.request.method == "POST":
            self.roles = FILE_ROLES
        return super().get_permissions()


def documented(ok: dict, more: dict | None = None) -> dict:
    """The answers an endpoint documents: its own, and the errors every endpoint may give."""
    return {**ERRORS, **ok, **(more or {})}


class Cursor(CursorPagination):
    """Cursor pages of 50, newest first: a stable order however many rows arrive meanwhile,
    and no count (a count of 250,000 requests costs more than the page)."""

    page_size = PAGE_SIZE
    ordering = "-id"


def _form_errors(form) -> Response:
    errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def _refused(error) -> Response:
    body = {"detail": str(error.message)}
    missing = getattr(error, "missing", None)
    if missing:
        body["missing"] = [str(m) for m in missing]
    return Response(body, status=status.HTTP_409_CONFLICT)


def _choice_param(request, name: str, choices) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({"errors": {name: [str(NOT_A_CHOICE)]}})
    return value


def _body(request) -> dict:
    """The posted fields (JSON object, form or multipart); anything else is a 400."""
    if not isinstance(request.data, dict):
        raise ValidationError({"errors": {"body": [str(SEND_AN_OBJECT)]}})
    return request.data


# --- Beneficiaries ------------------------------------------------------------------------------
@extend_schema(
    tags=["beneficiaries"],
    parameters=[OpenApiParameter("status", str, enum=RegistrationStatus.values)],
    responses=documented(
        {200: s.BeneficiaryRowSerializer(many=True)}, {400: s.FormErrorsSerializer}
    ),
)
class BeneficiaryList(ApiListView):
    """Her files, newest first (no search text here: searching is a POST, never in the URL)."""

    roles = FILE_ROLES
    serializer_class = s.BeneficiaryRowSerializer
    pagination_class = Cursor

    def get_queryset(self):
        status_ = _choice_param(self.request, "status", RegistrationStatus.values)
        return beneficiary_search(status=status_).order_by()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_identifiers": self._show()}

    def _show(self) -> bool:
        return may_see_identifiers(self.request.user)


@extend_schema(
    tags=["beneficiaries"],
    request=s.BeneficiarySearchSerializer,
    responses=documented(
        {200: s.BeneficiaryRowSerializer(many=True)}, {400: s.FormErrorsSerializer}
    ),
)
class BeneficiarySearch(ApiView):
    """Search by national ID, mobile, file number or part of her name — in the body, so an
    identifier never reaches an address or a server log. The first 50 matches."""

    roles = FILE_ROLES

    def post(self, request):
        serializer = s.BeneficiarySearchSerializer(data=_body(request))
        if not serializer.is_valid():
            return Response({"errors": serializer.errors}, status=status.HTTP_400_BAD_REQUEST)
        rows = beneficiary_search(q=serializer.validated_data["q"])[:PAGE_SIZE]
        context = {"show_identifiers": may_see_identifiers(request.user)}
        return Response(s.BeneficiaryRowSerializer(rows, many=True, context=context).data)


@extend_schema(tags=["beneficiaries"], responses=documented({200: s.BeneficiarySerializer}))
class BeneficiaryDetail(ApiView):
    """Her file (recorded in her file's access log, as the file page is)."""

    roles = READ_ROLES

    def get(self, request, pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        beneficiary_services.file_access_record(
            user=request.user, beneficiary=beneficiary, kind=FileAccess.Kind.FILE, request=request
        )
        context = {"show_identifiers": may_see_identifiers_on_file(request.user)}
        return Response(s.BeneficiarySerializer(beneficiary, context=context).data)


@extend_schema(
    tags=["beneficiaries"], responses=documented({200: s.HouseholdMemberSerializer(many=True)})
)
class HouseholdList(ApiView):
    roles = READ_ROLES

    def get(self, request, pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        beneficiary_services.file_access_record(
            user=request.user, beneficiary=beneficiary, kind=FileAccess.Kind.FILE, request=request
        )
        context = {"show_identifiers": may_see_identifiers_on_file(request.user)}
        members = beneficiary.household.order_by("pk")
        return Response(s.HouseholdMemberSerializer(members, many=True, context=context).data)


class DocumentList(FilePartView):
    """Her documents; upload one with the same checks as the pages (content, size, quota)."""

    @extend_schema(tags=["documents"], responses=documented({200: s.DocumentSerializer(many=True)}))
    def get(self, request, pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        documents = beneficiary.documents.order_by("pk")
        return Response(s.DocumentSerializer(documents, many=True).data)

    @extend_schema(
        tags=["documents"],
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses=documented(
            {201: s.DocumentSerializer},
            {400: s.FormErrorsSerializer, 409: s.RefusalSerializer},
        ),
    )
    def post(self, request, pk: int):
        beneficiary = beneficiary_for_editing(request.user, pk)
        form = DocumentForm(_body(request), request.FILES)
        if not form.is_valid():
            return _form_errors(form)
        try:
            document = beneficiary_services.document_add(
                actor=request.user,
                beneficiary=beneficiary,
                file=form.cleaned_data["file"],
                content_type=form.content_type,
                doc_type=form.cleaned_data["doc_type"],
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except beneficiary_services.DocumentQuotaExceeded as error:
            return _refused(error)
        return Response(s.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["documents"],
    responses=documented({(200, "application/octet-stream"): OpenApiTypes.BINARY}),
)
class DocumentFile(ApiView):
    """The file itself, to who may read her file; recorded in her file's access log."""

    roles = READ_ROLES

    def get(self, request, pk: int, document_pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        document = get_object_or_404(beneficiary.documents, pk=document_pk)
        beneficiary_services.file_access_record(
            user=request.user,
            beneficiary=beneficiary,
            kind=FileAccess.Kind.DOCUMENT,
            document=document,
            request=request,
        )
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=f"{beneficiary.file_number}-{document.doc_type}-{document.pk}"
            + EXTENSIONS.get(document.content_type, ".bin"),
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ContactList(FilePartView):
    @extend_schema(tags=["contacts"], responses=documented({200: s.ContactSerializer(many=True)}))
    def get(self, request, pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        contacts = beneficiary.contacts.select_related("staff").order_by("-occurred_at", "-pk")
        return Response(s.ContactSerializer(contacts[:PAGE_SIZE], many=True).data)

    @extend_schema(
        tags=["contacts"],
        request=s.ContactInputSerializer,
        responses=documented({201: s.ContactSerializer}, {400: s.FormErrorsSerializer}),
    )
    def post(self, request, pk: int):
        beneficiary = beneficiary_for_editing(request.user, pk)
        form = ContactForm(_body(request))
        if not form.is_valid():
            return _form_errors(form)
        contact = beneficiary_services.contact_record(
            actor=request.user, beneficiary=beneficiary, **form.cleaned_data
        )
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


class BeneficiaryReferrals(FilePartView):
    @extend_schema(tags=["referrals"], responses=documented({200: s.ReferralSerializer(many=True)}))
    def get(self, request, pk: int):
        beneficiary = beneficiary_for_staff(request.user, pk)
        referrals = beneficiary.referrals.select_related("assigned_to").order_by("pk")
        return Response(s.ReferralSerializer(referrals, many=True).data)

    @extend_schema(
        tags=["referrals"],
        request=s.ReferralInputSerializer,
        responses=documented({201: s.ReferralSerializer}, {400: s.FormErrorsSerializer}),
    )
    def post(self, request, pk: int):
        beneficiary = beneficiary_for_editing(request.user, pk)
        form = ReferralForm(_body(request))
        if not form.is_valid():
            return _form_errors(form)
        referral = beneficiary_services.referral_create(
            actor=request.user,
            beneficiary=beneficiary,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["referrals"], responses=documented({200: s.ReferralSerializer(many=True)}))
class MyReferrals(ApiView):
    """The researcher's open referrals, oldest first (her referrals page)."""

    roles = (Role.RESEARCHER,)

    def get(self, request):
        referrals = referrals_open_for(request.user).select_related("assigned_to")
        return Response(s.ReferralSerializer(referrals, many=True).data)


@extend_schema(
    tags=["referrals"],
    request=s.ReferralCloseSerializer,
    responses=documented(
        {200: s.ReferralSerializer},
        {400: s.FormErrorsSerializer, 409: s.RefusalSerializer},
    ),
)
class ReferralClose(ApiView):
    roles = (Role.RESEARCHER,)

    def post(self, request, pk: int):
        referral = get_object_or_404(Referral.objects.select_related("beneficiary"), pk=pk)
        form = ReferralCloseForm(_body(request))
        if not form.is_valid():
            return _form_errors(form)
        try:
            referral = beneficiary_services.referral_close(
                actor=request.user,
                referral=referral,
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except beneficiary_services.InvalidTransition as error:
            return _refused(error)
        return Response(s.ReferralSerializer(referral).data)


# --- Support requests ---------------------------------------------------------------------------
@extend_schema(
    tags=["requests"],
    parameters=[OpenApiParameter("state", str, enum=SupportRequest.State.values)],
    responses=documented(
        {200: s.SupportRequestRowSerializer(many=True)}, {400: s.FormErrorsSerializer}
    ),
)
class SupportRequestList(ApiListView):
    """Requests, 50 a page, newest first, filtered by state (the staff list's rows)."""

    roles = REQUEST_ROLES
    serializer_class = s.SupportRequestRowSerializer
    pagination_class = Cursor

    def get_queryset(self):
        state = _choice_param(self.request, "state", SupportRequest.State.values)
        rows = support_requests_visible_to(self.request.user, support_request_list())
        return rows.filter(state=state) if state else rows


def _request_detail(user, pk: int) -> SupportRequest:
    """The request with its clock, as the caller may read it (404 outside her reach)."""
    queryset = support_requests_with_clock(
        SupportRequest.objects.select_related("beneficiary", "researcher")
    )
    return support_request_for_staff(user, pk, queryset)


@extend_schema(tags=["requests"], responses=documented({200: s.SupportRequestSerializer}))
class SupportRequestDetail(ApiView):
    """One request (recorded in her file's access log, as the request page is)."""

    roles = REQUEST_READ_ROLES

    def get(self, request, pk: int):
        support_request = _request_detail(request.user, pk)
        beneficiary_services.file_access_record(
            user=request.user,
            beneficiary=support_request.beneficiary,
            kind=FileAccess.Kind.PAGE,
            request=request,
        )
        return Response(s.SupportRequestSerializer(support_request).data)


TRANSITION_INPUTS = {
    "submit": s.NoteInputSerializer,
    "return": s.ReturnInputSerializer,
    "resubmit": s.NoteInputSerializer,
    "start_research": s.StartResearchInputSerializer,
    "deliver": s.DeliverInputSerializer,
    "close": s.NoteInputSerializer,
    "withdraw": s.NoteInputSerializer,
}


class TransitionView(ApiView):
    """One move of a request: the request page's form and service (requests_app.views.ACTIONS),
    by a role it allows, on a request she works on. A refusal is 409 with the service's words."""

    roles = REQUEST_ROLES
    action = ""

    def post(self, request, pk: int):
        support_request = support_request_for_work(request.user, pk)
        form_class, service = ACTIONS[self.action]
        form = form_class(_body(request))
        if not form.is_valid():
            return _form_errors(form)
        arguments = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if self.action == "return":
            arguments["note"] = form.cleaned_data["note"]
        try:
            service(
                actor=request.user, support_request=support_request, request=request, **arguments
            )
        except request_services.InvalidTransition as error:
            return _refused(error)
        return Response(s.SupportRequestSerializer(_request_detail(request.user, pk)).data)


def transition_view(action: str) -> type[TransitionView]:
    """The endpoint of one transition, with its own input in the schema."""
    name = "".join(part.title() for part in action.split("_"))
    schema = extend_schema(
        tags=["request transitions"],
        operation_id=f"requests_{action}",
        request=TRANSITION_INPUTS[action],
        responses=documented(
            {200: s.SupportRequestSerializer},
            {400: s.FormErrorsSerializer, 409: s.RefusalSerializer},
        ),
    )

    def post(self, request, pk: int):
        return TransitionView.post(self, request, pk)

    return type(f"{name}Transition", (TransitionView,), {"action": action, "post": schema(post)})


class SendToCommittee(ApiView):
    """The researcher sends a researched request to the committee (the committee app's
    service: it checks the completed research report)."""

    roles = (Role.RESEARCHER,)

    @extend_schema(
        tags=["request transitions"],
        operation_id="requests_send_to_committee",
        request=None,
        responses=documented({200: s.SupportRequestSerializer}, {409: s.RefusalSerializer}),
    )
    def post(self, request, pk: int):
        support_request = get_object_or_404(
            SupportRequest.objects.select_related("beneficiary"), pk=pk
        )
        try:
            committee_services.research_send_to_committee(
                actor=request.user, support_request=support_request
            )
        except (committee_services.CommitteeError, request_services.InvalidTransition) as error:
            return _refused(error)
        return Response(s.SupportRequestSerializer(_request_detail(request.user, pk)).data)


@extend_schema(tags=["committee"], responses=documented({200: s.ResearchReportSerializer}))
class ResearchReportDetail(ApiView):
    """The research report of a request (the researcher's report page)."""

    roles = (Role.RESEARCHER,)

    def get(self, request, pk: int):
        report = get_object_or_404(
            ResearchReport.objects.select_related("author", "support_request"),
            support_request_id=pk,
        )
        beneficiary_services.file_access_record(
            user=request.user,
            beneficiary=report.support_request.beneficiary,
            kind=FileAccess.Kind.PAGE,
            request=request,
        )
        return Response(s.ResearchReportSerializer(report).data)


# --- The committee --------------------------------------------------------------------------
@extend_schema(tags=["committee"], responses=documented({200: s.MeetingSerializer(many=True)}))
class MeetingList(ApiListView):
    """The meetings of her committees (every meeting for managers), newest first."""

    roles = COMMITTEE_ROLES
    serializer_class = s.MeetingSerializer
    pagination_class = Cursor

    def get_queryset(self):
        return committee_selectors.meetings_visible_to(self.request.user).select_related(
            "committee"
        )


@extend_schema(tags=["committee"], responses=documented({200: s.AgendaSerializer}))
class MeetingAgenda(ApiView):
    """A meeting's agenda with each item's votes and what they decide (the meeting page)."""

    roles = COMMITTEE_ROLES

    def get(self, request, pk: int):
        meeting = committee_selectors.meeting_for_staff(request.user, pk)
        rows = committee_selectors.agenda_rows(meeting, request.user)
        beneficiary_services.file_accesses_record(
            user=request.user,
            beneficiary_ids=[row["support_request"].beneficiary_id for row in rows],
            kind=FileAccess.Kind.PAGE,
            request=request,
        )
        items = [
            {
                "id": row["item"].pk,
                "support_request": row["support_request"],
                "recommendation": row["report"].recommendation if row["report"] else None,
                "score": row["report"].score if row["report"] else None,
                "votes": row["votes"],
                "outcome": row["result"].outcome,
                "decided": row["decision"] is not None,
                "deferred": row["item"].deferred_at is not None,
                "may_vote": row["may_vote"],
                "may_decide": row["may_decide"],
            }
            for row in rows
        ]
        return Response(s.AgendaSerializer({"meeting": meeting, "items": items}).data)


@extend_schema(
    tags=["committee"],
    request=s.VoteInputSerializer,
    responses=documented(
        {200: s.ErrorSerializer}, {400: s.FormErrorsSerializer, 409: s.RefusalSerializer}
    ),
)
class VoteCast(ApiView):
    """A member's vote on an item of her meeting's agenda (committee.services.vote_cast)."""

    roles = (Role.COMMITTEE,)

    def post(self, request, pk: int):
        item = committee_selectors.agenda_item_for_staff(request.user, pk)
        form = VoteForm(_body(request))
        if not form.is_valid():
            return _form_errors(form)
        try:
            committee_services.vote_cast(actor=request.user, agenda_item=item, **form.cleaned_data)
        except committee_services.CommitteeError as error:
            return _refused(error)
        return Response({"detail": "recorded"})


# --- Surveys ---------------------------------------------------------------------------------
@extend_schema(
    tags=["surveys"],
    parameters=[OpenApiParameter("period", str, description="2026-05, 2026-Q2 or 2026")],
    responses=documented({200: s.SurveyResultsSerializer}),
)
class SurveyResults(ApiView):
    """The survey's aggregates of a period over (the results page): never a name, never a
    figure of a group under five answers or one that subtraction would single out."""

    roles = (Role.MANAGER,)

    def get(self, request):
        period = PeriodForm(request.query_params or None).chosen()
        data = survey_selectors.results(period)
        body = {
            "period": period.key,
            "overall": data.overall,
            "sent": data.sent,
            "answered": data.answered if not data.overall.too_few else 0,
            "breakdowns": {
                group: [{"key": key, "scores": cell} for key, cell in rows.items()]
                for group, rows in data.breakdowns.items()
            },
        }
        return Response(s.SurveyResultsSerializer(body).data)


# --- Tickets (feedback): read-only ----------------------------------------------------------
@extend_schema(
    tags=["tickets"],
    parameters=[OpenApiParameter("state", str, enum=Ticket.State.values)],
    responses=documented({200: s.TicketSerializer(many=True)}, {400: s.FormErrorsSerializer}),
)
class TicketList(ApiListView):
    """Complaints, suggestions and thanks, newest first: never one about the caller herself
    (feedback.selectors.tickets_visible_to, as the tickets page)."""

    roles = TICKET_HANDLERS
    serializer_class = s.TicketSerializer
    pagination_class = Cursor

    def get_queryset(self):
        state = _choice_param(self.request, "state", Ticket.State.values)
        rows = tickets_visible_to(self.request.user).select_related("beneficiary", "assignee")
        return rows.filter(state=state) if state else rows


@extend_schema(tags=["tickets"], responses=documented({200: s.TicketSerializer}))
class TicketDetail(ApiView):
    roles = TICKET_HANDLERS

    def get(self, request, pk: int):
        return Response(s.TicketSerializer(ticket_for(request.user, pk)).data)


# --- The portal's status lookup -------------------------------------------------------------
@extend_schema(
    tags=["status"],
    request=s.StatusInputSerializer,
    responses=documented({200: s.StatusSerializer}, {400: s.FormErrorsSerializer}),
    auth=[],
)
class StatusLookup(ApiView):
    """Reference + national ID → the request's state in plain words, as /status/ answers
    (and rate-limited by the same counters: per address and per reference). A wrong pair and a
    malformed one get the same 404."""

    roles = PUBLIC
    authentication_classes = []
    throttle_classes = []  # /status/'s own limits below, shared with the page

    def post(self, request):
        data = _body(request)
        reference = normalize_reference(str(data.get("reference", "")))
        if ratelimits.status_lookup_limited(request._request, reference=reference):
            return Response({"detail": str(TRY_LATER)}, status=429, headers={"Retry-After": "600"})
        form = StatusForm(data)
        if not form.is_valid():
            return _form_errors(form)
        support_request = portal_selectors.support_request_status_lookup(
            reference=form.cleaned_data["reference"],
            national_id=form.cleaned_data["national_id"],
        )
        if support_request is None:
            return Response({"detail": str(STATUS_NOT_FOUND)}, status=404)
        body = {
            "reference": support_request.reference,
            "state": support_request.state,
            "plain_state": portal_selectors.plain_state(support_request),
            "next_step": portal_selectors.next_step(support_request),
            "decision_due_at": support_request.decision_due_at,
            "steps": portal_selectors.status_steps(support_request),
        }
        return Response(s.StatusSerializer(body).data)
