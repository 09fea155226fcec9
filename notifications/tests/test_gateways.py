"""The Saudi gateways' adapters against a local fake server (acceptance 5)."""

import json
import urllib.parse
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.backends.sms import (
    INVALID_NUMBER,
    MsegatBackend,
    SmsError,
    TaqnyatBackend,
    UnifonicBackend,
    gateway_number,
)
from notifications.models import Message
from notifications.services import message_send, retry_delay

from .conftest import UNIFONIC_OK
from .factories import MessageFactory

TEXT = "جمعية وهج: استلمنا طلبك رقم WHJ-2026-000007"


@pytest.mark.parametrize(
    "number",
    ["+966501234567", "00966501234567", "0501234567", "501234567", "٠٥٠١٢٣٤٥٦٧", "050 123 4567"],
)
def test_every_way_of_writing_a_saudi_mobile_becomes_9665(number):
    assert gateway_number(number) == "966501234567"


@pytest.mark.parametrize("number", ["", "+201001234567", "0112345678", "05012345"])
def test_anything_else_is_refused_without_retry(number):
    with pytest.raises(SmsError) as error:
        gateway_number(number)
    assert (error.value.reason, error.value.retryable) == (INVALID_NUMBER, False)


def test_unifonic_posts_the_number_and_the_arabic_text_as_utf8_form_fields(fake_gateway):
    fake_gateway.replies.append(UNIFONIC_OK)
    backend = UnifonicBackend(url=fake_gateway.url, key="app-sid", sender="Wahaj")
    assert backend.send("+966501234567", TEXT) == "41"
    [request] = fake_gateway.received
    fields = urllib.parse.parse_qs(request.text)
    assert fields["Recipient"] == ["966501234567"]
    assert fields["Body"] == [TEXT]
    assert fields["AppSid"] == ["app-sid"]
    assert fields["SenderID"] == ["Wahaj"]


def test_taqnyat_posts_json_with_a_bearer_token(fake_gateway):
    fake_gateway.replies.append((201, {"statusCode": 201, "messageId": 77}))
    backend = TaqnyatBackend(url=fake_gateway.url, key="tok", sender="Wahaj")
    assert backend.send("0501234567", TEXT) == "77"
    [request] = fake_gateway.received
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.json() == {"recipients": ["966501234567"], "body": TEXT, "sender": "Wahaj"}


def test_msegat_posts_json_and_reads_its_success_code(fake_gateway):
    fake_gateway.replies.append((200, {"code": "1", "message": "Success"}))
    backend = MsegatBackend(url=fake_gateway.url, username="wahaj", key="k", sender="Wahaj")
    backend.send("+966501234567", TEXT)
    body = json.loads(fake_gateway.received[0].body.decode("utf-8"))
    assert body["numbers"] == "966501234567"
    assert body["msg"] == TEXT
    assert (body["userName"], body["apiKey"]) == ("wahaj", "k")


@pytest.mark.parametrize(
    ("backend_class", "refusal", "reason"),
    [
        (
            UnifonicBackend,
            (200, {"success": "false", "errorCode": "ER-04", "message": "Invalid recipient"}),
            "Unifonic refused: Invalid recipient",
        ),
        (TaqnyatBackend, (400, {"message": "invalid number"}), "Taqnyat refused: invalid number"),
        (
            MsegatBackend,
            (200, {"code": "1060", "message": "Invalid numbers"}),
            "Msegat refused: Invalid numbers",
        ),
    ],
)
def test_a_gateway_refusal_is_not_retryable(fake_gateway, backend_class, refusal, reason):
    fake_gateway.replies.append(refusal)
    with pytest.raises(SmsError) as error:
        backend_class(url=fake_gateway.url).send("+966501234567", TEXT)
    assert (error.value.reason, error.value.retryable) == (reason, False)


@pytest.mark.parametrize("backend_class", [UnifonicBackend, TaqnyatBackend, MsegatBackend])
def test_an_http_500_is_retryable(fake_gateway, backend_class):
    fake_gateway.replies.append((500, {"message": "internal error"}))
    with pytest.raises(SmsError) as error:
        backend_class(url=fake_gateway.url).send("+966501234567", TEXT)
    assert (error.value.reason, error.value.retryable) == ("gateway HTTP 500", True)


def test_an_unreachable_gateway_is_retryable():
    backend = UnifonicBackend(url="http://127.0.0.1:9/send", timeout=2)
    with pytest.raises(SmsError) as error:
        backend.send("+966501234567", TEXT)
    assert error.value.retryable


# --- Through the outbox: success, 500 then retried, rejected number -------------------------
@pytest.fixture
def unifonic(settings, fake_gateway):
    settings.SMS_BACKEND = "notifications.backends.sms.UnifonicBackend"
    settings.SMS_GATEWAY_URL = fake_gateway.url
    settings.SMS_GATEWAY_KEY = "app-sid"
    return fake_gateway


@pytest.mark.django_db
def test_through_unifonic_a_message_is_sent_and_keeps_the_gateway_id(unifonic):
    unifonic.replies.append(UNIFONIC_OK)
    message = MessageFactory()
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Message.Status.SENT, "41")
    assert len(unifonic.accepted) == 1


@pytest.mark.django_db
def test_through_unifonic_an_http_500_is_retried_then_sent(unifonic, time_machine):
    unifonic.replies.extend([(500, {}), UNIFONIC_OK])
    message = MessageFactory()
    delay = message_send(message_id=message.pk)
    assert delay == retry_delay(1)
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Message.Status.QUEUED, "gateway HTTP 500")
    time_machine.move_to(timezone.now() + timedelta(seconds=delay + 1))
    assert message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)
    assert len(unifonic.received) == 2
    assert len(unifonic.accepted) == 1


@pytest.mark.django_db
def test_through_unifonic_a_rejected_number_fails_with_the_reason_and_is_not_retried(unifonic):
    unifonic.replies.append(
        (200, {"success": "false", "errorCode": "ER-04", "message": "Invalid recipient"})
    )
    message = MessageFactory()
    assert message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
    assert message.last_error == "Unifonic refused: Invalid recipient"
    assert message_send(message_id=message.pk) is None
    assert len(unifonic.received) == 1
