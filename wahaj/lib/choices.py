"""Choices shared by several apps (policy: every contact and every request records its channel)."""

from django.db import models
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
