"""Acceptance 4, in headless Chromium: intake takes a request from draft to her receipt."""

import re

import pytest
from django.utils import translation

from beneficiaries.models import Document
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from requests_app.models import SupportRequest

from .factories import attach_documents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_intake_completes_a_request_and_prints_her_receipt(page, browser_login, intake_user):
    beneficiary = BeneficiaryFactory(full_name="فاطمة محمد عبدالله الحربي")
    # A food basket needs her ID, family card and a recent statement: the family card is missing.
    attach_documents(beneficiary, ["national_id", "statement"])
    with translation.override("ar"):
        family_card = str(Document.DocType.FAMILY_CARD.label)

    browser_login(intake_user)
    page.wait_for_url("**/")
    page.goto(f"/requests/new/?beneficiary={beneficiary.pk}")
    page.select_option("select[name=request_type]", "food_basket")
    page.fill("input[name=amount_requested]", "800")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/\d+/$"))

    # The staff verification checklist: every datum matched against its document.
    checklist = page.locator("#verification form")
    for box in checklist.locator("input[type=checkbox]").all():
        box.check()
    checklist.locator("button[type=submit]").click()
    page.wait_for_load_state()

    # Submitting now names the missing document.
    page.locator("form[data-action=submit] button").click()
    page.wait_for_load_state()
    assert family_card in page.locator(".messages").inner_text()
    assert family_card in page.locator("[data-testid=missing]").inner_text()

    # Attach it, then she signs the declaration.
    attach = page.locator("#documents form")
    attach.locator("select[name=doc_type]").select_option("family_card")
    attach.locator("input[name=expires_on]").fill("2035-01-01")
    attach.locator("input[name=file]").set_input_files(
        {"name": "family-card.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    attach.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=missing]").count() == 1
    assert family_card not in page.locator("[data-testid=missing]").inner_text()

    declaration = page.locator("#declaration form")
    declaration.locator("input[name=read_to_her]").check()
    declaration.locator("input[name=signed_name]").fill("فاطمة محمد عبدالله الحربي")
    declaration.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=declaration-signed]").is_visible()
    assert page.locator("[data-testid=missing]").count() == 0

    page.locator("form[data-action=submit] button").click()
    page.wait_for_url(re.compile(r"/requests/\d+/receipt/$"))

    support_request = SupportRequest.objects.get(beneficiary=beneficiary)
    assert support_request.state == SupportRequest.State.SUBMITTED
    receipt = page.locator("[data-testid=receipt]")
    assert page.locator("[data-testid=reference]").inner_text() == support_request.reference
    assert "طلب دعم مستفيد" in receipt.inner_text()
    promise = page.locator("[data-testid=promise]").inner_text()
    assert "خلال أسبوعين" in promise
    due = page.locator("[data-testid=due-date]").inner_text()
    assert str(support_request.decision_due_at.year) in due  # Gregorian
    assert "هـ" in due  # and Hijri
    assert "فاطمة محمد عبدالله الحربي" in receipt.inner_text()
