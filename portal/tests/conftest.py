import pytest
from django.test import Client
from django.utils import timezone

from notifications.backends.sms import RecordingBackend
from notifications.models import Message
from notifications.services import message_send
from portal.session import BENEFICIARY_KEY, LAST_SEEN_KEY


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded documents go to a temporary private root, never into var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


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


@pytest.fixture
def portal_client():
    """`portal_client(beneficiary)`: a new browser session logged in to her portal."""

    def login(beneficiary) -> Client:
        client = Client()
        session = client.session
        session[BENEFICIARY_KEY] = beneficiary.pk
        session[LAST_SEEN_KEY] = timezone.now().timestamp()
        session.save()
        return client

    return login
