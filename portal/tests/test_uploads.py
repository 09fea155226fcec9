"""Issue 18, item 1: what is stored and served comes from the content, not from her file name
(staff and portal uploads alike: both go through beneficiaries.uploads.checked_upload)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image
from pypdf import PdfWriter

from audit.models import Event
from beneficiaries.models import Document
from beneficiaries.services import DOCUMENT_COUNT_REACHED, DOCUMENT_SIZE_REACHED
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory, DocumentFactory
from beneficiaries.tests.helpers import documents_post
from beneficiaries.uploads import (
    DOCUMENT_ACTIVE_CONTENT,
    DOCUMENT_UNREADABLE,
    checked_upload,
    display_name,
)
from portal.services import UPLOAD_QUOTA_REACHED, UPLOAD_RATE_LIMITED
from requests_app.models import SupportRequest
from requests_app.tests.factories import SupportRequestFactory, request_in_state

pytestmark = pytest.mark.django_db

PNG_END = b"IEND\xaeB`\x82"
PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
# A PDF that runs JavaScript when opened (an OpenAction).
PDF_WITH_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</S/JavaScript/JS(app.alert\\(1\\))>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def polyglot() -> SimpleUploadedFile:
    """A valid PNG with an HTML page after it, named so a careless server keeps `.html`."""
    return SimpleUploadedFile("ok.png\0.html", _png() + PAYLOAD, content_type="text/html")


def _stored_bytes(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def _assert_clean_png(document: Document) -> None:
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")
    assert document.original_name == "ok.png"
    data = _stored_bytes(document)
    assert data.endswith(PNG_END)
    assert b"<html" not in data
    assert b"<script" not in data
    assert Image.open(io.BytesIO(data)).size == (8, 8)


def _download(client, document: Document):
    url = reverse("beneficiaries:document_download", args=[document.beneficiary_id, document.pk])
    return client.get(url)


# --- acceptance: the polyglot, by staff and through the portal --------------------------------
def test_the_polyglot_uploaded_by_staff_is_stored_as_a_clean_png_and_downloaded_as_png(
    client_as, intake_user
):
    beneficiary = BeneficiaryFactory()
    client = client_as(intake_user)
    url = reverse("beneficiaries:document_create", args=[beneficiary.pk])
    response = client.post(
        url, documents_post("documents", {"doc_type": "other", "file": polyglot()})
    )
    assert response.status_code == 302
    document = Document.objects.get()
    _assert_clean_png(document)
    assert Event.objects.for_subject(beneficiary).filter(verb="document_added").count() == 1
    download = _download(client, document)
    assert download["Content-Type"] == "image/png"
    assert f"{beneficiary.file_number}-other-{document.pk}.png" in download["Content-Disposition"]
    assert PAYLOAD not in b"".join(download.streaming_content)


def test_the_polyglot_uploaded_through_the_portal_is_stored_as_a_clean_png(
    portal_client, client_as, intake_user
):
    her = BeneficiaryFactory()
    returned = request_in_state(SupportRequest.State.RETURNED, beneficiary=her)
    response = portal_client(her).post(
        reverse("portal:request_document", args=[returned.pk]),
        documents_post("doc", {"doc_type": "family_card", "file": polyglot()}),
    )
    assert response.status_code == 302
    document = Document.objects.get(beneficiary=her)
    _assert_clean_png(document)
    assert Event.objects.for_subject(her).filter(verb="document_added").count() == 1
    download = _download(client_as(intake_user), document)
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].endswith('.png"')


def test_the_polyglot_attached_from_the_request_page_is_stored_as_a_clean_png(
    client_as, intake_user
):
    support_request = SupportRequestFactory(created_by=intake_user)
    client_as(intake_user).post(
        reverse("requests_app:attach", args=[support_request.pk]),
        {"doc_type": "other", "file": polyglot()},
    )
    _assert_clean_png(Document.objects.get())


# --- what the one check does ------------------------------------------------------------------
def test_a_jpeg_loses_what_followed_it_and_its_metadata():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"  # any EXIF tag: GPS would be one of them
    Image.new("RGB", (16, 16), "blue").save(buffer, format="JPEG", exif=exif)
    clean = checked_upload(SimpleUploadedFile("photo.JPEG.exe", buffer.getvalue() + PAYLOAD))
    data = clean.read()
    assert (clean.name, clean.content_type, clean.original_name) == (
        "document.jpg",
        "image/jpeg",
        "photo.jpg",
    )
    assert data.endswith(b"\xff\xd9")
    assert PAYLOAD not in data
    assert not Image.open(io.BytesIO(data)).getexif()


def test_a_pdf_with_javascript_is_refused(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    response = client_as(intake_user).post(
        reverse("beneficiaries:document_create", args=[beneficiary.pk]),
        documents_post(
            "documents",
            {"doc_type": "other", "file": SimpleUploadedFile("letter.pdf", PDF_WITH_JS)},
        ),
    )
    assert response.status_code == 400
    assert escape(str(DOCUMENT_ACTIVE_CONTENT)) in response.content.decode()
    assert not Document.objects.exists()


def test_a_pdf_with_an_embedded_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ValidationError) as excinfo:
        checked_upload(SimpleUploadedFile("letter.pdf", buffer.getvalue()))
    assert excinfo.value.messages == [str(DOCUMENT_ACTIVE_CONTENT)]


def test_a_plain_pdf_is_kept_as_it_was_sent():
    clean = checked_upload(SimpleUploadedFile("هوية.pdf", PDF_BYTES))
    assert (clean.read(), clean.content_type, clean.original_name) == (
        PDF_BYTES,
        "application/pdf",
        "هوية.pdf",
    )


def test_a_damaged_pdf_or_image_is_refused_as_unreadable():
    for data in (b"%PDF-1.4 nothing else", _png()[:40]):
        with pytest.raises(ValidationError) as excinfo:
            checked_upload(SimpleUploadedFile("scan", data))
        assert excinfo.value.messages == [str(DOCUMENT_UNREADABLE)]


def test_a_300_character_arabic_name_is_replaced_not_refused(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    long_name = "صورة بطاقة العائلة " * 16 + ".png"  # 308 characters
    assert len(long_name) > 300
    response = client_as(intake_user).post(
        reverse("beneficiaries:document_create", args=[beneficiary.pk]),
        documents_post(
            "documents", {"doc_type": "family_card", "file": SimpleUploadedFile(long_name, _png())}
        ),
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert len(document.original_name) <= 84
    assert document.original_name.startswith("صورة بطاقة العائلة")
    assert document.original_name.endswith(".png")


def test_odd_names_are_cleaned_for_display():
    assert display_name("\u202eexe.png", "image/png") == "exe.png"
    assert display_name("C:\\scans\\id card.pdf", "application/pdf") == "id card.pdf"
    assert display_name("...", "image/jpeg") == "document.jpg"


# --- quota per file and rate per portal session -----------------------------------------------
def test_a_file_holds_at_most_the_document_quota(client_as, intake_user, settings):
    settings.DOCUMENT_QUOTA_COUNT = 2
    beneficiary = BeneficiaryFactory()
    DocumentFactory.create_batch(2, beneficiary=beneficiary)
    response = client_as(intake_user).post(
        reverse("beneficiaries:document_create", args=[beneficiary.pk]),
        documents_post(
            "documents", {"doc_type": "other", "file": SimpleUploadedFile("a.png", _png())}
        ),
    )
    assert response.status_code == 400
    assert escape(DOCUMENT_COUNT_REACHED % {"limit": 2}) in response.content.decode()
    assert beneficiary.documents.count() == 2
    assert not Event.objects.filter(verb="document_added").exists()


def test_a_file_holds_at_most_the_megabyte_quota(client_as, intake_user, settings):
    settings.DOCUMENT_QUOTA_MB = 1
    beneficiary = BeneficiaryFactory()
    DocumentFactory(beneficiary=beneficiary, size=1024 * 1024 - 10)
    response = client_as(intake_user).post(
        reverse("beneficiaries:document_create", args=[beneficiary.pk]),
        documents_post(
            "documents", {"doc_type": "other", "file": SimpleUploadedFile("a.png", _png())}
        ),
    )
    assert escape(DOCUMENT_SIZE_REACHED % {"limit": 1}) in response.content.decode()
    assert beneficiary.documents.count() == 1


def test_her_full_file_is_explained_in_the_portal(portal_client, settings):
    settings.DOCUMENT_QUOTA_COUNT = 1
    her = BeneficiaryFactory()
    DocumentFactory(beneficiary=her)
    returned = request_in_state(SupportRequest.State.RETURNED, beneficiary=her)
    response = portal_client(her).post(
        reverse("portal:request_document", args=[returned.pk]),
        documents_post(
            "doc", {"doc_type": "family_card", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
        ),
        follow=True,
    )
    assert str(UPLOAD_QUOTA_REACHED) in [str(m) for m in response.context["messages"]]
    assert her.documents.count() == 1


def test_one_portal_session_may_send_ten_documents_an_hour(portal_client):
    her = BeneficiaryFactory()
    returned = request_in_state(SupportRequest.State.RETURNED, beneficiary=her)
    client = portal_client(her)
    url = reverse("portal:request_document", args=[returned.pk])
    statuses = [
        client.post(
            url,
            documents_post(
                "doc", {"doc_type": "other", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
            ),
        ).status_code
        for _ in range(11)
    ]
    assert statuses == [302] * 10 + [429]
    assert her.documents.count() == 10
    last = client.post(url, documents_post("doc", {"doc_type": "other"}))
    assert last.status_code == 429
    assert escape(str(UPLOAD_RATE_LIMITED)) in last.content.decode()
    # Another session of hers (another phone) is counted on its own.
    other = portal_client(her).post(
        url,
        documents_post(
            "doc", {"doc_type": "other", "file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
        ),
    )
    assert other.status_code == 302
