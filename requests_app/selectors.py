"""Reads of support requests: the decision clock as database annotations, what is missing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import BooleanField, Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Event
from audit.selectors import events_for
from beneficiaries.models import Beneficiary, Document, RegistrationStatus
from beneficiaries.selectors import (
    RegistrationRequirement,
    beneficiary_documents_valid,
    household_income_summary,
)
from notifications.models import Message
from wahaj.lib.functions import DaysBetween

from .models import (
    DECLARATION_TEXT_AR,
    PAID_BY_TRANSFER,
    PAUSED_DAYS_LEFT,
    REQUIRED_DOCUMENTS,
    Declaration,
    HomeVisit,
    SupportRequest,
    VerificationCheck,
    VerificationItem,
)

State = SupportRequest.State


def support_requests_with_clock(
    queryset: models.QuerySet[SupportRequest] | None = None, *, now: datetime | None = None
) -> models.QuerySet[SupportRequest]:
    """Requests annotated with `days_left` and `is_overdue`, computed by the database.

    `days_left`: calendar days (Riyadh) from today to the due date while the clock runs; while
    returned, the days that were left when it paused (the clock stands still); None otherwise.
    `is_overdue`: the clock runs and the due time has passed. Lists can filter and sort on both
    (`order_by("days_left")` puts overdue requests first).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    queryset = SupportRequest.objects.all() if queryset is None else queryset
    due_day = TruncDate("decision_due_at")
    return queryset.annotate(
        days_left=Case(
            When(
                state__in=SupportRequest.CLOCK_RUNNING,
                then=DaysBetween(due_day, Value(today, output_field=models.DateField())),
            ),
            When(state=State.RETURNED, then=PAUSED_DAYS_LEFT),
            default=None,
            output_field=IntegerField(),
        ),
        is_overdue=Case(
            When(state__in=SupportRequest.CLOCK_RUNNING, decision_due_at__lt=now, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def order_by_days_left(queryset: models.QuerySet[SupportRequest]) -> models.QuerySet:
    """Fewest days left first (overdue first), undated requests last."""
    return queryset.order_by(
        F("days_left").asc(nulls_last=True), F("decision_due_at").asc(nulls_last=True), "pk"
    )


def support_request_list(*, now: datetime | None = None) -> models.QuerySet[SupportRequest]:
    """The staff list's rows: the clock and everything a row shows, in one query."""
    return support_requests_with_clock(
        SupportRequest.objects.select_related("beneficiary", "researcher").only(
            "reference",
            "request_type",
            "channel",
            "state",
            "amount_requested",
            "created_at",
            "submitted_at",
            "decision_due_at",
            "paused_at",
            "beneficiary__full_name",
            "beneficiary__file_number",
            # Not her national ID: no row shows it, and reading it decrypts it (50 a page).
            "researcher__first_name",
            "researcher__last_name",
            "researcher__username",
        ),
        now=now,
    )


def support_request_detail(pk: int) -> models.QuerySet[SupportRequest]:
    """One request with what its page shows beside it (for get_object_or_404)."""
    return support_requests_with_clock(
        SupportRequest.objects.filter(pk=pk)
        .select_related("beneficiary", "researcher", "created_by", "decided_by", "delivered_by")
        .prefetch_related(
            "verification_checks__checked_by",
            Prefetch("declaration"),
        )
    )


def support_requests_of_beneficiary(beneficiary: Beneficiary) -> models.QuerySet[SupportRequest]:
    """Her requests, newest first, with their clocks (her file page, the portal)."""
    return support_requests_with_clock(
        SupportRequest.objects.filter(beneficiary=beneficiary).order_by("-created_at", "-pk")
    )


def required_documents(support_request: SupportRequest) -> list[str]:
    return list(REQUIRED_DOCUMENTS.get(support_request.request_type, ()))


def _document_label(doc_type: str) -> str:
    return str(Document.DocType(doc_type).label)


@dataclass(frozen=True)
class Gap:
    """One thing that stops a request from being submitted, named by code, not by wording.

    `kind` is "field" (`code`: a Beneficiary field), "document" (a Document.DocType value),
    "declaration", "verification" (a VerificationItem value) or "suspended" (her registration
    is suspended: nothing is submitted until it is reactivated). Staff and the beneficiary
    read the same gaps in different words: `support_request_missing` for staff, the portal's
    own sentences for her.
    """

    kind: str
    code: str = ""


def support_request_gaps(support_request: SupportRequest) -> list[Gap]:
    """What still stops this request from being submitted, item by item.

    Policy step 2 and 4: her required data, the type's documents on file and valid today, her
    signed declaration, and — when staff entered the request — the verification checklist.
    """
    gaps: list[Gap] = []
    beneficiary = support_request.beneficiary
    if beneficiary.registration_status == RegistrationStatus.SUSPENDED:
        gaps.append(Gap("suspended"))
    required_fields = ["full_name", "national_id", "mobile", "marital_status", "city", "housing"]
    if support_request.request_type in PAID_BY_TRANSFER:
        required_fields.append("iban")
    gaps += [Gap("field", name) for name in required_fields if not getattr(beneficiary, name)]

    valid = beneficiary_documents_valid(beneficiary)
    gaps += [
        Gap("document", doc_type)
        for doc_type in required_documents(support_request)
        if doc_type not in valid
    ]

    if not has_declaration(support_request):
        gaps.append(Gap("declaration"))

    if not support_request.entered_by_beneficiary:
        checked = {check.item for check in support_request.verification_checks.all()}
        gaps += [
            Gap("verification", item) for item in VerificationItem.values if item not in checked
        ]
    return gaps


def support_request_missing(support_request: SupportRequest) -> list[str]:
    """The gaps of `support_request_gaps` in the words of staff (the request page, refusals)."""
    missing: list[str] = []
    for gap in support_request_gaps(support_request):
        if gap.kind == "field":
            label = Beneficiary._meta.get_field(gap.code).verbose_name
            missing.append(_("Her %(field)s is not on her file.") % {"field": label})
        elif gap.kind == "document":
            missing.append(
                _("Document missing or expired: %(document)s.")
                % {"document": _document_label(gap.code)}
            )
        elif gap.kind == "declaration":
            missing.append(_("Her signed declaration that the data is true."))
        elif gap.kind == "suspended":
            missing.append(_("Her registration is suspended: reactivate it on her file first."))
        else:
            label = VerificationItem(gap.code).label
            missing.append(_("Verification not done: %(item)s.") % {"item": label})
    return missing


def has_declaration(support_request: SupportRequest) -> bool:
    try:
        return support_request.declaration is not None
    except SupportRequest.declaration.RelatedObjectDoesNotExist:
        return False


def support_request_timeline(support_request: SupportRequest) -> models.QuerySet[Event]:
    """Every transition, note and check of the request, with the acting staff, oldest first."""
    return events_for(support_request)


def due_within(queryset: models.QuerySet, days: int) -> models.QuerySet:
    """Of clock-annotated requests, those running and due within `days` days (overdue too)."""
    return queryset.filter(state__in=SupportRequest.CLOCK_RUNNING, days_left__lte=days)


def support_request_messages(support_request: SupportRequest) -> models.QuerySet[Message]:
    """The outbox rows about this request (what she and staff were told, and whether sent)."""
    return Message.objects.filter(
        subject_type=ContentType.objects.get_for_model(SupportRequest),
        subject_id=support_request.pk,
    ).only("template", "channel", "status", "created_at", "sent_at", "language")


def support_request_page(support_request: SupportRequest) -> dict:
    """What the request page and the receipt show beside the request itself."""
    beneficiary = support_request.beneficiary
    valid = beneficiary_documents_valid(beneficiary)
    required = [
        {"doc_type": doc_type, "label": _document_label(doc_type), "valid": doc_type in valid}
        for doc_type in required_documents(support_request)
    ]
    editable = support_request.state in (State.DRAFT, State.RETURNED)
    checks = {check.item: check for check in support_request.verification_checks.all()}
    timeline = sorted(
        [
            *(
                {"kind": "event", "at": e.created_at, "event": e}
                for e in support_request_timeline(support_request)
            ),
            *(
                {"kind": "message", "at": m.created_at, "message": m}
                for m in support_request_messages(support_request)
            ),
        ],
        key=lambda row: row["at"],
    )
    return {
        "support_request": support_request,
        "beneficiary": beneficiary,
        "income": household_income_summary(beneficiary),
        "required_documents": required,
        "documents": list(beneficiary.documents.all()),
        "missing": support_request_missing(support_request) if editable else [],
        "editable": editable,
        "checklist": [{"item": item, "check": checks.get(item.value)} for item in VerificationItem],
        "checked_items": list(checks),
        "declaration": support_request.declaration if has_declaration(support_request) else None,
        "declaration_text": DECLARATION_TEXT_AR,
        "timeline": timeline,
    }


def request_url() -> Callable[[int], str]:
    """A request's page address by its id, resolved once (`reverse` costs ~0.05 ms a call; a
    list of 50 and a sweep of thousands ask for one per row)."""
    prefix, suffix = reverse("requests_app:detail", args=[0]).rsplit("0", 1)
    return lambda pk: f"{prefix}{pk}{suffix}"


def _has_signed_a_declaration(beneficiary: Beneficiary) -> bool:
    return Declaration.objects.filter(support_request__beneficiary=beneficiary).exists()


# Registered with beneficiaries (apps.py): a file completes once she signed a declaration.
declaration_requirement = RegistrationRequirement(
    code="declaration",
    missing=gettext_lazy("Her signed declaration that her data is true (signed with a request)."),
    met=_has_signed_a_declaration,
)


# --- Home visits -----------------------------------------------------------------------------
def beneficiary_address(beneficiary: Beneficiary) -> str:
    """Where she lives, as her file says it: district, city, then the national address."""
    place = "، ".join(part for part in (beneficiary.district, beneficiary.city) if part)
    return " — ".join(part for part in (place, beneficiary.national_address) if part)


def week_of(day: date) -> tuple[date, date]:
    """[Sunday, next Sunday): the working week in Saudi Arabia starts on Sunday."""
    start = day - timedelta(days=(day.weekday() + 1) % 7)
    return start, start + timedelta(days=7)


def home_visits_of_researcher(user, start: date, end: date) -> models.QuerySet[HomeVisit]:
    """Her visits from `start` to before `end`, by day and hour, with the request and her name
    (the researcher's week, her home queue; index home_visit_researcher_date)."""
    return (
        HomeVisit.objects.filter(researcher=user, date__gte=start, date__lt=end)
        .select_related("support_request__beneficiary")
        .order_by("date", "window_start", "pk")
    )


def home_visit_latest(support_request: SupportRequest) -> HomeVisit | None:
    """The visit a research report starts from: the latest one held by today, else the next."""
    visits = HomeVisit.objects.filter(support_request=support_request)
    today = timezone.localdate()
    return (
        visits.filter(date__lte=today).order_by("-date", "-pk").first()
        or visits.order_by("date", "pk").first()
    )


# --- What waits, and for whom (the home queues and the list's "waiting for" filter) ---------
def _online_fully_verified() -> models.QuerySet:
    """Ids of the online requests waiting in `submitted` whose checklist is complete (only
    those requests' checks are read)."""
    return (
        VerificationCheck.objects.filter(
            support_request__state=State.SUBMITTED, support_request__created_by__isnull=True
        )
        .values("support_request")
        .annotate(n=Count("pk"))
        .filter(n__gte=len(VerificationItem.values))
        .values("support_request")
    )


def waiting_for_verification() -> Q:
    """Entered by her on the website, submitted, the checklist not complete: intake verifies
    it before research can start (services.VERIFY_FIRST, policy step 2)."""
    return Q(state=State.SUBMITTED, created_by__isnull=True) & ~Q(pk__in=_online_fully_verified())


# Back from her after a return (the clock paused then), waiting again.
RESUBMITTED = Q(state=State.SUBMITTED, paused_total__gt=timedelta(0))


def waiting_for_research(user) -> Q:
    """Submitted, research not started: unassigned, or assigned to `user` (a request keeps its
    researcher when it comes back after a return)."""
    return Q(state=State.SUBMITTED) & (Q(researcher__isnull=True) | Q(researcher=user))
