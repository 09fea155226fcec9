"""The SMS gateway's delivery receipts update the outbox row (issue 22): delivered, or failed
with the gateway's code; each gateway authenticated by its own shared secret."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Event
from notifications.models import Message
from notifications.services import UNDELIVERED

pytestmark = pytest.mark.django_db

SECRETS = {"unifonic": "uni-secret", "taqnyat": "taq-secret"}


@pytest.fixture
def sent(settings):
    settings.SMS_RECEIPT_SECRETS = SECRETS
    return Message.objects.create(
        channel="sms",
        to="+966501234567",
        template="request_received",
        idempotency_key="receipt-test",
        status=Message.Status.SENT,
        provider_id="UNI-123",
    )


def _post(gateway: str, secret: str | None, data: dict):
    api = APIClient()
    headers = {"HTTP_X_GATEWAY_SECRET": secret} if secret is not None else {}
    return api.post(reverse("api:gateway_receipts", args=[gateway]), data, **headers)


def test_a_delivered_receipt_marks_the_row_delivered(sent):
    response = _post("unifonic", "uni-secret", {"MessageID": "UNI-123", "Status": "Delivered"})
    assert response.status_code == 200
    assert response.json() == {"updated": True}
    sent.refresh_from_db()
    assert sent.delivered_at is not None
    assert sent.status == Message.Status.SENT
    # The same receipt again changes nothing.
    again = _post("unifonic", "uni-secret", {"MessageID": "UNI-123", "Status": "Delivered"})
    assert again.json() == {"updated": False}


def test_a_failed_receipt_marks_the_row_failed_with_the_gateway_code(sent):
    response = APIClient().post(
        reverse("api:gateway_receipts", args=["taqnyat"]),
        {"messageId": "UNI-123", "status": "undelivered", "code": "EC-41"},
        format="json",
        HTTP_X_GATEWAY_SECRET="taq-secret",
    )
    assert response.json() == {"updated": True}
    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED
    assert sent.gateway_code == "EC-41"
    assert sent.last_error == f"{UNDELIVERED} (EC-41)"
    event = Event.objects.get(verb="message_undelivered")
    assert event.subject == sent
    assert event.note == "EC-41"
    assert event.actor is None


def test_an_interim_report_changes_nothing(sent):
    assert _post("unifonic", "uni-secret", {"MessageID": "UNI-123", "Status": "Sent"}).json() == {
        "updated": False
    }
    sent.refresh_from_db()
    assert sent.delivered_at is None
    assert sent.status == Message.Status.SENT


@pytest.mark.parametrize(
    ("gateway", "secret"),
    [("unifonic", None), ("unifonic", "wrong"), ("unifonic", "taq-secret"), ("msegat", "x")],
)
def test_a_receipt_without_its_gateway_secret_is_refused(sent, gateway, secret):
    response = _post(gateway, secret, {"MessageID": "UNI-123", "Status": "Undelivered"})
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_a_receipt_for_an_unknown_message_changes_nothing(sent):
    data = {"MessageID": "OTHER", "Status": "Failed", "ErrorCode": "1"}
    assert _post("unifonic", "uni-secret", data).json() == {"updated": False}
    assert not Event.objects.filter(verb="message_undelivered").exists()
