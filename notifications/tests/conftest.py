import pytest

from notifications.backends.sms import RecordingBackend

from .fake_gateway import FakeGateway

UNIFONIC_OK = (200, {"success": "true", "message": "", "data": {"MessageID": "41"}})


@pytest.fixture
def sms_outbox(settings):
    """The recording SMS backend, empty."""
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    RecordingBackend.outbox.clear()
    RecordingBackend.references.clear()
    yield RecordingBackend.outbox
    RecordingBackend.outbox.clear()
    RecordingBackend.references.clear()


@pytest.fixture
def fake_gateway():
    gateway = FakeGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def enqueued(monkeypatch):
    """The ids handed to the broker, instead of the broker (unit tests call the task's
    service directly; the integration tests run a real worker)."""
    ids: list[int] = []

    def enqueue(message_id: int) -> bool:
        ids.append(message_id)
        return True

    monkeypatch.setattr("notifications.services._enqueue", enqueue)
    return ids
