"""Support requests for tests of any app: drafts, ready-to-submit drafts, and any state."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from beneficiaries.models import Document
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from requests_app.models import (
    DECLARATION_TEXT_AR,
    REQUIRED_DOCUMENTS,
    Declaration,
    RequestType,
    SupportRequest,
    VerificationCheck,
    VerificationItem,
)
from wahaj.lib.choices import Channel


class SupportRequestFactory(factory.django.DjangoModelFactory):
    """A draft. Pass state/reference/dates to make a row in any state without the services."""

    class Meta:
        model = SupportRequest

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    # Entered by staff (created_by=None means she entered it herself in the portal). A raw,
    # unusable password: hashing one per request would slow every list test down.
    created_by = factory.SubFactory(UserFactory, password="!")
    request_type = RequestType.FOOD_BASKET
    amount_requested = 800
    description = "سلة غذائية شهرية للأسرة"
    channel = Channel.INTERVIEW


def attach_documents(beneficiary, doc_types) -> None:
    """Valid documents of these types on her file (statements issued today)."""
    for doc_type in doc_types:
        DocumentFactory(
            beneficiary=beneficiary,
            doc_type=doc_type,
            issued_on=date.today() if doc_type == Document.DocType.STATEMENT else None,
            expires_on=date.today() + timedelta(days=365),
        )


def make_ready(support_request: SupportRequest, *, witness) -> SupportRequest:
    """Give a draft what submission needs: documents, her declaration, the checklist."""
    attach_documents(support_request.beneficiary, REQUIRED_DOCUMENTS[support_request.request_type])
    now = timezone.now()
    Declaration.objects.create(
        support_request=support_request,
        text=DECLARATION_TEXT_AR,
        signed_name=support_request.beneficiary.full_name,
        signed_at=now,
        signed_via=Declaration.SignedVia.STAFF,
        witness=witness,
    )
    VerificationCheck.objects.bulk_create(
        VerificationCheck(
            support_request=support_request, item=item, checked_by=witness, checked_at=now
        )
        for item in VerificationItem.values
    )
    return support_request


def ready_request(*, witness, **fields) -> SupportRequest:
    return make_ready(SupportRequestFactory(created_by=witness, **fields), witness=witness)


_counter = iter(range(1, 10**9))


def request_in_state(state: str, *, due_in_days: float = 10, **fields) -> SupportRequest:
    """A row in `state` with consistent clock fields, written directly (for list tests)."""
    now = timezone.now()
    values: dict = {"state": state}
    if state not in (SupportRequest.State.DRAFT,):
        n = next(_counter)
        due = now + timedelta(days=due_in_days)
        values.update(
            reference=f"WHJ-1999-{n:06d}",
            submitted_at=due - timedelta(days=14),
            decision_due_at=due,
        )
    if state == SupportRequest.State.RETURNED:
        values["paused_at"] = now
    values.update(fields)
    return SupportRequestFactory(**values)


def returned_for_family_card(beneficiary, *, witness=None, **fields) -> SupportRequest:
    """A food-basket request of hers, returned because her family card is missing (her ID and
    statement are on file), with her signed declaration: signed in the portal, or before
    `witness` at the office."""
    attach_documents(beneficiary, ["national_id", "statement"])
    returned = request_in_state(
        SupportRequest.State.RETURNED,
        beneficiary=beneficiary,
        request_type=RequestType.FOOD_BASKET,
        return_reason="صورة بطاقة العائلة",
        **fields,
    )
    Declaration.objects.create(
        support_request=returned,
        text=DECLARATION_TEXT_AR,
        signed_name=beneficiary.full_name,
        signed_at=timezone.now(),
        signed_via=Declaration.SignedVia.STAFF if witness else Declaration.SignedVia.PORTAL,
        witness=witness,
    )
    return returned
