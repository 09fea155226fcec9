"""Acceptance 1 of issue 20, in a browser: an anonymous complaint from the public form reaches a
manager and is answered; an inquiry from her portal is answered and the answer SMS is in the
outbox."""

import re

import pytest

from beneficiaries.tests.factories import BeneficiaryFactory
from feedback.models import Ticket
from notifications.models import Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_complaint_reaches_a_manager_and_is_answered(
    page, browser_login, manager_user
):
    page.goto("/contact/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.select_option("select[name=kind]", "complaint")
    page.select_option("select[name=category]", "delay")
    page.fill("textarea[name=text]", "انتظرت ثلاث ساعات في الاستقبال دون أن يكلمني أحد")
    page.check("input[name=anonymous]")
    page.click("[data-testid=contact-form] button[type=submit]")
    reference = page.locator("[data-testid=ticket-reference]").inner_text()
    ticket = Ticket.objects.get()
    assert ticket.reference in reference
    assert ticket.anonymous

    browser_login(manager_user)
    page.goto("/")
    line = page.locator("[data-queue-line=tickets_unassigned]")
    assert line.locator("[data-testid=queue-count]").inner_text() == "1"
    line.locator("[data-testid=queue-row]").first.click()
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "انتظرت ثلاث ساعات" in page.locator("[data-testid=ticket-text]").inner_text()
    page.fill("textarea[name=answer]", "نعتذر، نظمنا الاستقبال بمواعيد")
    page.click("form[action$='/answer/'] button[type=submit]")
    page.wait_for_url(f"**/tickets/{ticket.pk}/")
    assert "نظمنا الاستقبال" in page.locator("[data-testid=ticket-answer]").inner_text()
    ticket.refresh_from_db()
    assert (ticket.state, ticket.answered_by) == ("answered", manager_user)
    assert not Message.objects.filter(template="ticket_answered").exists()  # nobody to tell


def test_an_inquiry_from_her_portal_is_answered_and_the_sms_is_in_the_outbox(
    page, intake_user, send_queued, password
):
    her = BeneficiaryFactory(preferred_language="ar", preferred_channel="sms")
    page.goto("/portal/login/")
    page.fill("input[name=national_id]", her.national_id)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/portal/login/code/")
    _number, text = send_queued()[-1]
    page.fill("input[name=code]", re.search(r"(?<!\d)\d{6}(?!\d)", text).group())
    page.click("[data-testid=code-form] button[type=submit]")
    page.wait_for_url("**/portal/")

    page.goto("/portal/tickets/")
    page.select_option("select[name=kind]", "inquiry")
    page.fill("textarea[name=text]", "متى تصرف السلة الغذائية لهذا الشهر؟")
    page.click("[data-testid=ticket-form] button[type=submit]")
    page.wait_for_url("**/portal/tickets/")
    ticket = Ticket.objects.get()
    assert (ticket.beneficiary_id, ticket.channel) == (her.pk, "website")

    # The staff member in a browser of her own (her session is not the beneficiary's).
    staff = page.context.browser.new_context(base_url=page.url.split("/portal")[0])
    staff_page = staff.new_page()
    try:
        staff_page.goto("/accounts/login/")
        staff_page.fill("input[name=username]", intake_user.username)
        staff_page.fill("input[name=password]", password)
        staff_page.click("main form button[type=submit]")
        staff_page.wait_for_url(lambda url: "/accounts/" not in url)
        staff_page.goto("/tickets/?state=open")
        staff_page.click(f"a[href='/tickets/{ticket.pk}/']")
        staff_page.fill("textarea[name=answer]", "تصرف يوم الأحد القادم إن شاء الله")
        staff_page.click("form[action$='/answer/'] button[type=submit]")
        staff_page.wait_for_url(f"**/tickets/{ticket.pk}/")
    finally:
        staff.close()

    [message] = Message.objects.filter(template="ticket_answered")
    assert (message.channel, message.to, message.language) == ("sms", str(her.mobile), "ar")
    number, text = send_queued()[-1]
    assert number == str(her.mobile).lstrip("+")
    assert "تصرف يوم الأحد القادم" in text

    page.reload()
    answer = page.locator("[data-testid=her-ticket-answer]").inner_text()
    assert "تصرف يوم الأحد القادم" in answer
