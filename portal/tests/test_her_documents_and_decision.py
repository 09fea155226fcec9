"""Her side: several documents in one upload while her request waits for them, and the page of
a decided request says what the decision message told her."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import Document
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from beneficiaries.tests.helpers import documents_post
from requests_app.models import RejectionCode, SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _upload(client, support_request, *rows):
    url = reverse("portal:request_document", args=[support_request.pk])
    return client.post(url, documents_post("doc", *rows))


def test_she_uploads_two_documents_at_once_while_her_request_is_returned(portal_client):
    her = BeneficiaryFactory()
    returned = request_in_state(State.RETURNED, beneficiary=her)
    client = portal_client(her)
    page = client.get(reverse("portal:request_detail", args=[returned.pk])).content.decode()
    assert page.count('data-testid="document-row"') == 3
    response = _upload(
        client,
        returned,
        {"doc_type": "family_card", "file": _pdf("card.pdf")},
        {"doc_type": "national_id", "expires_on": "2030-01-01", "file": _pdf("id.pdf")},
    )
    assert response.status_code == 302
    assert sorted(her.documents.values_list("doc_type", flat=True)) == [
        "family_card",
        "national_id",
    ]
    assert her.documents.get(doc_type="national_id").uploaded_by is None
    assert Event.objects.for_subject(her).filter(verb="document_added").count() == 2


def test_a_refused_file_is_named_and_the_good_one_is_kept(portal_client):
    her = BeneficiaryFactory()
    returned = request_in_state(State.RETURNED, beneficiary=her)
    response = _upload(
        portal_client(her),
        returned,
        {"doc_type": "family_card", "file": _pdf("card.pdf")},
        {"doc_type": "statement", "file": SimpleUploadedFile("مشهد.pdf", b"MZ\x90\x00 no")},
    )
    assert response.status_code == 400
    assert list(her.documents.values_list("doc_type", flat=True)) == ["family_card"]
    html = response.content.decode()
    assert 'data-testid="refused-files"' in html
    assert "مشهد.pdf: " in html
    assert '<option value="statement" selected>' in html


def test_no_document_is_stored_once_the_request_is_in_research(portal_client):
    her = BeneficiaryFactory()
    in_research = request_in_state(State.IN_RESEARCH, beneficiary=her)
    _upload(portal_client(her), in_research, {"doc_type": "family_card", "file": _pdf("c.pdf")})
    assert not Document.objects.filter(beneficiary=her).exists()


def test_her_approved_request_shows_the_amount_and_the_support_she_was_told(portal_client):
    her = BeneficiaryFactory()
    approved = request_in_state(
        State.APPROVED,
        beneficiary=her,
        approved_amount=7500,
        support_type="دفعة إيجار ستة أشهر",
        decided_at=timezone.now(),
    )
    html = portal_client(her).get(reverse("portal:request_detail", args=[approved.pk]))
    html = html.content.decode()
    assert 'data-testid="decision"' in html
    amount = re.search(r'data-testid="approved-amount">([^<]*)<', html).group(1)
    assert amount.startswith("7,500")
    assert amount.endswith("ريال")
    assert "دفعة إيجار ستة أشهر" in html


def test_her_rejected_request_shows_the_reason_she_was_told(portal_client):
    her = BeneficiaryFactory()
    rejected = request_in_state(
        State.REJECTED,
        beneficiary=her,
        rejection_code=RejectionCode.INCOME_ABOVE_THRESHOLD,
        decided_at=timezone.now(),
    )
    html = portal_client(her).get(reverse("portal:request_detail", args=[rejected.pk]))
    assert "الدخل أعلى من الحد" in html.content.decode()


def test_an_undecided_request_shows_no_decision(portal_client):
    her = BeneficiaryFactory()
    submitted = request_in_state(State.IN_COMMITTEE, beneficiary=her)
    html = portal_client(her).get(reverse("portal:request_detail", args=[submitted.pk]))
    assert 'data-testid="decision"' not in html.content.decode()
