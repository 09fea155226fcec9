"""Reads of the privacy app: who is due for anonymisation, and the audit search."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from beneficiaries.models import Beneficiary, FileAccess
from requests_app.models import SupportRequest

from .models import Incident

# A case is over when every request of hers is delivered, closed, rejected or withdrawn.
CASE_OVER_STATES = (
    SupportRequest.State.DELIVERED,
    SupportRequest.State.CLOSED,
    SupportRequest.State.REJECTED,
    SupportRequest.State.WITHDRAWN,
)


def retention_cutoff(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    return now - timedelta(days=round(365.25 * settings.RETENTION_YEARS))


def beneficiaries_due_for_retention(*, now: datetime | None = None) -> QuerySet[Beneficiary]:
    """Files to anonymise: not yet anonymised, no legal hold, no case still open, and nothing
    happened on the file or any of her requests since the retention cutoff."""
    still_open = SupportRequest.objects.filter(beneficiary=OuterRef("pk")).exclude(
        state__in=CASE_OVER_STATES
    )
    last_request_activity = Max(
        Coalesce(
            "support_requests__closed_at",
            "support_requests__withdrawn_at",
            "support_requests__delivered_at",
            "support_requests__decided_at",
            "support_requests__updated_at",
        )
    )
    return (
        Beneficiary.objects.filter(anonymised_at__isnull=True, legal_hold=False)
        .exclude(Exists(still_open))
        .annotate(
            case_closed_at=Greatest(
                Coalesce(last_request_activity, "updated_at", output_field=DateTimeField()),
                "updated_at",
            )
        )
        .filter(case_closed_at__lt=retention_cutoff(now))
        .order_by("pk")
    )


def audit_events_search(
    *,
    actor: str = "",
    verb: str = "",
    file_number: str = "",
    reference: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[Event]:
    """The audit trail filtered for a manager's question (who did what to whose file, when).

    A file number finds the events on her file and on each of her requests.
    """
    events = Event.objects.select_related("actor", "content_type").order_by("-created_at", "-pk")
    if actor:
        events = events.filter(actor__username__iexact=actor)
    if verb:
        events = events.filter(verb=verb)
    subjects = Q()
    if file_number:
        beneficiary_ids = Beneficiary.objects.filter(file_number=file_number).values("pk")
        request_ids = SupportRequest.objects.filter(beneficiary__file_number=file_number).values(
            "pk"
        )
        subjects |= Q(
            content_type=ContentType.objects.get_for_model(Beneficiary),
            object_id__in=beneficiary_ids,
        ) | Q(
            content_type=ContentType.objects.get_for_model(SupportRequest),
            object_id__in=request_ids,
        )
    if reference:
        subjects |= Q(
            content_type=ContentType.objects.get_for_model(SupportRequest),
            object_id__in=SupportRequest.objects.filter(reference=reference).values("pk"),
        )
    if subjects:
        events = events.filter(subjects)
    if date_from:
        events = events.filter(created_at__date__gte=date_from)
    if date_to:
        events = events.filter(created_at__date__lte=date_to)
    return events


def file_accesses_search(
    *, actor: str = "", file_number: str = "", date_from=None, date_to=None
) -> QuerySet[FileAccess]:
    """Who viewed or downloaded whose data (the access log), newest first."""
    rows = FileAccess.objects.select_related("user", "beneficiary").order_by("-at", "-pk")
    if actor:
        rows = rows.filter(user__username__iexact=actor)
    if file_number:
        rows = rows.filter(beneficiary__file_number=file_number)
    if date_from:
        rows = rows.filter(at__date__gte=date_from)
    if date_to:
        rows = rows.filter(at__date__lte=date_to)
    return rows


def incidents_list() -> QuerySet[Incident]:
    """The breach register, newest first; open ones whose authority clock runs on top."""
    return Incident.objects.select_related("recorded_by").order_by("state", "-found_at")


def incident_for(user, pk: int) -> Incident:
    """The incident, or 404: the register is the managers' (the views' role check says so;
    this repeats it, so no view can hand an incident to anyone else)."""
    if not user.is_authenticated or not user.has_role(Role.MANAGER):
        raise Http404
    try:
        return Incident.objects.select_related("recorded_by", "message_approved_by").get(pk=pk)
    except Incident.DoesNotExist:
        raise Http404 from None
