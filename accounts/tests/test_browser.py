"""In headless Chromium: every role logs in to an Arabic, right-to-left dashboard."""

import pytest
from django.utils import translation

from accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_HEADINGS = {
    Role.INTAKE: "علاقات المستفيدات",
    Role.RESEARCHER: "البحث الاجتماعي",
    Role.COMMITTEE: "اللجنة",
    Role.CHAIR: "رئيسة اللجنة",
    Role.MANAGER: "الإدارة العليا",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_an_arabic_rtl_dashboard(page, browser_login, make_staff, role):
    user = make_staff(role, is_staff=role == Role.MANAGER)
    browser_login(user)
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.get_by_role("heading", name=ROLE_HEADINGS[role]).is_visible()
    with translation.override("ar"):
        role_label = str(Role(role).label)
    assert page.locator("[data-testid=role]").inner_text().strip() == role_label


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(
    page, make_staff, browser_login
):
    user = make_staff(Role.INTAKE)
    for _ in range(5):
        browser_login(user, secret="not-the-password")
    assert page.get_by_role("heading", name="تم قفل الحساب").is_visible()
    assert "15 دقيقة" in page.content()
