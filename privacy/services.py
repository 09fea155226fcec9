"""PDPL retention: anonymise the files of women whose cases closed long ago.

What identifies her is replaced or deleted — names, national IDs, phones, e-mail, IBAN,
addresses, health notes, free text, documents (the files themselves), login codes, the same
columns in every past version of her file (simple_history) and the addresses in the log of who
opened it; what the association counts is kept — marital status, categories,
city, housing, incomes, household size, requests with their types, amounts, states and dates,
decisions, survey ratings — so the statistics of past years do not change.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import pgtrigger
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncYear
from django.utils import timezone

from audit.services import event_record
from beneficiaries.models import (
    FILE_ACCESS_PERSONAL_TRIGGER,
    Beneficiary,
    Contact,
    Document,
    FileAccess,
    HouseholdMember,
    IncomeSource,
    Referral,
)
from committee.models import Appeal, Decision, ResearchReport, Vote
from notifications.models import Message
from portal.models import CorrectionRequest, PortalCode
from programs.models import CycleEntry
from requests_app.models import Declaration, SupportRequest
from surveys.models import Answer
from wahaj.lib.fields import LookupHashField

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


def _her_identifiers(pk: int) -> dict:
    """Her file's personal columns as retention leaves them (date of birth aside)."""
    return {
        "full_name": ANONYMOUS_NAME,
        "latin_name": "",
        "national_id": _placeholder_id(pk),
        "mobile": "",
        "phone2": "",
        "email": "",
        "district": "",
        "national_address": "",
        "iban": "",
        "health_notes": "",
    }


MEMBER_IDENTIFIERS = {"name": ANONYMOUS_NAME, "national_id": "", "health_notes": ""}


def _anonymise_history(model, values: dict, **filters) -> None:
    """Every past version of these rows keeps its date, author and type of change, and the
    counted columns, but loses the identifiers the live row lost — and the lookup hashes:
    a keyed hash of her old ID still confirms that ID to whoever holds the key."""
    history = model.history.model
    values = {**values, "history_change_reason": None}
    values |= {
        f.name: None for f in history._meta.concrete_fields if isinstance(f, LookupHashField)
    }
    if "date_of_birth" in {f.name for f in history._meta.concrete_fields}:
        values["date_of_birth"] = TruncYear("date_of_birth")
    history.objects.filter(**filters).update(**values)


def _anonymise_file_accesses(beneficiary: Beneficiary) -> None:
    """The log of who opened her file stays (who, when, what); the addresses go. The only
    writer PostgreSQL lets past the log's trigger (beneficiaries.models.FileAccess)."""
    with pgtrigger.ignore(f"beneficiaries.FileAccess:{FILE_ACCESS_PERSONAL_TRIGGER}"):
        FileAccess.objects.filter(beneficiary=beneficiary, ip_address__isnull=False).update(
            ip_address=None
        )


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
        for name, value in MEMBER_IDENTIFIERS.items():
            setattr(member, name, value)
        member.date_of_birth = _year_only(member.date_of_birth)
        member.skip_history_when_saving = True
        member.save(update_fields=[*MEMBER_IDENTIFIERS, "date_of_birth"])
    # Members removed from her household too: their history rows still name her file.
    _anonymise_history(HouseholdMember, MEMBER_IDENTIFIERS, beneficiary_id=beneficiary.pk)
    _anonymise_history(Beneficiary, _her_identifiers(beneficiary.pk), id=beneficiary.pk)
    _anonymise_history(IncomeSource, {}, beneficiary_id=beneficiary.pk)
    _anonymise_file_accesses(beneficiary)

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
    # The IBAN frozen in a bank-transfer file (the entry's amount and dates stay for the fund).
    CycleEntry.objects.filter(beneficiary=beneficiary).update(transfer_iban="")

    for name, value in _her_identifiers(beneficiary.pk).items():
        setattr(beneficiary, name, value)
    beneficiary.date_of_birth = _year_only(beneficiary.date_of_birth)
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
