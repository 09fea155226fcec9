import pytest

from notifications.backends.sms import RecordingBackend
from notifications.models import Message
from notifications.services import message_send


@pytest.fixture(autouse=True)
def sms_outbox(settings, monkeypatch):
    """The recording SMS backend; outbox rows are not handed to a broker (tests send them)."""
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    monkeypatch.setattr("notifications.services._enqueue", lambda _message_id: None)
    RecordingBackend.outbox.clear()
    yield RecordingBackend.outbox
    RecordingBackend.outbox.clear()


@pytest.fixture
def send_queued():
    """Send every queued outbox row now, as the worker would; returns the recorded SMS."""

    def send() -> list[tuple[str, str]]:
        for message_id in Message.objects.filter(status="queued").values_list("pk", flat=True):
            message_send(message_id=message_id)
        return RecordingBackend.outbox

    return send
