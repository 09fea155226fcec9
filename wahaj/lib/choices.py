"""Choices shared by several apps (policy: every contact and every request records its channel)."""

from functools import cache

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The policy's eight channels of communication with beneficiaries, in its order."""

    INTERVIEW = "interview", _("Interview (in person)")
    PHONE = "phone", _("Phone call")
    SOCIAL_MEDIA = "social_media", _("Social media")
    LETTER = "letter", _("Letter")
    ASSISTANCE_SERVICE = "assistance_service", _("Assistance-request service")
    VOLUNTEERING = "volunteering", _("Volunteering service")
    WEBSITE = "website", _("The association's website")
    REPRESENTATIVE = "representative", _("A representative of the association")


@cache
def _labels(model: type, field: str, language: str) -> dict:
    # `language` is only the cache key: str() translates into the active language.
    return {value: str(text) for value, text in model._meta.get_field(field).flatchoices}


def choice_label(instance, field: str) -> str:
    """`instance.get_<field>_display()`, without rebuilding the choices on every call (a list
    page asks 150 times): the labels are read once per model, field and language."""
    value = getattr(instance, field)
    return _labels(type(instance), field, get_language() or "ar").get(value, value)
