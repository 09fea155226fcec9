"""Acceptance (issue 20), on a phone: a woman with no file reads the services page, applies
at /apply/ with her mobile verified by a code; intake finds the request in her queue at `/`,
verifies it, and it goes on to research."""

import re

import pytest
from django.utils import timezone

from beneficiaries.tests.factories import PDF_BYTES
from requests_app.models import SupportRequest, VerificationItem
from requests_app.selectors import waiting_for_verification

from .test_browser import _accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

State = SupportRequest.State
NAME = "نورة محمد عبدالله السبيعي"


@pytest.fixture
def browser_context_args():
    return {"locale": "ar-SA", "viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _her_details(page) -> None:
    """Step 3: her details and her household."""
    page.fill("input[name=full_name]", NAME)
    page.select_option("select[name=nationality]", "SA")
    page.select_option("select[name=marital_status]", "widow")
    page.fill("input[name=city]", "الرياض")
    page.select_option("select[name=housing]", "rented")
    page.fill("input[name=monthly_rent]", "1500")
    page.fill("input[name=household-0-name]", "سارة")
    page.select_option("select[name=household-0-relation]", "daughter")
    page.select_option("select[name=household-0-sex]", "F")
    page.click("[data-testid=apply-details-form] button[type=submit]")
    page.wait_for_url("**/apply/request/")
    assert _accessibility_violations(page) == []


def _her_request(page, pdf) -> None:
    """Step 4: a food basket, its three documents, the declaration."""
    page.select_option("select[name=request_type]", "food_basket")
    page.fill("textarea[name=description]", "أحتاج سلة غذائية لأسرتي")
    for row, doc_type in enumerate(("national_id", "family_card", "statement")):
        page.select_option(f"select[name=doc-{row}-doc_type]", doc_type)
        page.set_input_files(f"input[name=doc-{row}-file]", str(pdf))
    page.fill("input[name=doc-2-issued_on]", timezone.localdate().isoformat())
    page.fill("input[name=signed_name]", NAME)
    page.check("input[name=confirm]")
    page.check("input[name=consent_service]")
    page.click("[data-testid=apply-request-form] button[type=submit]")
    page.wait_for_url("**/apply/done/")


def test_a_new_applicant_applies_online_and_intake_verifies_and_submits_her_request(
    page, browser_login, intake_user, send_queued, tmp_path
):
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(PDF_BYTES)

    # What the association offers, then "Apply online".
    page.goto("/services/")
    assert page.locator("[data-testid=support-type]").count() == 9
    assert "سلة غذائية" in page.locator("main").inner_text()
    assert _accessibility_violations(page) == []
    page.click("main a[href='/apply/']")

    # 1-2. Her ID and mobile; the code from the text message.
    page.fill("input[name=national_id]", "1000000008")
    page.fill("input[name=mobile]", "0551234567")
    page.click("[data-testid=apply-start-form] button[type=submit]")
    page.wait_for_url("**/apply/code/")
    text = next(t for _n, t in reversed(send_queued()) if "رمز التحقق" in t)
    page.fill("input[name=code]", re.search(r"(?<!\d)\d{6}(?!\d)", text).group())
    page.click("[data-testid=apply-code-form] button[type=submit]")
    page.wait_for_url("**/apply/details/")
    assert _accessibility_violations(page) == []

    _her_details(page)  # 3.
    _her_request(page, pdf)  # 4.
    assert page.locator("[data-testid=apply-received]").is_visible()

    support_request = SupportRequest.objects.get()
    assert support_request.state == State.SUBMITTED
    assert SupportRequest.objects.filter(waiting_for_verification()).exists()

    # Intake: her queue at `/` lists the online request; she verifies it against the documents.
    page.context.clear_cookies()
    browser_login(intake_user)
    page.wait_for_url("**/")
    line = page.locator("[data-queue-line=online_to_verify]")
    assert NAME in line.inner_text()
    line.locator("a", has_text="نورة").first.click()
    page.locator("#verification").wait_for()
    for item in VerificationItem.values:
        page.check(f"#verification input[value={item}]")
    page.click("#verification button[type=submit]")
    page.locator(".alert-success").first.wait_for()

    # Verified: out of intake's queue, on to the researchers'.
    assert not SupportRequest.objects.filter(waiting_for_verification()).exists()
    support_request.refresh_from_db()
    assert support_request.state == State.SUBMITTED
    assert support_request.verification_checks.count() == len(VerificationItem.values)
