"""PDPL retention: anonymise the files of women whose cases closed long ago.

What identifies her is replaced or deleted — names, national IDs, phones, e-mail, IBAN,
addresses, health notes, free text, documents (the files themselves), login codes, the
history of past values; what the association counts is kept — marital status, categories,
city, housing, incomes, household size, requests with their types, amounts, states and dates,
decisions, survey ratings — so the statistics of past years do not change.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import event_record
from beneficiaries.models import Beneficiary, Contact, Document, HouseholdMember, Referral
from committee.models import Appeal, Decision, ResearchReport, Vote
from notifications.models import Message
from portal.models import CorrectionRequest, PortalCode
from requests_app.models import Declaration, SupportRequest
from surveys.models import Answer

from .selectors import beneficiaries_due_for_retention

ANONYMOUS_NAME = "—"


@dataclass
class RetentionRun:
    anonymised: list[str] = field(default_factory=list)  # file numbers
    files_deleted: int = 0


def _year_only(value: date | None) -> date | None:
    """Keep her age for statistics, not her birthday."""
    return value.replace(month=1, day=1) if value else None


def _placeholder_id(pk: int) -> str:
    # Unique (the column is) and never a valid ID (the checksum and first digit fail).
    return f"X{pk:09d}"[-10:]


def _delete_history(model, **filters) -> None:
    model.history.model.objects.filter(**filters).delete()


def _scrub_requests(request_ids: list[int]) -> None:
    """Free text about her on her requests, their research, votes, decision and survey."""
    SupportRequest.objects.filter(pk__in=request_ids).update(
        description="", return_reason="", rejection_reason="", delivery_note=""
    )
    Declaration.objects.filter(support_request__in=request_ids).update(signed_name=ANONYMOUS_NAME)
    ResearchReport.objects.filter(support_request__in=request_ids).update(
        household_findings="",
        income_findings="",
        housing_findings="",
        health_findings="",
        needs="",
    )
    Decision.objects.filter(support_request__in=request_ids).update(rejection_reason="")
    Vote.objects.filter(agenda_item__support_request__in=request_ids).update(comment="")
    Appeal.objects.filter(support_request__in=request_ids).update(reason=ANONYMOUS_NAME)
    Answer.objects.filter(response__invitation__support_request__in=request_ids).update(text="")


@transaction.atomic
def beneficiary_anonymise(*, beneficiary: Beneficiary, now: datetime | None = None) -> int:
    """Replace her identifiers and delete her documents (files removed after commit).

    Returns the number of document files deleted. Writes one `anonymised` event (system).
    Refuses nothing itself: the selector decides who is due (legal hold, open cases).
    """
    now = now or timezone.now()
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    request_ids = list(beneficiary.support_requests.values_list("pk", flat=True))
    mobile, email = str(beneficiary.mobile or ""), beneficiary.email

    # Her documents: rows now, files once the transaction commits (a rollback keeps both).
    documents = list(Document.objects.filter(beneficiary=beneficiary))
    names = [d.file.name for d in documents if d.file]
    storage = documents[0].file.storage if documents else None
    Document.objects.filter(beneficiary=beneficiary).delete()
    if storage is not None:
        transaction.on_commit(lambda: [storage.delete(n) for n in names if storage.exists(n)])

    for member in beneficiary.household.all():
        member.name = ANONYMOUS_NAME
        member.national_id = ""
        member.health_notes = ""
        member.date_of_birth = _year_only(member.date_of_birth)
        member.skip_history_when_saving = True
        member.save(update_fields=["name", "national_id", "health_notes", "date_of_birth"])
    _delete_history(HouseholdMember, beneficiary_id=beneficiary.pk)
    _delete_history(Beneficiary, id=beneficiary.pk)
    beneficiary.income_sources.model.history.model.objects.filter(
        beneficiary_id=beneficiary.pk
    ).delete()

    Contact.objects.filter(beneficiary=beneficiary).update(summary=ANONYMOUS_NAME)
    Referral.objects.filter(beneficiary=beneficiary).update(reason=ANONYMOUS_NAME, answer="")
    CorrectionRequest.objects.filter(beneficiary=beneficiary).update(
        details=ANONYMOUS_NAME, answer=""
    )
    PortalCode.objects.filter(beneficiary=beneficiary).delete()
    _scrub_requests(request_ids)
    addresses = Q(to__in=[a for a in (mobile, email) if a])
    if request_ids:
        addresses |= Q(subject_type__model="supportrequest", subject_id__in=request_ids)
    Message.objects.filter(addresses).update(to="", context={})

    beneficiary.full_name = ANONYMOUS_NAME
    beneficiary.latin_name = ""
    beneficiary.national_id = _placeholder_id(beneficiary.pk)
    beneficiary.mobile = ""
    beneficiary.phone2 = ""
    beneficiary.email = ""
    beneficiary.date_of_birth = _year_only(beneficiary.date_of_birth)
    beneficiary.district = ""
    beneficiary.national_address = ""
    beneficiary.iban = ""
    beneficiary.health_notes = ""
    beneficiary.anonymised_at = now
    beneficiary.version += 1
    beneficiary.skip_history_when_saving = True
    beneficiary.save()
    event_record(
        actor=None,
        subject=beneficiary,
        verb="anonymised",
        extra={"documents_deleted": len(names), "requests": len(request_ids)},
    )
    return len(names)


def retention_apply(*, now: datetime | None = None, dry_run: bool = False) -> RetentionRun:
    """Anonymise every file due (see beneficiaries_due_for_retention), one transaction each,
    so a failure on one file leaves the others done. Safe to run twice: anonymised files are
    never due again."""
    run = RetentionRun()
    for beneficiary in beneficiaries_due_for_retention(now=now).iterator():
        run.anonymised.append(beneficiary.file_number)
        if not dry_run:
            run.files_deleted += beneficiary_anonymise(beneficiary=beneficiary, now=now)
    return run
