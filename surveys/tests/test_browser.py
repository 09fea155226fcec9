"""Acceptance 1, in headless Chromium: delivered → SMS → answered in Arabic → in the results →
the same link is used up."""

import re

import pytest

from notifications.backends.sms import RecordingBackend
from notifications.models import Message
from notifications.services import message_send
from requests_app import services as request_services
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.models import Question, Response

from .factories import answered, default_survey, in_last_month, satisfied_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enqueued_on_live_server(live_server, settings, monkeypatch):
    """SMS recorded, links pointing at the live server, outbox ids kept instead of a broker."""
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    settings.SITE_URL = live_server.url
    # Sent at once here: the delay before the invitation has its own test (test_invitations).
    settings.SURVEY_INVITATION_DELAY_HOURS = 0
    RecordingBackend.outbox.clear()
    enqueued: list[int] = []
    monkeypatch.setattr("notifications.services._enqueue", enqueued.append)
    yield enqueued
    RecordingBackend.outbox.clear()


def test_she_answers_the_survey_sent_after_delivery_and_the_link_is_then_used(
    page, browser_login, enqueued_on_live_server, intake_user, manager_user
):
    enqueued = enqueued_on_live_server

    support_request = request_in_state(SupportRequest.State.APPROVED, approved_amount=900)
    request_services.support_request_deliver(
        actor=intake_user, support_request=support_request, delivery_note="سلة غذائية"
    )
    invitation_message = Message.objects.get(template="survey_invitation")
    assert invitation_message.pk in enqueued
    message_send(message_id=invitation_message.pk)  # what the worker does

    number, text = RecordingBackend.outbox[-1]
    assert number == str(support_request.beneficiary.mobile).lstrip("+")
    assert support_request.reference in text
    link = re.search(r"https?://\S+", text).group(0)

    page.goto(link)
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.get_by_role("heading", name="استبانة رضا المستفيدات").wait_for()
    for question in default_survey().questions.all():
        fieldset = page.locator(f"#fs-q{question.pk}")
        if question.kind == Question.Kind.RATING:
            fieldset.get_by_label("5 — راضية جدًا").check()
        elif question.kind == Question.Kind.YES_NO:
            fieldset.get_by_label("نعم", exact=True).check()
        elif question.kind == Question.Kind.RECOMMEND:
            fieldset.get_by_label("10", exact=True).check()
        else:
            fieldset.locator("textarea").fill("جزاكم الله خيرًا على حسن التعامل")
    page.get_by_role("button", name="إرسال إجاباتي").click()
    page.get_by_role("heading", name="شكرًا لكِ").wait_for()
    assert Response.objects.count() == 1

    # Results show whole months already over, with five answers or more: her answer and four
    # others, last month.
    Response.objects.update(submitted_at=in_last_month())
    for _ in range(4):
        answered(satisfied_answers(), submitted_at=in_last_month())
    browser_login(manager_user)
    page.wait_for_url("**/")
    page.goto("/surveys/")
    assert page.locator("[data-testid=responses]").inner_text().strip() == "5"
    assert "جزاكم الله خيرًا على حسن التعامل" in page.locator("[data-testid=comments]").inner_text()

    page.goto(link)
    assert (
        "تمت الإجابة عن هذه الاستبانة من قبل"
        in page.locator("[data-testid=link-error]").inner_text()
    )
    assert Response.objects.count() == 5
