"""Issue 19: the database keeps only the SHA-256 of a survey link; the link still works, links
made before the change keep working, and the outbox forgets the link once it is sent."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from notifications.models import Message
from notifications.rendering import render
from notifications.services import REDACTED, message_send
from surveys.models import Invitation, Response, new_token, token_digest
from surveys.services import invitation_create

from .factories import InvitationFactory
from .test_respond import full_answers

pytestmark = pytest.mark.django_db

hash_tokens = importlib.import_module("surveys.migrations.0004_h2_token_hash").hash_tokens


def _stored_row(invitation: Invitation) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_invitation WHERE id = %s", [invitation.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_database_keeps_the_hash_of_her_link_never_the_link(client):
    invitation = InvitationFactory()
    token = invitation.token
    assert token not in _stored_row(invitation)
    assert token_digest(token) in _stored_row(invitation)
    assert client.get(reverse("surveys:respond", args=[token])).status_code == 200
    # Knowing the stored hash opens nothing: it is not a link.
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.token is None
    assert client.get(reverse("surveys:respond", args=[stored.token_hash])).status_code == 404


def test_the_migration_hashes_the_links_already_sent_and_they_keep_working(client):
    invitation = InvitationFactory()
    old_token = new_token()
    # A row as it was before the migration: the token itself in the column.
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=old_token)
    hash_tokens(apps, None)
    assert old_token not in _stored_row(invitation)
    response = client.post(reverse("surveys:respond", args=[old_token]), full_answers())
    assert response.status_code == 302
    assert Response.objects.filter(invitation=invitation).exists()


def test_a_message_queued_before_the_change_still_carries_a_working_link():
    # Queued messages keep their context ({"url": …}); the template reads either key.
    text = render("survey_invitation", "ar", {"url": "https://w.example/surveys/r/abc/"}).body
    assert "https://w.example/surveys/r/abc/" in text
    text = render("survey_invitation", "en", {"link": "https://w.example/surveys/r/xyz/"}).body
    assert "https://w.example/surveys/r/xyz/" in text


def test_the_outbox_forgets_her_link_once_it_is_sent(settings, monkeypatch):
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    monkeypatch.setattr("notifications.services._enqueue", lambda _message_id: None)
    invitation = InvitationFactory()
    Invitation.objects.filter(pk=invitation.pk).delete()
    invitation = invitation_create(
        support_request=invitation.support_request, trigger=Invitation.Trigger.DELIVERED
    )
    message = Message.objects.get(template="survey_invitation")
    assert invitation.token in message.context["link"]
    Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.context["link"] == REDACTED
