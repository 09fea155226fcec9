"""Acceptance 1, on a phone: status, code login, her requests, the missing document, resubmit;
then the staff side shows the document and the new state."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone, translation

from beneficiaries.models import Document
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from requests_app.models import SupportRequest
from requests_app.tests.factories import (
    returned_for_family_card,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

State = SupportRequest.State


@pytest.fixture
def browser_context_args():
    """A phone: most beneficiaries use one."""
    return {
        "locale": "ar-SA",
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    }


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _accessibility_violations(page) -> list[str]:
    results = Axe().run(page)
    return [violation["id"] for violation in results.response["violations"]]


def test_she_checks_logs_in_uploads_the_missing_document_and_resubmits_from_her_phone(
    page, browser_login, intake_user, send_queued, tmp_path
):
    her = BeneficiaryFactory()
    # Her own online request: no staff checklist.
    returned = returned_for_family_card(her, created_by=None, paused_at=timezone.now())
    card = tmp_path / "family-card.pdf"
    card.write_bytes(PDF_BYTES)

    # 1. Her status, with reference and ID, without logging in.
    page.goto("/status/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("input[name=reference]", returned.reference)
    page.fill("input[name=national_id]", her.national_id)
    page.click("[data-testid=status-form] button[type=submit]")
    assert "صورة بطاقة العائلة" in page.locator("[data-testid=return-reason]").inner_text()
    assert _fits_the_screen(page)
    assert _accessibility_violations(page) == []

    # 2. Log in with the code from the text message.
    page.goto("/portal/login/")
    page.fill("input[name=national_id]", her.national_id)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/portal/login/code/")
    number, text = send_queued()[-1]
    assert number == str(her.mobile).lstrip("+")
    code = re.search(r"(?<!\d)\d{6}(?!\d)", text).group()
    page.fill("input[name=code]", code)
    page.click("[data-testid=code-form] button[type=submit]")
    page.wait_for_url("**/portal/")

    # 3. Her requests.
    assert returned.reference in page.locator("[data-testid=her-requests]").inner_text()
    assert _fits_the_screen(page)
    assert _accessibility_violations(page) == []
    page.click(f"[data-testid=her-requests] a[href='/portal/requests/{returned.pk}/']")

    # 4. The missing document, then send it again.
    assert _accessibility_violations(page) == []
    page.select_option("select[name=doc-0-doc_type]", Document.DocType.FAMILY_CARD)
    page.set_input_files("input[name=doc-0-file]", str(card))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.locator("[data-testid=complete]").wait_for()
    page.click("[data-testid=resubmit-form] button[type=submit]")
    page.locator("[data-testid=resubmit-form]").wait_for(state="detached")
    returned.refresh_from_db()
    assert returned.state == State.SUBMITTED
    with translation.override("ar"):
        plain = page.locator("[data-testid=plain-state]").inner_text()
        assert plain == "وصل طلبك، وهو بانتظار الدراسة"
        family_card = str(Document.DocType.FAMILY_CARD.label)
        submitted = str(State.SUBMITTED.label)
    for url in (page.url, *page.evaluate("performance.getEntries().map(e => e.name)")):
        assert her.national_id not in url

    # 5. The staff side shows the new document and the state change.
    browser_login(intake_user)
    page.wait_for_url("**/")
    page.goto(f"/requests/{returned.pk}/")
    assert family_card in page.locator("#documents").inner_text()
    assert submitted in page.locator("main").inner_text()
