"""The daily outreach sweep (issue 20): reach her before she asks.

`outreach_sweep` (beat, daily; also `manage.py outreach_sweep`):
1. closes what was answered — a document task once a newer document of that type is on her
   file (she uploaded it in the portal, or intake did), a reassessment once the file was
   reviewed again;
2. tells her, once per document, OUTREACH_DOCUMENT_NOTICE_DAYS before a document that one of
   her open requests needs expires (its `expires_on`, or a social-security statement reaching
   three months — beneficiaries.models.STATEMENT_MAX_AGE), and opens a task for intake;
3. opens a reassessment task for the researcher when her file has not been reviewed for
   REASSESSMENT_MONTHS.

"Reviewed" is what exists on record: the latest research report on any of her requests, or
the latest document a member of staff verified against the original; a file never reviewed
counts from its registration. Only complete (active) files are reassessed: an incomplete one is
intake's work already.

Safe to run twice or at once: a task's `key` is unique (a second sweep finds it and skips), and
the message to her has the task's key as its idempotency key. The number of queries does not
grow with the number of documents or files: every step reads, inserts and updates in bulk.
"""

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import DateTimeField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone, translation

from audit.models import Event
from beneficiaries.models import STATEMENT_MAX_AGE, Beneficiary, Document, RegistrationStatus
from beneficiaries.services import ToHer, messages_queue_to_them
from requests_app.models import REQUIRED_DOCUMENTS, SupportRequest
from wahaj.lib.bulk import insert_many

from .models import OutreachTask

Kind = OutreachTask.Kind
State = SupportRequest.State
# Requests that still need their documents to be valid: not yet decided.
OPEN_STATES = SupportRequest.OPEN


@dataclass(frozen=True)
class OutreachSweep:
    notices: int  # documents about to expire: she was told, intake has a task
    reassessments: int  # files due for reassessment: a task for the researcher
    closed: int  # tasks closed because she answered or the file was reviewed


def _requests_needing(doc_type: str) -> list[str]:
    return [t for t, needed in REQUIRED_DOCUMENTS.items() if doc_type in needed]


def _needed_by_an_open_request() -> Q:
    """The document's type is required by one of her open requests (one EXISTS per type)."""
    needed = Q(pk__in=[])
    for doc_type in Document.DocType.values:
        types = _requests_needing(doc_type)
        if types:
            needed |= Q(doc_type=doc_type) & Exists(
                SupportRequest.objects.filter(
                    beneficiary=OuterRef("beneficiary"),
                    state__in=OPEN_STATES,
                    request_type__in=types,
                )
            )
    return needed


def _expiring_documents(today: date) -> list[Document]:
    horizon = today + relativedelta(days=settings.OUTREACH_DOCUMENT_NOTICE_DAYS)
    expiring = Q(expires_on__gte=today, expires_on__lte=horizon) | Q(
        doc_type=Document.DocType.STATEMENT,
        issued_on__gt=today - STATEMENT_MAX_AGE,
        issued_on__lte=horizon - STATEMENT_MAX_AGE,
    )
    newer = Document.objects.filter(
        beneficiary=OuterRef("beneficiary"),
        doc_type=OuterRef("doc_type"),
        uploaded_at__gt=OuterRef("uploaded_at"),
    )
    noticed = OutreachTask.objects.filter(document=OuterRef("pk"), kind=Kind.DOCUMENT_EXPIRING)
    return list(
        Document.objects.filter(expiring, _needed_by_an_open_request())
        .filter(beneficiary__anonymised_at__isnull=True)
        .exclude(Exists(newer))
        .exclude(Exists(noticed))
        .select_related("beneficiary")
        .only(
            "doc_type",
            "issued_on",
            "expires_on",
            "beneficiary__full_name",
            "beneficiary__mobile",
            "beneficiary__email",
            "beneficiary__preferred_channel",
            "beneficiary__preferred_language",
        )
    )


def _expiry(document: Document) -> date:
    if document.expires_on:
        return document.expires_on
    return document.issued_on + STATEMENT_MAX_AGE


def _events(verb: str, rows: list[tuple[Beneficiary | int, dict]]) -> None:
    content_type = ContentType.objects.get_for_model(Beneficiary)
    insert_many(
        [
            Event(
                actor=None,
                actor_kind=Event.ActorKind.SYSTEM,
                content_type=content_type,
                object_id=beneficiary_id,
                verb=verb,
                extra=extra,
            )
            for beneficiary_id, extra in rows
        ]
    )


def _notice_extra(document: Document) -> dict:
    due_on = _expiry(document).isoformat()
    return {"document": document.pk, "doc_type": document.doc_type, "due_on": due_on}


def _document_notices(today: date) -> int:
    documents = _expiring_documents(today)
    if not documents:
        return 0
    tasks = [
        OutreachTask(
            kind=Kind.DOCUMENT_EXPIRING,
            beneficiary_id=d.beneficiary_id,
            document=d,
            doc_type=d.doc_type,
            due_on=_expiry(d),
            key=f"doc-{d.pk}",
        )
        for d in documents
    ]
    OutreachTask.objects.bulk_create(tasks, ignore_conflicts=True)
    login_url = settings.SITE_URL + "/portal/login/"
    to_her = []
    for document in documents:
        her = document.beneficiary
        with translation.override(her.preferred_language or "ar"):
            label = str(Document.DocType(document.doc_type).label)
        to_her.append(
            ToHer(
                beneficiary=her,
                template="document_expiring",
                context={
                    "name": her.full_name.split(" ")[0],
                    "document": label,
                    "due_date": _expiry(document).isoformat(),
                    "url": login_url,
                },
                idempotency_key=f"outreach-doc-{document.pk}",
                subject=her,
            )
        )
    messages_queue_to_them(to_her)
    _events(
        "outreach_document_notice",
        [(d.beneficiary_id, _notice_extra(d)) for d in documents],
    )
    return len(documents)


def _last_reviewed():
    """When her file was last reviewed: her latest research report, her latest verified
    document, else her registration (see the module's docstring)."""
    report = (
        SupportRequest.objects.filter(beneficiary=OuterRef("pk"), research_report__isnull=False)
        .order_by("-research_report__created_at")
        .values("research_report__created_at")[:1]
    )
    verified = (
        Document.objects.filter(beneficiary=OuterRef("pk"), verified_at__isnull=False)
        .order_by("-verified_at")
        .values("verified_at")[:1]
    )
    registered = "created_at"
    return Greatest(
        Coalesce(Subquery(report, output_field=DateTimeField()), registered),
        Coalesce(Subquery(verified, output_field=DateTimeField()), registered),
    )


def _reassessments(now: datetime) -> int:
    cutoff = now - relativedelta(months=settings.REASSESSMENT_MONTHS)
    open_task = OutreachTask.objects.filter(
        beneficiary=OuterRef("pk"), kind=Kind.REASSESSMENT, status=OutreachTask.Status.OPEN
    )
    researcher = (
        SupportRequest.objects.filter(beneficiary=OuterRef("pk"), researcher__isnull=False)
        .order_by("-created_at", "-pk")
        .values("researcher")[:1]
    )
    due = list(
        Beneficiary.objects.filter(
            registration_status=RegistrationStatus.ACTIVE, anonymised_at__isnull=True
        )
        .annotate(last_reviewed=_last_reviewed(), researcher_id=Subquery(researcher))
        .filter(last_reviewed__lt=cutoff)
        .exclude(Exists(open_task))
        .values_list("pk", "last_reviewed", "researcher_id")
    )
    if not due:
        return 0
    months = relativedelta(months=settings.REASSESSMENT_MONTHS)
    tasks = [
        OutreachTask(
            kind=Kind.REASSESSMENT,
            beneficiary_id=pk,
            due_on=timezone.localdate(last_reviewed + months),
            researcher_id=researcher_id,
            key=f"reassess-{pk}-{timezone.localdate(last_reviewed).isoformat()}",
        )
        for pk, last_reviewed, researcher_id in due
    ]
    OutreachTask.objects.bulk_create(tasks, ignore_conflicts=True)
    _events(
        "reassessment_due",
        [(pk, {"last_reviewed": last_reviewed.isoformat()}) for pk, last_reviewed, _r in due],
    )
    return len(due)


def _close_answered(now: datetime) -> int:
    """Close document tasks once a newer document of that type is on her file, and
    reassessments once her file was reviewed after the task was opened. Two UPDATEs."""
    answered = Document.objects.filter(
        beneficiary=OuterRef("beneficiary"),
        doc_type=OuterRef("doc_type"),
        uploaded_at__gt=OuterRef("created_at"),
    )
    open_tasks = OutreachTask.objects.filter(status=OutreachTask.Status.OPEN)
    closed = open_tasks.filter(Exists(answered), kind=Kind.DOCUMENT_EXPIRING).update(
        status=OutreachTask.Status.DONE, closed_at=now
    )
    reviewed = Q(
        Exists(
            SupportRequest.objects.filter(
                beneficiary=OuterRef("beneficiary"),
                research_report__created_at__gt=OuterRef("created_at"),
            )
        )
    ) | Q(
        Exists(
            Document.objects.filter(
                beneficiary=OuterRef("beneficiary"), verified_at__gt=OuterRef("created_at")
            )
        )
    )
    closed += open_tasks.filter(reviewed, kind=Kind.REASSESSMENT).update(
        status=OutreachTask.Status.DONE, closed_at=now
    )
    return closed


@transaction.atomic
def outreach_sweep(*, now: datetime | None = None) -> OutreachSweep:
    """One pass of the three steps above, in one transaction (see the module docstring)."""
    now = now or timezone.now()
    closed = _close_answered(now)
    notices = _document_notices(timezone.localdate(now))
    reassessments = _reassessments(now)
    return OutreachSweep(notices=notices, reassessments=reassessments, closed=closed)
