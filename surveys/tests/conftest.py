import pytest

from notifications.backends.sms import RecordingBackend


@pytest.fixture
def sms_outbox(settings):
    """The recording SMS backend, empty."""
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    RecordingBackend.outbox.clear()
    yield RecordingBackend.outbox
    RecordingBackend.outbox.clear()


@pytest.fixture
def enqueued(monkeypatch):
    """The outbox ids handed to the broker, instead of the broker (no worker runs here)."""
    ids: list[int] = []
    monkeypatch.setattr("notifications.services._enqueue", ids.append)
    return ids
