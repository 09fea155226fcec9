"""Every write to the beneficiary file. Keyword-only, atomic, one audit event per change."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Count, F, Q, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ipware import get_client_ip

from accounts.models import User
from accounts.roles import Role
from audit.models import Event
from audit.services import event_record
from notifications.models import Message
from notifications.services import (
    message_build,
    message_queue,
    message_queue_to_staff,
    messages_queue_bulk,
)
from wahaj.lib.bulk import insert_many
from wahaj.lib.fields import hash_of

from .models import (
    PRIVACY_NOTICE_VERSION,
    Beneficiary,
    BeneficiaryCategory,
    Consent,
    ConsentPurpose,
    Contact,
    Document,
    FileAccess,
    FileNumberCounter,
    HouseholdMember,
    IncomeSource,
    Referral,
    RegistrationStatus,
)
from .selectors import UNSHOWN_HISTORY, consent_withdrawn, registration_gaps
from .uploads import EXTENSIONS

REFERRAL_ALREADY_CLOSED = _("This referral is already closed.")
REGISTRATION_INCOMPLETE = _("The registration cannot be completed yet. Still missing:")
REGISTRATION_NOT_INCOMPLETE = _("Only an incomplete registration can be completed.")
SUSPEND_NEEDS_COMPLETE = _("Only a complete registration can be suspended.")
REACTIVATE_NEEDS_SUSPENDED = _("Only a suspended registration can be reactivated.")
REASON_REQUIRED = _("Write the reason.")
DOCUMENT_ALREADY_VERIFIED = _("This document is already verified.")
EDIT_CONFLICT = _(
    "Another staff member saved this file while you were editing it. "
    "Your changes were not saved: review what changed and save again."
)

# Fields a person edits on the file (the rest are set by services).
EDITABLE_FIELDS = [
    "full_name",
    "latin_name",
    "national_id",
    "nationality",
    "date_of_birth",
    "marital_status",
    "mobile",
    "phone2",
    "email",
    "city",
    "district",
    "national_address",
    "housing",
    "monthly_rent",
    "iban",
    "debts",
    "health_notes",
    "intake_channel",
    "preferred_language",
    "preferred_channel",
]
MEMBER_FIELDS = [
    "name",
    "relation",
    "sex",
    "date_of_birth",
    "national_id",
    "monthly_income",
    "occupation",
    "has_disability",
    "health_notes",
]


class DuplicateBeneficiary(Exception):
    """Her national ID or mobile is already on a file: never doubled silently."""

    def __init__(self, existing: Beneficiary, field: str):
        self.existing = existing
        self.field = field
        super().__init__(f"{field} already on file {existing.file_number}")


class EditConflict(Exception):
    """The file changed since the form was opened; `changes` lists (field label, new value)."""

    def __init__(self, beneficiary: Beneficiary, changes: list[tuple[str, str]]):
        self.beneficiary = beneficiary
        self.changes = changes
        super().__init__(str(EDIT_CONFLICT))


class DocumentQuotaExceeded(Exception):
    """Her file already holds as many documents, or megabytes, as one file may."""

    def __init__(self, message: str) -> None:
        super().__init__(str(message))
        self.message = message


class InvalidTransition(Exception):
    """A change the file's state does not allow; `missing` lists what would allow it."""

    def __init__(self, message: str, *, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing or []


@dataclass
class MemberInput:
    """One household row of a form: `id` for an existing member, `delete` to remove it."""

    data: dict[str, Any]
    id: int | None = None
    delete: bool = False


# --- registration and edits ------------------------------------------------------------------
def beneficiary_find_duplicate(
    *, national_id: str, mobile: Any, exclude_pk: int | None = None
) -> tuple[Beneficiary, str] | None:
    """The file already holding this national ID (first) or mobile, with the field that matched.

    Both are stored encrypted: compared through their lookup hashes (unique for the ID).
    """
    national_id_hash = hash_of(Beneficiary._meta.get_field("national_id"), national_id)
    mobile_hash = hash_of(Beneficiary._meta.get_field("mobile"), mobile)
    matches = [
        Q(**{f"{name}_hash": value})
        for name, value in (("national_id", national_id_hash), ("mobile", mobile_hash))
        if value
    ]
    if not matches:
        return None
    query = Beneficiary.objects.filter(reduce(or_, matches))
    if exclude_pk:
        query = query.exclude(pk=exclude_pk)
    found = list(query.only("pk", "file_number", "full_name", "national_id_hash")[:2])
    for existing in found:
        if existing.national_id_hash == national_id_hash:
            return existing, "national_id"
    return (found[0], "mobile") if found else None


def file_numbers_allocate(count: int) -> list[str]:
    """`count` consecutive file numbers (B-000123). Locks the counter row until commit."""
    counter, _created = FileNumberCounter.objects.get_or_create(pk=1)
    counter = FileNumberCounter.objects.select_for_update().get(pk=1)
    first = counter.last + 1
    counter.last = F("last") + count
    counter.save(update_fields=["last"])
    return [f"B-{number:06d}" for number in range(first, first + count)]


@transaction.atomic
def beneficiary_register(
    *,
    actor: User,
    data: dict[str, Any],
    categories: list[str] = (),
    income: dict[str, Decimal] | None = None,
    members: list[dict[str, Any]] = (),
    consent_purposes: list[str] = (),
    request: HttpRequest | None = None,
) -> Beneficiary:
    """Open her file (policy step 1), with household and income; record the intake contact
    and, with `consent_purposes`, her consent under the current privacy notice.

    Raises DuplicateBeneficiary when her national ID or mobile is on a file already.
    Writes one `beneficiary_registered` event.
    """
    duplicate = beneficiary_find_duplicate(national_id=data["national_id"], mobile=data["mobile"])
    if duplicate:
        raise DuplicateBeneficiary(*duplicate)
    beneficiary = Beneficiary(
        **{field: value for field, value in data.items() if field in EDITABLE_FIELDS},
        file_number=file_numbers_allocate(1)[0],
        created_by=actor,
    )
    beneficiary._history_user = actor
    beneficiary.save()
    _categories_set(beneficiary, categories)
    _income_set(beneficiary, income or {})
    for member in members:
        _member_save(beneficiary, MemberInput(data=member), actor)
    Contact.objects.create(
        beneficiary=beneficiary,
        channel=beneficiary.intake_channel,
        # actor None: she applied on the website (portal_application_submit).
        summary=str(_("Registered at intake.") if actor else _("Applied online on the website.")),
        staff=actor,
    )
    consents = _consents_create(
        actor=actor,
        beneficiary=beneficiary,
        purposes=consent_purposes,
        via="staff" if actor else "portal",
    )
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="beneficiary_registered",
        new_state=beneficiary.registration_status,
        extra={
            "channel": beneficiary.intake_channel,
            "members": len(members),
            "consent": {
                "notice_version": PRIVACY_NOTICE_VERSION,
                "purposes": [c.purpose for c in consents],
            },
        },
        request=request,
        actor_kind=None if actor else Event.ActorKind.BENEFICIARY,
    )
    return beneficiary


def _consents_create(
    *,
    actor: User | None,
    beneficiary: Beneficiary,
    purposes: list[str],
    notice_version: str = PRIVACY_NOTICE_VERSION,
    via: str = "staff",
) -> list[Consent]:
    given = set(
        beneficiary.consents.filter(notice_version=notice_version).values_list("purpose", flat=True)
    )
    now = timezone.now()
    return Consent.objects.bulk_create(
        [
            Consent(
                beneficiary=beneficiary,
                purpose=purpose,
                notice_version=notice_version,
                given_at=now,
                recorded_by=actor,
                via=via,
            )
            for purpose in dict.fromkeys(purposes)
            if purpose in ConsentPurpose.values and purpose not in given
        ]
    )


def _changes_since(beneficiary: Beneficiary, version: int) -> list[tuple[str, str]]:
    """What colleagues changed after `version` (field label, current value), from history."""
    records = list(beneficiary.history.order_by("history_date", "history_id"))
    base = next((r for r in reversed(records) if r.version == version), None)
    if base is None or not records:
        return []
    delta = records[-1].diff_against(base, excluded_fields=UNSHOWN_HISTORY)
    labels = []
    for change in delta.changes:
        field = Beneficiary._meta.get_field(change.field)
        value = dict(field.flatchoices).get(change.new, change.new) if field.choices else change.new
        labels.append((str(field.verbose_name), str(value or "")))
    return labels


@transaction.atomic
def beneficiary_update(
    *,
    actor: User,
    beneficiary: Beneficiary,
    expected_version: int,
    data: dict[str, Any],
    categories: list[str] | None = None,
    income: dict[str, Decimal] | None = None,
    members: list[MemberInput] = (),
    request: HttpRequest | None = None,
) -> Beneficiary:
    """Save an edit of her file, unless a colleague saved it since the form was opened.

    Raises EditConflict (with what changed) when `expected_version` is not the current one,
    DuplicateBeneficiary when the new ID or mobile is on another file. Increments `version`
    and writes one `beneficiary_updated` event naming the fields changed.
    """
    beneficiary = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if beneficiary.version != expected_version:
        raise EditConflict(beneficiary, _changes_since(beneficiary, expected_version))
    if "national_id" in data or "mobile" in data:
        duplicate = beneficiary_find_duplicate(
            national_id=data.get("national_id", beneficiary.national_id),
            mobile=data.get("mobile", beneficiary.mobile),
            exclude_pk=beneficiary.pk,
        )
        if duplicate:
            raise DuplicateBeneficiary(*duplicate)
    changed = [
        field
        for field, value in data.items()
        if field in EDITABLE_FIELDS and getattr(beneficiary, field) != value
    ]
    for field in changed:
        setattr(beneficiary, field, data[field])
    if categories is not None and _categories_set(beneficiary, categories):
        changed.append("categories")
    if income is not None and _income_set(beneficiary, income):
        changed.append("income_sources")
    if any(_member_save(beneficiary, member, actor) for member in members):
        changed.append("household")
    if not changed:
        return beneficiary
    beneficiary.version += 1
    beneficiary._history_user = actor
    beneficiary.save()
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="beneficiary_updated",
        extra={"fields": changed, "version": beneficiary.version},
        request=request,
    )
    return beneficiary


def _categories_set(beneficiary: Beneficiary, categories: list[str]) -> bool:
    current = set(beneficiary.categories.values_list("category", flat=True))
    wanted = set(categories)
    if current == wanted:
        return False
    beneficiary.categories.exclude(category__in=wanted).delete()
    BeneficiaryCategory.objects.bulk_create(
        [BeneficiaryCategory(beneficiary=beneficiary, category=c) for c in wanted - current]
    )
    return True


def _income_set(beneficiary: Beneficiary, income: dict[str, Decimal]) -> bool:
    """Her income sources become exactly the non-zero amounts given."""
    wanted = {source: amount for source, amount in income.items() if amount}
    current = {s.source: s for s in beneficiary.income_sources.all()}
    changed = False
    for source, row in current.items():
        if source not in wanted:
            row.delete()
            changed = True
        elif row.amount != wanted[source]:
            row.amount = wanted[source]
            row.save(update_fields=["amount"])
            changed = True
    for source, amount in wanted.items():
        if source not in current:
            IncomeSource.objects.create(beneficiary=beneficiary, source=source, amount=amount)
            changed = True
    return changed


def _member_save(beneficiary: Beneficiary, member: MemberInput, actor: User) -> bool:
    data = {k: v for k, v in member.data.items() if k in MEMBER_FIELDS}
    if member.id is None:
        if member.delete or not data.get("name"):
            return False
        row = HouseholdMember(beneficiary=beneficiary, **data)
        row._history_user = actor
        row.save()
        return True
    row = beneficiary.household.get(pk=member.id)
    row._history_user = actor
    if member.delete:
        row.delete()
        return True
    changed = [f for f, v in data.items() if getattr(row, f) != v]
    for field in changed:
        setattr(row, field, data[field])
    if changed:
        row.save(update_fields=changed)
    return bool(changed)


# --- registration status (policy step 6) -----------------------------------------------------
def _lock(beneficiary: Beneficiary) -> Beneficiary:
    return Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)


def _set_status(
    beneficiary: Beneficiary, *, actor: User, status: str, verb: str, note: str, request
) -> None:
    old = beneficiary.registration_status
    beneficiary.registration_status = status
    beneficiary.version += 1  # an open edit form must not write the old status back
    beneficiary._history_user = actor
    beneficiary.save(update_fields=["registration_status", "version", "updated_at"])
    event_record(
        actor=actor,
        subject=beneficiary,
        verb=verb,
        old_state=old,
        new_state=status,
        note=note,
        request=request,
    )


def message_queue_to_her(
    beneficiary: Beneficiary,
    *,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    subject: models.Model | None = None,
    timeline: models.Model | None = None,
    send_after: datetime | None = None,
) -> Message | None:
    """The one way every app queues a message to her: by her preferred channel, in her language.

    Once she has withdrawn the `contact` purpose nothing is queued: instead the `timeline` (the
    request the message is about; default `subject`, else her file) gets a
    `message_withheld_no_consent` event naming the template, so staff know to tell her in person
    (she still sees everything in the portal and on /status/). Returns the outbox row or None.
    The portal sign-in code does not come here: she asks for it herself on the login page, and
    without it she could not reach the portal that replaces the messages.
    """
    if consent_withdrawn(beneficiary, ConsentPurpose.CONTACT):
        event_record(
            actor=None,
            subject=timeline or subject or beneficiary,
            verb="message_withheld_no_consent",
            extra={"template": template},
        )
        return None
    if beneficiary.preferred_channel == "email" and beneficiary.email:
        channel, to = "email", beneficiary.email
    else:
        channel, to = "sms", str(beneficiary.mobile or "")
    return message_queue(
        channel=channel,
        to=to,
        template=template,
        language=beneficiary.preferred_language or "ar",
        context=context,
        idempotency_key=idempotency_key,
        subject=subject,
        send_after=send_after,
    )


@dataclass(frozen=True)
class ToHer:
    """One message of `messages_queue_to_them`: the arguments of `message_queue_to_her`."""

    beneficiary: Beneficiary
    template: str
    context: dict[str, Any]
    idempotency_key: str
    subject: models.Model | None = None


def messages_queue_to_them(items: list[ToHer]) -> list[Message]:
    """`message_queue_to_her` for many women at once, in a constant number of queries (a
    program's cycle tells thousands): the same channel, language and consent rule — a woman
    who withdrew `contact` gets no row, her `subject` (else her file) a
    `message_withheld_no_consent` event. Rows go through `messages_queue_bulk` (one insert,
    existing idempotency keys skipped). Returns the rows queued."""
    if not items:
        return []
    withdrawn = set(
        Consent.objects.filter(
            beneficiary_id__in={item.beneficiary.pk for item in items},
            purpose=ConsentPurpose.CONTACT,
        )
        .values("beneficiary_id")
        .annotate(active=Count("pk", filter=Q(withdrawn_at=None)))
        .filter(active=0)
        .values_list("beneficiary_id", flat=True)
    )
    rows, withheld = [], []
    for item in items:
        beneficiary = item.beneficiary
        if beneficiary.pk in withdrawn:
            subject = item.subject or beneficiary
            withheld.append(
                Event(
                    actor=None,
                    actor_kind=Event.ActorKind.SYSTEM,
                    content_type=ContentType.objects.get_for_model(subject),
                    object_id=subject.pk,
                    verb="message_withheld_no_consent",
                    extra={"template": item.template},
                )
            )
            continue
        if beneficiary.preferred_channel == "email" and beneficiary.email:
            channel, to = "email", beneficiary.email
        else:
            channel, to = "sms", str(beneficiary.mobile or "")
        rows.append(
            message_build(
                channel=channel,
                to=to,
                template=item.template,
                language=beneficiary.preferred_language or "ar",
                context=item.context,
                idempotency_key=item.idempotency_key,
                subject=item.subject,
            )
        )
    insert_many(withheld)
    return messages_queue_bulk(rows)


def _tell_her(beneficiary: Beneficiary, template: str, key: str) -> None:
    message_queue_to_her(
        beneficiary,
        template=template,
        context={
            "name": beneficiary.full_name.split(" ")[0],
            "file_number": beneficiary.file_number,
        },
        idempotency_key=key,
        subject=beneficiary,
    )


@transaction.atomic
def beneficiary_registration_complete(
    *, actor: User, beneficiary: Beneficiary, request: HttpRequest | None = None
) -> Beneficiary:
    """incomplete → active (complete), once `registration_gaps` is empty.

    Raises InvalidTransition (with `missing`) otherwise. Writes `registration_completed` and
    tells her (`registration_completed`).
    """
    locked = _lock(beneficiary)
    if locked.registration_status != RegistrationStatus.INCOMPLETE:
        raise InvalidTransition(REGISTRATION_NOT_INCOMPLETE)
    missing = registration_gaps(locked)
    if missing:
        raise InvalidTransition(REGISTRATION_INCOMPLETE, missing=missing)
    _set_status(
        locked,
        actor=actor,
        status=RegistrationStatus.ACTIVE,
        verb="registration_completed",
        note="",
        request=request,
    )
    _tell_her(
        locked, "registration_completed", f"registration-completed-{locked.pk}-{locked.version}"
    )
    return locked


@transaction.atomic
def beneficiary_suspend(
    *, actor: User, beneficiary: Beneficiary, reason: str, request: HttpRequest | None = None
) -> Beneficiary:
    """active → suspended, with the reason (kept as the event's note). Writes
    `registration_suspended`; no message: the desk tells her why in person."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidTransition(REASON_REQUIRED)
    locked = _lock(beneficiary)
    if locked.registration_status != RegistrationStatus.ACTIVE:
        raise InvalidTransition(SUSPEND_NEEDS_COMPLETE)
    _set_status(
        locked,
        actor=actor,
        status=RegistrationStatus.SUSPENDED,
        verb="registration_suspended",
        note=reason,
        request=request,
    )
    return locked


@transaction.atomic
def beneficiary_reactivate(
    *, actor: User, beneficiary: Beneficiary, reason: str, request: HttpRequest | None = None
) -> Beneficiary:
    """suspended → active when the requirements still hold, else → incomplete (a document may
    have expired meanwhile: the file page then says what to renew). Writes
    `registration_reactivated` with the reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidTransition(REASON_REQUIRED)
    locked = _lock(beneficiary)
    if locked.registration_status != RegistrationStatus.SUSPENDED:
        raise InvalidTransition(REACTIVATE_NEEDS_SUSPENDED)
    status = (
        RegistrationStatus.INCOMPLETE if registration_gaps(locked) else RegistrationStatus.ACTIVE
    )
    _set_status(
        locked,
        actor=actor,
        status=status,
        verb="registration_reactivated",
        note=reason,
        request=request,
    )
    return locked


# --- documents, contacts, access -------------------------------------------------------------
# What one file may hold (issue 18): a complete file has about ten documents of a few hundred
# KB, renewed statements included; the limits (settings DOCUMENT_QUOTA_COUNT and _MB, 40 and
# 100 MB) stop a script, not a desk.
DOCUMENT_COUNT_REACHED = _(
    "This file already has %(limit)s documents, the most one file may hold. "
    "A manager can remove outdated ones."
)
DOCUMENT_SIZE_REACHED = _(
    "This document would take the file past %(limit)s MB, the most one file may hold. "
    "A manager can remove outdated ones."
)


def _document_quota_check(beneficiary: Beneficiary, size: int) -> None:
    """Raise DocumentQuotaExceeded if one more document of `size` bytes is too many.

    Her row is locked first, so two uploads at once cannot both pass the last free place."""
    Beneficiary.objects.select_for_update().filter(pk=beneficiary.pk).first()
    held = beneficiary.documents.aggregate(count=Count("pk"), size=Sum("size"))
    count_limit, mb_limit = settings.DOCUMENT_QUOTA_COUNT, settings.DOCUMENT_QUOTA_MB
    if held["count"] >= count_limit:
        raise DocumentQuotaExceeded(DOCUMENT_COUNT_REACHED % {"limit": count_limit})
    if (held["size"] or 0) + size > mb_limit * 1024 * 1024:
        raise DocumentQuotaExceeded(DOCUMENT_SIZE_REACHED % {"limit": mb_limit})


@transaction.atomic
def document_add(
    *,
    actor: User,
    beneficiary: Beneficiary,
    doc_type: str,
    file: Any,
    content_type: str,
    issued_on=None,
    expires_on=None,
    request: HttpRequest | None = None,
) -> Document:
    """Store a checked upload (uploads.checked_upload: detected type, clean content) under a
    random private name with the extension of its detected type.

    Raises DocumentQuotaExceeded when her file is full (count or megabytes)."""
    _document_quota_check(beneficiary, file.size)
    document = Document(
        beneficiary=beneficiary,
        doc_type=doc_type,
        issued_on=issued_on,
        expires_on=expires_on,
        original_name=str(getattr(file, "original_name", file.name))[:200],
        content_type=content_type,
        size=file.size,
        uploaded_by=actor,
    )
    document.file.save(f"document{EXTENSIONS[content_type]}", file, save=False)
    document.save()
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="document_added",
        extra={"document": document.pk, "doc_type": doc_type},
        request=request,
    )
    return document


@transaction.atomic
def document_verify(
    *, actor: User, document: Document, request: HttpRequest | None = None
) -> Document:
    """Staff matched the document against the original (policy step 2). Once; writes
    `document_verified`."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if locked.verified_at is not None:
        raise InvalidTransition(DOCUMENT_ALREADY_VERIFIED)
    locked.verified_at = timezone.now()
    locked.verified_by = actor
    locked.save(update_fields=["verified_at", "verified_by"])
    event_record(
        actor=actor,
        subject=locked.beneficiary,
        verb="document_verified",
        extra={"document": locked.pk, "doc_type": locked.doc_type},
        request=request,
    )
    return locked


@transaction.atomic
def contact_record(
    *,
    actor: User,
    beneficiary: Beneficiary,
    channel: str,
    direction: str,
    summary: str,
    occurred_at=None,
    request: HttpRequest | None = None,
) -> Contact:
    """Log one interaction with her, with the policy channel it went through."""
    contact = Contact.objects.create(
        beneficiary=beneficiary,
        channel=channel,
        direction=direction,
        summary=summary,
        staff=actor,
        occurred_at=occurred_at or timezone.now(),
    )
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="contact_recorded",
        extra={"contact": contact.pk, "channel": channel},
        request=request,
    )
    return contact


def file_access_record(
    *,
    user: User | None,
    beneficiary: Beneficiary,
    kind: str,
    document: Document | None = None,
    request: HttpRequest | None = None,
) -> FileAccess:
    """Record who (and in which role, from where) opened her file, a document or a page with
    her data (PDPL). `user` None: she herself, in the portal. Not an audit event: viewing is
    not a change of the case."""
    return FileAccess.objects.create(
        beneficiary=beneficiary, document=document, **_access_fields(user, kind, request)
    )


def _access_fields(user: User | None, kind: str, request: HttpRequest | None) -> dict:
    is_user = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    return {
        "user": user if is_user else None,
        "role": (user.primary_role or "") if is_user else "beneficiary",
        "kind": kind,
        "view_name": (match.view_name if match else "")[:80],
        "ip_address": get_client_ip(request)[0] if request is not None else None,
    }


def file_accesses_record(
    *,
    user: User | None,
    beneficiary_ids: list[int],
    kind: str,
    request: HttpRequest | None = None,
) -> list[FileAccess]:
    """`file_access_record` for a page showing several women (a meeting's agenda): one row
    each, in one query, so the page's cost does not grow with its agenda."""
    if not beneficiary_ids:
        return []
    fields = _access_fields(user, kind, request)
    return FileAccess.objects.bulk_create(
        [FileAccess(beneficiary_id=pk, **fields) for pk in dict.fromkeys(beneficiary_ids)]
    )


# --- referrals (policy step 3) ---------------------------------------------------------------
def _researcher_with_fewest_open_referrals() -> User | None:
    from django.db.models import Count

    return (
        User.objects.filter(is_active=True, groups__name=Role.RESEARCHER)
        .annotate(
            open_count=Count(
                "referrals_assigned", filter=Q(referrals_assigned__closed_at__isnull=True)
            )
        )
        .order_by("open_count", "pk")
        .first()
    )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    beneficiary: Beneficiary,
    reason: str,
    assigned_to: User | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer her to a social-research officer (the one given, else the least loaded).

    Writes `referral_created` and queues `referral_assigned` to the researcher.
    """
    assigned_to = assigned_to or _researcher_with_fewest_open_referrals()
    referral = Referral.objects.create(
        beneficiary=beneficiary, reason=reason, referred_by=actor, assigned_to=assigned_to
    )
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="referral_created",
        new_state="open",
        extra={"referral": referral.pk, "assigned_to": assigned_to.pk if assigned_to else None},
        request=request,
    )
    if assigned_to:
        message_queue_to_staff(
            users=[assigned_to],
            template="referral_assigned",
            context={
                "file_number": beneficiary.file_number,
                "name": beneficiary.full_name,
                "reason": reason[:80],
                "url": reverse("beneficiaries:detail", args=[beneficiary.pk]),
            },
            idempotency_key=f"referral_assigned:{referral.pk}",
            subject=referral,
        )
    return referral


@transaction.atomic
def referral_close(
    *, actor: User, referral: Referral, answer: str, request: HttpRequest | None = None
) -> Referral:
    """The researcher answers her questions and closes the referral (once)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.closed_at is not None:
        raise InvalidTransition(REFERRAL_ALREADY_CLOSED)
    referral.answer = answer
    referral.closed_at = timezone.now()
    referral.closed_by = actor
    referral.save(update_fields=["answer", "closed_at", "closed_by"])
    event_record(
        actor=actor,
        subject=referral.beneficiary,
        verb="referral_closed",
        old_state="open",
        new_state="closed",
        extra={"referral": referral.pk},
        request=request,
    )
    return referral


CONSENT_NOT_ACTIVE = _("There is no consent to this purpose to withdraw.")
CONSENT_SERVICE_STAYS = _(
    "Consent to the service itself ends when her file is closed; it is not withdrawn here."
)
CONSENT_WORDS_REQUIRED = _("Write what she said and how (phone, visit, letter).")


@transaction.atomic
def consent_withdraw(
    *,
    actor: User | None,
    beneficiary: Beneficiary,
    purpose: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> list[Consent]:
    """Withdraw her consent to one purpose, dated: by her in the portal (`actor` None) or by
    staff, who record her words in `note`. What depends on the purpose stops from now on
    (selectors.consent_withdrawn: no survey invitation after "survey" is withdrawn; no SMS or
    e-mail to her after "contact" is withdrawn, `message_queue_to_her`).

    Raises InvalidTransition for the service purpose itself, for staff without her words, and
    when no active consent to the purpose exists. Writes one `consent_withdrawn` event.
    """
    if purpose == ConsentPurpose.SERVICE:
        raise InvalidTransition(CONSENT_SERVICE_STAYS)
    if actor is not None and not note.strip():
        raise InvalidTransition(CONSENT_WORDS_REQUIRED)
    consents = list(
        Consent.objects.select_for_update().filter(
            beneficiary=beneficiary, purpose=purpose, withdrawn_at=None
        )
    )
    if not consents:
        raise InvalidTransition(CONSENT_NOT_ACTIVE)
    now = timezone.now()
    for consent in consents:
        consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_note = now, actor, note
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="consent_withdrawn",
        old_state="given",
        new_state="withdrawn",
        note=note,
        extra={"purpose": purpose, "via": "portal" if actor is None else "staff"},
        request=request,
        actor_kind=Event.ActorKind.BENEFICIARY if actor is None else None,
    )
    return consents
