from django.db import models

from .models import Event, EventQuerySet


def events_for(subject: models.Model) -> EventQuerySet:
    """A subject's timeline, oldest first, with the acting users in the same query."""
    return Event.objects.for_subject(subject).select_related("actor")
