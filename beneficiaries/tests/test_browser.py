"""In headless Chromium, in Arabic: the intake desk opens a file and the duplicate guard holds."""

import pytest

from accounts.roles import Role
from beneficiaries.models import Beneficiary

from .factories import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_registration(page) -> None:
    page.get_by_label("الاسم الرباعي").fill("نورة محمد عبدالله العتيبي")
    page.get_by_label("رقم الهوية أو الإقامة").first.fill("١٠٠٠٠٠٠٠٠٨")
    page.get_by_label("الحالة الاجتماعية").select_option("widow")
    page.locator("input[name=mobile]").fill("0501234567")
    page.locator("select[name=intake_channel]").select_option("interview")
    page.locator("input[name=city]").fill("الرياض")
    page.locator("select[name=housing]").select_option("rented")
    page.locator("input[name=monthly_rent]").fill("1500")
    page.locator("input[name=income_social_security]").fill("1800")
    page.locator("input[name=consent-notice_shown]").check()
    # No purpose is ticked in advance (issue 18): she agrees to each one.
    for purpose in ("service", "contact", "survey"):
        page.locator(f"input[name=consent-purposes][value={purpose}]").check()


def test_intake_registers_her_with_two_members_and_a_pdf_then_the_same_id_finds_her_file(
    page, browser_login, make_staff, settings
):
    intake = make_staff(Role.INTAKE)
    browser_login(intake)
    page.wait_for_url("**/")
    page.goto("/beneficiaries/new/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("heading", name="تسجيل مستفيدة").is_visible()

    _fill_registration(page)
    page.locator("input[name=household-0-name]").fill("سارة")
    page.locator("select[name=household-0-relation]").select_option("daughter")
    page.locator("select[name=household-0-sex]").select_option("F")
    page.locator("input[name=household-1-name]").fill("خالد")
    page.locator("select[name=household-1-relation]").select_option("son")
    page.locator("select[name=household-1-sex]").select_option("M")
    page.locator("input[name=household-1-monthly_income]").fill("600")
    page.locator("select[name=document-doc_type]").select_option("national_id")
    page.locator("input[name=document-file]").set_input_files(
        {"name": "هوية.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="فتح ملفها").click()

    page.wait_for_url("**/beneficiaries/*/")
    beneficiary = Beneficiary.objects.get()
    assert page.url.endswith(f"/beneficiaries/{beneficiary.pk}/")
    assert page.get_by_role("heading", name="نورة محمد عبدالله العتيبي").is_visible()
    # (1800 + 600) / 3 people
    assert page.locator("[data-testid=per-capita-income]").inner_text().strip() == "800.00"
    assert page.get_by_role("link", name="الهوية الوطنية").is_visible()
    assert beneficiary.household.count() == 2

    page.goto("/beneficiaries/new/")
    _fill_registration(page)
    page.locator("input[name=mobile]").fill("0559876543")
    page.get_by_role("button", name="فتح ملفها").click()

    page.wait_for_url(f"**/beneficiaries/{beneficiary.pk}/")
    assert beneficiary.file_number in page.locator(".messages").inner_text()
    assert Beneficiary.objects.count() == 1
