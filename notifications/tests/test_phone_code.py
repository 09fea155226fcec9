"""One-time codes to a mobile that need not be on file: hashed, 5 minutes, 5 tries, 3 per 15 min."""

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.models import TEMPLATE_LABELS, Message, PhoneCode
from notifications.services import (
    PHONE_CODE_TOO_MANY,
    PhoneCodeError,
    message_send,
    phone_code_send,
    phone_code_verify,
    phone_codes_purge,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("enqueued")]

MOBILE = "0551234567"
E164 = "+966551234567"


def _send_and_read(sms_outbox, mobile=MOBILE, purpose="apply", language="ar") -> str:
    phone_code_send(mobile=mobile, purpose=purpose, language=language)
    for pk in Message.objects.filter(status="queued").values_list("pk", flat=True):
        message_send(message_id=pk)
    number, text = sms_outbox[-1]
    assert number == E164.lstrip("+")
    return re.search(r"(?<!\d)\d{6}(?!\d)", text).group()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_goes_by_sms_to_a_number_that_is_on_no_file(sms_outbox):
    code = _send_and_read(sms_outbox)
    message = Message.objects.get(template="phone_code")
    assert (message.channel, message.to, message.language) == ("sms", E164, "ar")
    assert "phone_code" in TEMPLATE_LABELS
    assert len(code) == 6


def test_the_message_is_in_her_language(sms_outbox):
    _send_and_read(sms_outbox, language="en")
    assert "verification code" in sms_outbox[-1][1]


def test_neither_the_number_nor_the_code_is_stored_or_logged(sms_outbox, caplog):
    caplog.set_level(logging.DEBUG)
    code = _send_and_read(sms_outbox)
    stored = PhoneCode.objects.get()
    row = " ".join(str(v) for v in PhoneCode.objects.values().get().values())
    assert code not in row
    assert "551234567" not in row
    assert stored.phone_digest
    assert len(stored.code_hash) > 40
    # The sent row keeps no code either, and nothing logged it.
    assert code not in str(Message.objects.get(template="phone_code").context)
    assert code not in caplog.text


def test_the_right_code_verifies_once(sms_outbox):
    code = _send_and_read(sms_outbox)
    assert phone_code_verify(mobile=E164, purpose="apply", code=code)
    assert not phone_code_verify(mobile=E164, purpose="apply", code=code)


def test_any_spelling_of_the_number_finds_its_code(sms_outbox):
    code = _send_and_read(sms_outbox, mobile="٠٥٥١٢٣٤٥٦٧")
    assert phone_code_verify(mobile="966551234567", purpose="apply", code=code)


def test_a_code_is_for_its_number_and_its_purpose_only(sms_outbox):
    code = _send_and_read(sms_outbox)
    assert not phone_code_verify(mobile="0551234568", purpose="apply", code=code)
    assert not phone_code_verify(mobile=MOBILE, purpose="feedback", code=code)
    assert phone_code_verify(mobile=MOBILE, purpose="apply", code=code)


def test_a_code_expires_after_five_minutes(sms_outbox):
    code = _send_and_read(sms_outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        assert not phone_code_verify(mobile=MOBILE, purpose="apply", code=code)


def test_five_wrong_tries_lock_the_code_even_against_the_right_one(sms_outbox):
    code = _send_and_read(sms_outbox)
    for _try in range(5):
        assert not phone_code_verify(mobile=MOBILE, purpose="apply", code=_wrong(code))
    assert PhoneCode.objects.get().failed_attempts == 5
    assert not phone_code_verify(mobile=MOBILE, purpose="apply", code=code)


def test_only_the_latest_code_counts(sms_outbox):
    first = _send_and_read(sms_outbox)
    second = _send_and_read(sms_outbox)
    if first != second:
        assert not phone_code_verify(mobile=MOBILE, purpose="apply", code=first)
    assert phone_code_verify(mobile=MOBILE, purpose="apply", code=second)


def test_a_fourth_code_within_fifteen_minutes_is_refused(sms_outbox):
    for _code in range(3):
        phone_code_send(mobile=MOBILE, purpose="apply", language="ar")
    with pytest.raises(PhoneCodeError) as refused:
        phone_code_send(mobile=MOBILE, purpose="apply", language="ar")
    assert refused.value.message == PHONE_CODE_TOO_MANY
    assert Message.objects.filter(template="phone_code").count() == 3
    # Another purpose has its own count; after the window, codes flow again.
    phone_code_send(mobile=MOBILE, purpose="feedback", language="ar")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        phone_code_send(mobile=MOBILE, purpose="apply", language="ar")
    assert PhoneCode.objects.count() == 5


def test_a_number_that_is_not_a_saudi_mobile_gets_no_code(sms_outbox):
    with pytest.raises(ValidationError):
        phone_code_send(mobile="0112345678", purpose="apply", language="ar")
    assert not PhoneCode.objects.exists()
    assert not phone_code_verify(mobile="not a number", purpose="apply", code="123456")


def test_old_codes_are_purged(sms_outbox):
    phone_code_send(mobile=MOBILE, purpose="apply", language="ar")
    assert phone_codes_purge() == 0
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert phone_codes_purge() == 1
    assert not PhoneCode.objects.exists()
