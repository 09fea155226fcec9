"""Several documents in one submit at the file's document form: each with its type and dates,
each checked on its own; one refused file keeps the others and is named."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from audit.models import Event
from beneficiaries.forms import DOCUMENT_FILE_MISSING, DOCUMENT_TYPE_REFUSED
from beneficiaries.models import Document

from .factories import PDF_BYTES, BeneficiaryFactory
from .helpers import documents_post

pytestmark = pytest.mark.django_db

NOT_A_DOCUMENT = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 216  # an executable, whatever its name


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _upload(client, her, *rows):
    url = reverse("beneficiaries:document_create", args=[her.pk])
    return client.post(url, documents_post("documents", *rows))


def test_intake_adds_three_documents_in_one_submit_each_with_its_type_and_dates(
    client_as, intake_user
):
    her = BeneficiaryFactory()
    response = _upload(
        client_as(intake_user),
        her,
        {"doc_type": "national_id", "expires_on": "2030-05-01", "file": _pdf("id.pdf")},
        {"doc_type": "family_card", "file": _pdf("card.pdf")},
        {"doc_type": "statement", "issued_on": date.today().isoformat(), "file": _pdf("s.pdf")},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/beneficiaries/{her.pk}/#documents")
    documents = {d.doc_type: d for d in her.documents.all()}
    assert sorted(documents) == ["family_card", "national_id", "statement"]
    assert documents["national_id"].expires_on == date(2030, 5, 1)
    assert documents["statement"].issued_on == date.today()
    assert Event.objects.for_subject(her).filter(verb="document_added").count() == 3


def test_one_refused_file_keeps_the_others_and_says_which_failed(client_as, intake_user):
    her = BeneficiaryFactory()
    response = _upload(
        client_as(intake_user),
        her,
        {"doc_type": "national_id", "file": _pdf("id.pdf")},
        {
            "doc_type": "family_card",
            "expires_on": "2031-01-01",
            "file": SimpleUploadedFile("كرت العائلة.pdf", NOT_A_DOCUMENT),
        },
        {"doc_type": "iban_letter", "file": _pdf("iban.pdf")},
    )
    assert response.status_code == 400
    assert sorted(her.documents.values_list("doc_type", flat=True)) == [
        "iban_letter",
        "national_id",
    ]
    html = response.content.decode()
    with translation.override("ar"):
        assert f"كرت العائلة.pdf: {escape(DOCUMENT_TYPE_REFUSED)}" in html
    # Her row is kept, type and expiry, for the file to be chosen again; the stored ones are not.
    assert '<option value="family_card" selected>' in html
    assert 'value="2031-01-01"' in html
    assert '<option value="national_id" selected>' not in html


def test_a_row_with_a_type_and_no_file_is_named_and_the_rest_stored(client_as, intake_user):
    her = BeneficiaryFactory()
    response = _upload(
        client_as(intake_user),
        her,
        {"doc_type": "national_id", "file": _pdf("id.pdf")},
        {"doc_type": "family_card"},
    )
    assert response.status_code == 400
    assert list(her.documents.values_list("doc_type", flat=True)) == ["national_id"]
    with translation.override("ar"):
        assert escape(str(DOCUMENT_FILE_MISSING)) in response.content.decode()


def test_an_empty_submit_stores_nothing_and_asks_for_a_file(client_as, intake_user):
    her = BeneficiaryFactory()
    response = _upload(client_as(intake_user), her, {}, {})
    assert response.status_code == 400
    assert not Document.objects.exists()
    assert "اختاري ملفًا واحدًا على الأقل." in response.content.decode()


def test_the_file_page_offers_several_document_rows(client_as, intake_user):
    her = BeneficiaryFactory()
    html = client_as(intake_user).get(reverse("beneficiaries:detail", args=[her.pk]))
    assert html.content.decode().count('data-testid="document-row"') == 3
