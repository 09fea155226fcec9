"""Reads of the outbox for other pages (the managers' dashboard, a case's timeline)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Message


def messages_failed() -> models.QuerySet[Message]:
    """Failed messages, newest first (served by the partial index message_failed_recent)."""
    return Message.objects.filter(status=Message.Status.FAILED).order_by("-updated_at")


def messages_for(subject: models.Model) -> models.QuerySet[Message]:
    """The messages about one subject (a request…), oldest first, for its timeline."""
    return Message.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    ).order_by("created_at", "pk")
