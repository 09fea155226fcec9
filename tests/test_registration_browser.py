"""In headless Chromium, in Arabic: the desk completes a registration from her file — several
documents in one upload, each verified against its original — and the list and the export
then say «مكتمل»; a file lacking a document says what blocks it."""

import csv
import io
import re
from datetime import date

import pytest
from django.utils import translation

from beneficiaries.models import Document, RegistrationStatus
from beneficiaries.tests.conftest import _private_media  # noqa: F401 - documents in tmp
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory, DocumentFactory
from requests_app.models import DECLARATION_TEXT_AR, Declaration
from requests_app.tests.factories import SupportRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _her_with_a_signed_declaration(witness):
    her = BeneficiaryFactory(date_of_birth=date(1984, 6, 1))
    Declaration.objects.create(
        support_request=SupportRequestFactory(beneficiary=her, created_by=witness),
        text=DECLARATION_TEXT_AR,
        signed_name=her.full_name,
        signed_at=her.created_at,
        signed_via=Declaration.SignedVia.STAFF,
        witness=witness,
    )
    return her


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def test_the_desk_completes_her_registration_and_the_list_and_export_say_complete(
    page, browser_login, manager_user
):
    her = _her_with_a_signed_declaration(manager_user)
    browser_login(manager_user)
    page.goto(f"/beneficiaries/{her.pk}/")
    gaps = page.locator("[data-testid=registration-gaps]")
    assert gaps.locator("li").count() == 2  # her ID and her family card

    # Both documents in one submit, each with its type.
    form = page.locator("[data-testid=documents-form]")
    form.locator("select[name=documents-0-doc_type]").select_option("national_id")
    form.locator("input[name=documents-0-expires_on]").fill("2031-01-01")
    form.locator("input[name=documents-0-file]").set_input_files(_pdf("هوية.pdf"))
    form.locator("select[name=documents-1-doc_type]").select_option("family_card")
    form.locator("input[name=documents-1-file]").set_input_files(_pdf("كرت.pdf"))
    form.get_by_role("button", name="رفع المستندات").click()
    page.wait_for_url(f"**/beneficiaries/{her.pk}/#documents")
    assert gaps.locator("li").count() == 2  # on file, not yet matched with the originals

    for _ in range(2):
        page.get_by_role("button", name="تأكيد المطابقة مع الأصل").first.click()
        page.wait_for_load_state()
    assert page.locator("[data-testid=document-verified]").count() == 2
    page.get_by_role("button", name="استكمال التسجيل").click()
    page.wait_for_url(f"**/beneficiaries/{her.pk}/#registration")
    assert page.locator("[data-testid=registration-status]").inner_text().strip() == "مكتمل"
    her.refresh_from_db()
    assert her.registration_status == RegistrationStatus.ACTIVE

    page.goto("/beneficiaries/")
    row = page.locator("tbody tr", has_text=her.file_number)
    assert "مكتمل" in row.locator("td").all_inner_texts()

    export = page.request.get("/reports/export/beneficiaries.csv")
    assert export.ok
    rows = list(csv.reader(io.StringIO(export.body().decode("utf-8-sig"))))
    assert "مكتمل" in next(r for r in rows if her.file_number in r)


def test_a_file_without_her_family_card_says_what_blocks_completion(
    page, browser_login, intake_user
):
    her = _her_with_a_signed_declaration(intake_user)
    document = DocumentFactory(beneficiary=her, doc_type=Document.DocType.NATIONAL_ID)
    document.verified_by = intake_user
    document.verified_at = her.created_at
    document.save()
    browser_login(intake_user)
    page.goto(f"/beneficiaries/{her.pk}/")
    gaps = page.locator("[data-testid=registration-gaps] li").all_inner_texts()
    with translation.override("ar"):
        family_card = str(Document.DocType.FAMILY_CARD.label)
    assert len(gaps) == 1
    assert re.search(family_card, gaps[0])
    assert page.get_by_role("button", name="استكمال التسجيل").count() == 0
    assert page.locator("[data-testid=registration-status]").inner_text().strip() == "غير مكتمل"
