"""Sending: claim, send after the claim, mark; retries with capped back-off; never twice."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.backends.sms import SmsError
from notifications.models import Message
from notifications.services import (
    MAX_ATTEMPTS_REACHED,
    message_send,
    retry_delay,
)

from .factories import MessageFactory

pytestmark = pytest.mark.django_db

Status = Message.Status


class FlakyBackend:
    """Fails with the scripted errors, then succeeds."""

    errors: list = []

    def __init__(self, **kwargs):
        pass

    def send(self, number, text, *, reference=""):
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        return "ok-1"


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.errors = []
    return FlakyBackend.errors


def test_a_queued_sms_is_rendered_in_her_language_sent_once_and_marked_sent(sms_outbox):
    message = MessageFactory(context={"reference": "WHJ-2026-000007", "name": "نورة"})
    assert message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    [(number, text)] = sms_outbox
    assert number == "966501234567"
    assert "WHJ-2026-000007" in text
    assert "أسبوعين" in text


def test_sending_twice_sends_once(sms_outbox):
    message = MessageFactory()
    message_send(message_id=message.pk)
    message_send(message_id=message.pk)
    assert len(sms_outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_row_claimed_by_another_worker_is_left_alone(sms_outbox):
    message = MessageFactory(status=Status.SENDING, attempts=1, claimed_at=timezone.now())
    message_send(message_id=message.pk)
    assert sms_outbox == []
    message.refresh_from_db()
    assert message.status == Status.SENDING


def test_an_email_goes_through_djangos_email_backend_with_the_first_line_as_subject(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = MessageFactory(
        channel=Message.Channel.EMAIL,
        to="noura@example.org",
        template="request_received",
        language="en",
        context={"reference": "WHJ-2026-000007", "name": "Noura", "due_date": "2026-12-09"},
    )
    message_send(message_id=message.pk)
    [email] = mail.outbox
    assert email.to == ["noura@example.org"]
    assert email.subject == "Your request WHJ-2026-000007 was received"
    assert "9 December 2026" in email.body
    assert "AH)" in email.body  # the Hijri date beside it
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_retryable_error_requeues_with_backoff_and_records_the_reason(flaky):
    flaky.append(SmsError("gateway HTTP 503", retryable=True))
    message = MessageFactory()
    before = timezone.now()
    delay = message_send(message_id=message.pk)
    message.refresh_from_db()
    assert delay == retry_delay(1)
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert message.last_error == "gateway HTTP 503"
    assert message.next_attempt_at >= before + timedelta(seconds=delay)


def test_a_retry_is_not_sent_before_it_is_due(flaky, time_machine):
    flaky.append(SmsError("gateway HTTP 503", retryable=True))
    message = MessageFactory()
    delay = message_send(message_id=message.pk)
    assert message_send(message_id=message.pk) is None  # too early: not claimed
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    time_machine.move_to(timezone.now() + timedelta(seconds=delay + 1))
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert message.provider_id == "ok-1"


def test_the_backoff_doubles_and_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 600
    assert [retry_delay(n) for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_after_the_last_attempt_the_message_fails_with_the_reason(flaky, settings, time_machine):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    flaky.extend(SmsError("gateway HTTP 500", retryable=True) for _ in range(3))
    message = MessageFactory()
    for _ in range(3):
        message_send(message_id=message.pk)
        time_machine.move_to(timezone.now() + timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert message.last_error == MAX_ATTEMPTS_REACHED.format(attempts=3, reason="gateway HTTP 500")


def test_a_permanent_error_fails_at_once_without_retry(flaky):
    flaky.append(SmsError("invalid Saudi mobile number", retryable=False))
    message = MessageFactory()
    assert message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "invalid Saudi mobile number"


def test_a_number_that_is_not_a_saudi_mobile_fails_without_retry(sms_outbox):
    message = MessageFactory(to="+201001234567")
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.last_error == "invalid Saudi mobile number"
    assert sms_outbox == []


def test_the_console_backend_logs_one_line_without_her_number_or_any_digit(settings, caplog):
    settings.SMS_BACKEND = "notifications.backends.sms.ConsoleBackend"
    message = MessageFactory(context={"reference": "WHJ-2026-000009", "name": "نورة"})
    code = MessageFactory(template="portal_otp", context={"code": "482913"})
    with caplog.at_level(logging.INFO, logger="notifications.backends.sms"):
        message_send(message_id=message.pk)
        message_send(message_id=code.pk)
    lines = [r.getMessage() for r in caplog.records if r.name == "notifications.backends.sms"]
    assert len(lines) == 2
    assert lines[0].startswith("SMS to 9665••••4567: ")
    assert "WHJ-••••-••••••" in lines[0]  # which message, without the reference itself
    assert not any("966501234567" in line or "482913" in line for line in lines)
    assert not any("\n" in line for line in lines)


def test_the_console_email_backend_logs_no_code_and_no_full_address(settings, caplog):
    settings.EMAIL_BACKEND = "notifications.backends.email.ConsoleEmailBackend"
    message = MessageFactory(
        channel=Message.Channel.EMAIL,
        to="noura.alqahtani@example.org",
        template="portal_otp",
        language="en",
        context={"code": "482913"},
    )
    with caplog.at_level(logging.INFO, logger="notifications.backends.email"):
        message_send(message_id=message.pk)
    [line] = [r.getMessage() for r in caplog.records if r.name == "notifications.backends.email"]
    assert line.startswith("E-mail to n•••@example.org: ")
    assert "482913" not in line
    assert "noura.alqahtani" not in line
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_one_time_code_does_not_stay_readable_in_the_outbox_after_sending(sms_outbox):
    message = MessageFactory(template="portal_otp", context={"code": "482913"})
    message_send(message_id=message.pk)
    [(_number, text)] = sms_outbox
    assert "482913" in text
    message.refresh_from_db()
    assert "482913" not in str(message.context)


def test_the_admin_never_shows_a_code_still_waiting_to_be_sent(client_as, manager_user):
    message = MessageFactory(template="portal_otp", context={"code": "482913"})
    response = client_as(manager_user).get(f"/admin/notifications/message/{message.pk}/change/")
    assert response.status_code == 200
    assert "482913" not in response.content.decode()
