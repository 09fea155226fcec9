"""Every write of the portal: one-time login codes, correction requests, her own requests.

The beneficiary is not a Django user: audit events written here have no actor and the
actor kind `beneficiary`; the subject says whose file it is.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from audit.models import Event
from audit.services import event_record
from beneficiaries.models import Beneficiary, Document
from beneficiaries.services import (
    DocumentQuotaExceeded,
    beneficiary_find_duplicate,
    beneficiary_register,
    document_add,
    message_queue_to_her,
)
from committee.models import Appeal
from committee.services import appeal_file
from notifications.services import message_queue, message_queue_to_staff
from requests_app.models import SupportRequest
from requests_app.services import (
    support_request_create,
    support_request_resubmit,
    support_request_sign_declaration,
    support_request_submit,
    support_request_withdraw,
)
from wahaj.lib.choices import Channel
from wahaj.lib.codes import code_hash, code_matches, code_new, keyed_digest
from wahaj.lib.crypto import lookup_hash

from .models import CorrectionRequest, PortalCode
from .selectors import upload_open

CODE_VALID_FOR = timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5
CODES_PER_WINDOW = 3
CODES_WINDOW = timedelta(minutes=15)

TOO_MANY_CODES = _("You have asked for three codes in the last 15 minutes. Please try again later.")
CODE_WRONG = _("This code is not correct. Check the text message and try again.")
CODE_EXPIRED = _("This code has expired or was already used. Ask for a new code.")
CODE_LOCKED = _("Too many wrong codes. Ask for a new code.")
UPLOAD_NOT_OPEN = _(
    "Documents can be added here only while the request is a draft or returned to you."
)
UPLOAD_QUOTA_REACHED = _(
    "Your file cannot take more documents online. "
    "Please bring the document to the association's office or call us."
)
UPLOAD_RATE_LIMITED = _(
    "You have sent many documents in a short time. Please wait an hour before sending more."
)

State = SupportRequest.State


class PortalError(Exception):
    """A refusal with a translated message for her (the constants above)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _count_unknown_id_code(national_id: str) -> int:
    """Codes asked for an ID that is not on file, counted like real ones.

    The page must answer an unregistered ID exactly as a registered one, throttle included;
    the counter's key is a keyed hash, so the cache never holds the ID itself.
    """
    key = f"portal:unknown-id-codes:{keyed_digest(national_id, purpose='unknown-id')}"
    cache.add(key, 0, timeout=int(CODES_WINDOW.total_seconds()))
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(CODES_WINDOW.total_seconds()))
        return 1


@transaction.atomic
def portal_code_issue(*, national_id: str) -> Beneficiary | None:
    """Send a new six-digit code to the mobile on file of the beneficiary with this ID.

    Returns her file, or None when no file has this ID (the caller answers the same either
    way). Raises PortalError(TOO_MANY_CODES) on the fourth code within 15 minutes. Side
    effects: a PortalCode row (hash only) and an SMS in the outbox, sent after commit.
    """
    # Locking her row serialises two simultaneous requests, so the throttle cannot be raced.
    # Her ID is stored encrypted: found by its lookup hash (unique).
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .filter(national_id_hash=lookup_hash(national_id))
        .first()
    )
    now = timezone.now()
    if beneficiary is None:
        if _count_unknown_id_code(national_id) > CODES_PER_WINDOW:
            raise PortalError(TOO_MANY_CODES)
        return None
    recent = PortalCode.objects.filter(
        beneficiary=beneficiary, created_at__gt=now - CODES_WINDOW
    ).count()
    if recent >= CODES_PER_WINDOW:
        raise PortalError(TOO_MANY_CODES)
    code = code_new()
    portal_code = PortalCode.objects.create(
        beneficiary=beneficiary,
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
    )
    # Not `message_queue_to_her`: she asks for this code herself on the login page, so it goes
    # even after she withdrew the contact purpose (the portal is then how she follows her file).
    message_queue(
        channel="sms",
        to=str(beneficiary.mobile),
        template="portal_otp",
        language=beneficiary.preferred_language,
        context={"code": code, "minutes": int(CODE_VALID_FOR.total_seconds() // 60)},
        idempotency_key=f"portal-otp-{portal_code.pk}",
        subject=beneficiary,
    )
    return beneficiary


@dataclass(frozen=True)
class _Outcome:
    beneficiary: Beneficiary | None = None
    refusal: object = None


@transaction.atomic
def _code_check(*, beneficiary_id: int, code: str, request: HttpRequest | None) -> _Outcome:
    latest = (
        PortalCode.objects.select_for_update()
        .select_related("beneficiary")
        .filter(beneficiary_id=beneficiary_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    now = timezone.now()
    if latest is None or latest.used_at is not None or latest.expires_at <= now:
        return _Outcome(refusal=CODE_EXPIRED)
    if latest.failed_attempts >= CODE_MAX_ATTEMPTS:
        return _Outcome(refusal=CODE_LOCKED)
    if not code_matches(code, latest.code_hash):
        latest.failed_attempts += 1
        latest.save(update_fields=["failed_attempts"])
        locked = latest.failed_attempts >= CODE_MAX_ATTEMPTS
        return _Outcome(refusal=CODE_LOCKED if locked else CODE_WRONG)
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    event_record(
        actor=None,
        subject=latest.beneficiary,
        verb="portal_login",
        request=request,
        actor_kind=Event.ActorKind.BENEFICIARY,
    )
    return _Outcome(beneficiary=latest.beneficiary)


def portal_code_verify(
    *, beneficiary_id: int | None, code: str, request: HttpRequest | None = None
) -> Beneficiary:
    """Check a code against her latest one; returns her file, or raises PortalError.

    Refused: no code, expired, already used, or after five wrong tries (even the right code:
    the sixth try in a row never succeeds). A wrong try is counted in its own transaction,
    so the refusal cannot roll the count back. `beneficiary_id` None (an ID not on file)
    always fails like a wrong code.
    """
    if beneficiary_id is None:
        raise PortalError(CODE_WRONG)
    outcome = _code_check(beneficiary_id=beneficiary_id, code=code, request=request)
    if outcome.refusal is not None:
        raise PortalError(outcome.refusal)
    return outcome.beneficiary


@transaction.atomic
def correction_request_create(
    *, beneficiary: Beneficiary, details: str, request: HttpRequest | None = None
) -> CorrectionRequest:
    """She asks for her data to be corrected: an open task for intake, due in 30 days."""
    now = timezone.now()
    correction = CorrectionRequest.objects.create(
        beneficiary=beneficiary,
        details=details,
        created_at=now,
        due_at=CorrectionRequest.due_from(now),
    )
    event_record(
        actor=None,
        subject=beneficiary,
        verb="correction_requested",
        new_state=CorrectionRequest.Status.OPEN,
        note=details,
        extra={"correction_request": correction.pk},
        request=request,
        actor_kind=Event.ActorKind.BENEFICIARY,
    )
    return correction


@transaction.atomic
def correction_request_close(
    *, actor, correction: CorrectionRequest, answer: str = ""
) -> CorrectionRequest:
    """Intake marks a correction request done (after editing the file through its own form)."""
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status == CorrectionRequest.Status.DONE:
        return correction
    correction.status = CorrectionRequest.Status.DONE
    correction.handled_by = actor
    correction.handled_at = timezone.now()
    correction.answer = answer
    correction.save(update_fields=["status", "handled_by", "handled_at", "answer"])
    event_record(
        actor=actor,
        subject=correction.beneficiary,
        verb="correction_closed",
        old_state=CorrectionRequest.Status.OPEN,
        new_state=CorrectionRequest.Status.DONE,
        note=answer,
        extra={"correction_request": correction.pk},
    )
    return correction


# --- Her requests (the requests_app services, with actor None: she acts herself) -------------
def _ensure_hers(beneficiary: Beneficiary, support_request: SupportRequest) -> None:
    # The views already fetch her request or 404; this keeps a service call from ever acting
    # on another woman's request.
    if support_request.beneficiary_id != beneficiary.pk:
        raise SupportRequest.DoesNotExist


def portal_request_create(
    *,
    beneficiary: Beneficiary,
    request_type: str,
    amount_requested: Decimal | None,
    description: str,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """A draft request she starts online: channel "website" (policy channel 7)."""
    return support_request_create(
        actor=None,
        beneficiary=beneficiary,
        request_type=request_type,
        channel=Channel.WEBSITE,
        amount_requested=amount_requested,
        description=description,
        request=request,
    )


@transaction.atomic
def portal_request_submit(
    *,
    beneficiary: Beneficiary,
    support_request: SupportRequest,
    signed_name: str,
    request: HttpRequest | None = None,
) -> SupportRequest:
    """She confirms the declaration and sends her draft, in one step: both or neither.

    Raises InvalidTransition (with `missing`) when the request is not complete. Intake then
    does the verification checklist while it waits in `submitted`, before research starts.
    """
    _ensure_hers(beneficiary, support_request)
    support_request_sign_declaration(
        actor=None, support_request=support_request, signed_name=signed_name, request=request
    )
    return support_request_submit(actor=None, support_request=support_request, request=request)


def portal_request_resubmit(
    *, beneficiary: Beneficiary, support_request: SupportRequest, request: HttpRequest | None = None
) -> SupportRequest:
    _ensure_hers(beneficiary, support_request)
    return support_request_resubmit(actor=None, support_request=support_request, request=request)


def portal_request_withdraw(
    *,
    beneficiary: Beneficiary,
    support_request: SupportRequest,
    reason: str,
    request: HttpRequest | None = None,
) -> SupportRequest:
    _ensure_hers(beneficiary, support_request)
    return support_request_withdraw(
        actor=None, support_request=support_request, note=reason, request=request
    )


def portal_document_add(
    *,
    beneficiary: Beneficiary,
    support_request: SupportRequest,
    doc_type: str,
    file,
    content_type: str,
    issued_on=None,
    expires_on=None,
    request: HttpRequest | None = None,
) -> Document:
    """She adds a missing document to her file while her request is a draft or returned, or
    after she was told a document is about to expire (portal.selectors.upload_open)."""
    _ensure_hers(beneficiary, support_request)
    if not upload_open(beneficiary, support_request):
        raise PortalError(UPLOAD_NOT_OPEN)
    try:
        return document_add(
            actor=None,
            beneficiary=beneficiary,
            doc_type=doc_type,
            file=file,
            content_type=content_type,
            issued_on=issued_on,
            expires_on=expires_on,
            request=request,
        )
    except DocumentQuotaExceeded as error:
        raise PortalError(UPLOAD_QUOTA_REACHED) from error


def portal_request_appeal(
    *, beneficiary: Beneficiary, support_request: SupportRequest, reason: str
) -> Appeal:
    """She appeals a rejection herself (once, within 30 days: committee.services checks)."""
    _ensure_hers(beneficiary, support_request)
    return appeal_file(
        actor=None, support_request=support_request, reason=reason, via=Appeal.Via.PORTAL
    )


CORRECTION_EXTENSION_DAYS = 30
CORRECTION_ALREADY_EXTENDED = _("This correction request was extended once already.")
CORRECTION_NOT_OPEN = _("Only an open correction request can be extended.")
CORRECTION_REASON_REQUIRED = _("Write why more time is needed: the message to her says it.")


@transaction.atomic
def correction_request_extend(
    *, actor, correction: CorrectionRequest, reason: str, request: HttpRequest | None = None
) -> CorrectionRequest:
    """Give an open correction request 30 more days, once, and tell her why by SMS (PDPL
    implementing regulation art. 3). Raises PortalError when it is closed, was extended
    already, or `reason` is empty. Writes `correction_extended`; queues `correction_extended`.
    """
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionRequest.Status.OPEN:
        raise PortalError(CORRECTION_NOT_OPEN)
    if correction.extended_at is not None:
        raise PortalError(CORRECTION_ALREADY_EXTENDED)
    reason = reason.strip()
    if not reason:
        raise PortalError(CORRECTION_REASON_REQUIRED)
    old_due = correction.due_at
    correction.due_at = old_due + timedelta(days=CORRECTION_EXTENSION_DAYS)
    correction.extended_at = timezone.now()
    correction.extension_reason = reason
    correction.save(update_fields=["due_at", "extended_at", "extension_reason"])
    beneficiary = correction.beneficiary
    event_record(
        actor=actor,
        subject=beneficiary,
        verb="correction_extended",
        note=reason,
        extra={
            "correction_request": correction.pk,
            "old_due_at": old_due.isoformat(),
            "new_due_at": correction.due_at.isoformat(),
        },
        request=request,
    )
    # Withheld, with a trace on her file, once she withdrew the contact purpose.
    message_queue_to_her(
        beneficiary,
        template="correction_extended",
        context={
            "name": beneficiary.full_name.split()[0],
            "reason": reason,
            "due_on": timezone.localdate(correction.due_at).isoformat(),
        },
        idempotency_key=f"correction-extended-{correction.pk}",
        subject=beneficiary,
    )
    return correction


# --- Applying online without a file (/apply/, issue 20) ----------------------------------------
@dataclass(frozen=True)
class UploadedDocument:
    """One checked upload of the application (beneficiaries.forms.DocumentForm cleaned it)."""

    doc_type: str
    file: object
    content_type: str
    issued_on: object = None
    expires_on: object = None


@transaction.atomic
def portal_application_submit(
    *,
    data: dict,
    categories: list[str],
    income: dict[str, Decimal],
    members: list[dict],
    documents: list[UploadedDocument],
    request_type: str,
    amount_requested: Decimal | None,
    description: str,
    signed_name: str,
    consent_purposes: list[str],
    request: HttpRequest | None = None,
) -> SupportRequest | None:
    """A woman with no file applies on the website, her mobile verified by a one-time code.

    New ID and mobile: her file is opened (incomplete: a draft file for intake to complete),
    her documents added, the request created, her declaration signed and the request
    submitted, in one transaction — the existing services, actor None. It then waits in
    intake's verification queue (requests_app.selectors.waiting_for_verification, policy step
    2). Returns the submitted request. Raises InvalidTransition (with `missing`) when the
    request is not complete; nothing is kept then.

    ID or mobile already on a file: nothing is created and None is returned — the caller
    answers her exactly as for a new file, so the page never says whether somebody else is
    on file. Instead the existing file gets an `online_application_matched` event (which field
    matched, the verified mobile to call back) and intake is told by message.
    """
    duplicate = beneficiary_find_duplicate(national_id=data["national_id"], mobile=data["mobile"])
    if duplicate is not None:
        existing, field = duplicate
        event = event_record(
            actor=None,
            subject=existing,
            verb="online_application_matched",
            extra={
                "matched": field,
                "mobile": str(data["mobile"]),
                "request_type": request_type,
            },
            request=request,
            actor_kind=Event.ActorKind.BENEFICIARY,
        )
        message_queue_to_staff(
            users=User.objects.filter(groups__name=Role.INTAKE, is_active=True).distinct(),
            template="application_matched",
            context={
                "file_number": existing.file_number,
                "url": settings.SITE_URL + reverse("beneficiaries:detail", args=[existing.pk]),
            },
            idempotency_key=f"application-matched-{event.pk}",
            subject=existing,
        )
        return None
    beneficiary = beneficiary_register(
        actor=None,
        data={**data, "intake_channel": Channel.WEBSITE},
        categories=categories,
        income=income,
        members=members,
        consent_purposes=consent_purposes,
        request=request,
    )
    support_request = portal_request_create(
        beneficiary=beneficiary,
        request_type=request_type,
        amount_requested=amount_requested,
        description=description,
        request=request,
    )
    for document in documents:
        portal_document_add(
            beneficiary=beneficiary,
            support_request=support_request,
            doc_type=document.doc_type,
            file=document.file,
            content_type=document.content_type,
            issued_on=document.issued_on,
            expires_on=document.expires_on,
            request=request,
        )
    return portal_request_submit(
        beneficiary=beneficiary,
        support_request=support_request,
        signed_name=signed_name,
        request=request,
    )
