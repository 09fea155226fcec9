"""Reads of the portal: the public status lookup, her requests in plain words, her data."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Beneficiary, Document
from outreach.selectors import renewal_asked
from requests_app.models import REQUIRED_DOCUMENTS, SupportRequest, VerificationItem
from requests_app.selectors import (
    support_request_gaps,
    support_requests_of_beneficiary,
    support_requests_with_clock,
)
from wahaj.lib.crypto import lookup_hash
from wahaj.templatetags.wahaj import join_words

from .models import CorrectionRequest, ServicesPageText, SupportTypeInfo

State = SupportRequest.State

# Compared against when no request has the reference, so that an unknown reference costs the
# same comparison as a known one with the wrong ID (a lookup hash is 64 hex digits).
_NO_ID = "0" * 64


# What the status page shows of a request, and the lookup hash of her national ID to compare
# with (the ID is stored encrypted; a unique reference: one row at most, by its unique index).
_STATUS_SQL = (
    "SELECT r.id, r.reference, r.state, r.request_type, r.submitted_at, r.decision_due_at, "
    "r.decided_at, r.delivered_at, r.return_reason, b.national_id_hash AS national_id_hash "
    "FROM requests_app_supportrequest r "
    "JOIN beneficiaries_beneficiary b ON b.id = r.beneficiary_id "
    "WHERE r.reference = %s"
)


def support_request_status_lookup(*, reference: str, national_id: str) -> SupportRequest | None:
    """The request with this reference if it belongs to this national ID, else None.

    One indexed query whatever the outcome, and a constant-time comparison of the ID: an
    unknown reference, a wrong ID and a mismatch look and take the same.
    """
    # One indexed query in plain SQL: this page is public and measured (SPEC §11), and the ORM
    # would spend longer compiling the query than PostgreSQL answering it.
    found = SupportRequest.objects.raw(_STATUS_SQL, [reference]) if reference else []
    support_request = next(iter(found), None)
    stored = support_request.national_id_hash if support_request else _NO_ID
    matches = hmac.compare_digest(stored.encode(), lookup_hash(national_id or "").encode())
    return support_request if support_request is not None and matches else None


# --- Her requests in plain words ---------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    label: str
    status: str  # "done", "current" or "todo"
    at: datetime | None = None


# The five steps she follows; which one each state stands at.
STEP_LABELS = (
    _("Submitted"),
    _("Under study"),
    _("At the committee"),
    _("Decided"),
    _("Delivered"),
)
STEP_OF_STATE = {
    State.SUBMITTED: 0,
    State.RETURNED: 1,
    State.IN_RESEARCH: 1,
    State.IN_COMMITTEE: 2,
    State.APPROVED: 3,
    State.REJECTED: 3,
    State.DELIVERED: 4,
    State.CLOSED: 4,
}
# The date each step was reached, where the request keeps it (the public page reads no
# timeline: one query, SPEC §11).
STEP_DATES = {0: "submitted_at", 3: "decided_at", 4: "delivered_at"}

PLAIN_STATE = {
    State.DRAFT: _("Not sent yet"),
    State.SUBMITTED: _("Received, waiting to be studied"),
    State.IN_RESEARCH: _("Being studied by the social researcher"),
    State.IN_COMMITTEE: _("Before the social committee for a decision"),
    State.RETURNED: _("Returned to you: something is missing"),
    State.APPROVED: _("Approved"),
    State.REJECTED: _("Not approved"),
    State.DELIVERED: _("The support was delivered"),
    State.CLOSED: _("Completed"),
    State.WITHDRAWN: _("Withdrawn"),
}
NEXT_STEP = {
    State.DRAFT: _("Add any missing documents, confirm the declaration and send the request."),
    State.SUBMITTED: _(
        "Nothing for now: the association checks your data, then a researcher studies it."
    ),
    State.IN_RESEARCH: _(
        "Nothing for now. The researcher may call you or visit you; keep your phone near you."
    ),
    State.IN_COMMITTEE: _("Nothing for now: you will receive a text message with the decision."),
    State.RETURNED: _(
        "Upload what is missing in your services page, or bring it to the association's office."
        " Then send the request again: the two weeks continue from where they stopped."
    ),
    State.APPROVED: _("The association will contact you to deliver the support."),
    State.REJECTED: _(
        "You may ask the association about the reason, and appeal once within 30 days."
    ),
    State.DELIVERED: _("Please tell us how we served you: your opinion helps us improve."),
    State.CLOSED: _("Nothing more to do."),
    State.WITHDRAWN: _("Nothing more to do. You may submit a new request at any time."),
}


def plain_state(support_request: SupportRequest) -> str:
    return str(PLAIN_STATE.get(support_request.state, support_request.get_state_display()))


def next_step(support_request: SupportRequest) -> str:
    return str(NEXT_STEP.get(support_request.state, ""))


def status_steps(support_request: SupportRequest) -> list[Step]:
    """The five steps, each done, current or to do, with its date where one is kept."""
    if support_request.state in (State.DRAFT, State.WITHDRAWN):
        return []
    current = STEP_OF_STATE.get(support_request.state)
    finished = support_request.state in (State.DELIVERED, State.CLOSED)
    steps = []
    for index, label in enumerate(STEP_LABELS):
        if current is None or index > current:
            status = "todo"
        elif index == current and not finished:
            status = "current"
        else:
            status = "done"
        field = STEP_DATES.get(index)
        at = getattr(support_request, field) if field and status != "todo" else None
        steps.append(Step(label=str(label), status=status, at=at))
    return steps


# --- What she still has to do, in her words -------------------------------------------------------
# The same gaps staff see (requests_app.selectors.support_request_gaps), never their wording:
# the verification checklist is staff's own work, so she is told only which originals to bring
# for it, not the checklist's labels.
FIELD_MISSING = _(
    "Missing from your file: %(field)s. Call or visit the association to add it, or ask for it "
    "in “My data”."
)
DOCUMENT_MISSING = _(
    "%(document)s: upload a valid copy below, or bring it to the association's office."
)
DECLARATION_MISSING = _("Your signature on the declaration that your data is true.")
FILE_SUSPENDED = _("Your file with the association is suspended: call or visit the association.")
BRING_ORIGINALS = _(
    "Bring %(documents)s to the association's office, so that the staff can check them with you."
)
MOBILE_TO_CONFIRM = _(
    "The association will call you to confirm your mobile number: keep your phone near you."
)
ORIGINAL_FOR_CHECK = {
    VerificationItem.IDENTITY: _("your national ID card"),
    VerificationItem.HOUSEHOLD: _("your family card"),
    VerificationItem.INCOME: _("your social-security or pension statement"),
    VerificationItem.HOUSING: _("your lease, title deed or electricity bill"),
    VerificationItem.IBAN: _("your bank's letter with your IBAN"),
    VerificationItem.DOCUMENTS_VALID: _("the originals of your documents"),
}


def what_she_still_needs(support_request: SupportRequest) -> list[str]:
    """What stops her request from being sent, each item said to her: what, and what to do."""
    lines: list[str] = []
    originals: list[str] = []
    confirm_mobile = False
    for gap in support_request_gaps(support_request):
        if gap.kind == "field":
            label = Beneficiary._meta.get_field(gap.code).verbose_name
            lines.append(str(FIELD_MISSING) % {"field": label})
        elif gap.kind == "document":
            label = Document.DocType(gap.code).label
            lines.append(str(DOCUMENT_MISSING) % {"document": label})
        elif gap.kind == "declaration":
            lines.append(str(DECLARATION_MISSING))
        elif gap.kind == "suspended":
            lines.append(str(FILE_SUSPENDED))
        elif gap.code == VerificationItem.CONTACT:
            confirm_mobile = True
        else:
            originals.append(str(ORIGINAL_FOR_CHECK[gap.code]))
    if originals:
        lines.append(str(BRING_ORIGINALS) % {"documents": join_words(originals)})
    if confirm_mobile:
        lines.append(str(MOBILE_TO_CONFIRM))
    return lines


def her_requests(beneficiary: Beneficiary) -> QuerySet[SupportRequest]:
    return support_requests_of_beneficiary(beneficiary)


def her_request(beneficiary: Beneficiary, pk: int) -> SupportRequest:
    """One of her requests, or 404 (another beneficiary's request does not exist for her)."""
    return get_object_or_404(
        support_requests_with_clock(
            SupportRequest.objects.filter(beneficiary=beneficiary).select_related("beneficiary")
        ),
        pk=pk,
    )


def open_corrections() -> QuerySet[CorrectionRequest]:
    """Intake's task list: open correction requests, the nearest due first."""
    return (
        CorrectionRequest.objects.filter(status=CorrectionRequest.Status.OPEN)
        .select_related("beneficiary")
        .only(
            "details",
            "created_at",
            "due_at",
            "status",
            "extended_at",
            "extension_reason",
            "beneficiary__full_name",
            "beneficiary__file_number",
        )
        .order_by("due_at", "pk")
    )


# --- /services/ (issue 20) ----------------------------------------------------------------------
@dataclass(frozen=True)
class SupportTypeEntry:
    label: str
    who_for: str
    documents: list[str]
    bring: str
    decision_time: str


def _in_language(obj, name: str, language: str) -> str:
    """The text in her language; Arabic when the English one was left empty."""
    english = getattr(obj, f"{name}_en", "") if language == "en" else ""
    return english or getattr(obj, f"{name}_ar")


def services_page_content(language: str) -> tuple[dict[str, str], list[SupportTypeEntry]]:
    """The general texts and each published support type, in `language`. Two queries.

    The documents of each type are REQUIRED_DOCUMENTS' (what `submit` checks), not free text,
    so the page and the rule cannot drift apart."""
    page = ServicesPageText.objects.filter(pk=1).first()
    general = {
        name: _in_language(page, name, language) if page else ""
        for name in ("intro", "how_to_apply", "how_to_complain")
    }
    entries = [
        SupportTypeEntry(
            label=str(info.get_request_type_display()),
            who_for=_in_language(info, "who_for", language),
            documents=[
                str(Document.DocType(d).label)
                for d in REQUIRED_DOCUMENTS.get(info.request_type, ())
            ],
            bring=_in_language(info, "bring", language),
            decision_time=_in_language(info, "decision_time", language),
        )
        for info in SupportTypeInfo.objects.filter(published=True)
    ]
    return general, entries


def upload_open(beneficiary: Beneficiary, support_request: SupportRequest) -> bool:
    """She may add documents to her file from this request's page: while it is a draft or
    returned to her, or — any open state — after she was told a document is about to expire
    (outreach, issue 20: she answers the text message by uploading the new one)."""
    if support_request.state in (SupportRequest.State.DRAFT, SupportRequest.State.RETURNED):
        return True
    return support_request.state in SupportRequest.CLOCK_RUNNING and renewal_asked(beneficiary)
