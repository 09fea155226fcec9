"""The portal's own rows: one-time login codes and her requests to correct her data."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import RequestType

# PDPL: a request to correct personal data is answered within 30 days.
CORRECTION_DUE_DAYS = 30


class PortalCode(models.Model):
    """A six-digit code sent by SMS to log in to the portal. Only its keyed hash is stored."""

    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("beneficiary"),
    )
    # "<salt>$<hex HMAC-SHA256 keyed with SECRET_KEY>": a database dump alone cannot recover it.
    code_hash = models.CharField(_("code (hashed)"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal code")
        verbose_name_plural = _("portal codes")
        indexes = [
            # The throttle (codes issued to her in the last 15 minutes) and the latest code.
            models.Index(fields=["beneficiary", "-created_at"], name="portal_code_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.created_at:%Y-%m-%d %H:%M}"


class CorrectionRequest(models.Model):
    """She asks the association to correct her data (PDPL): a task for intake, due in 30 days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting correction")
        DONE = "done", _("Corrected")

    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("beneficiary"),
    )
    details = models.TextField(_("what should be corrected"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    answer = models.TextField(_("What was done"), blank=True)
    # PDPL implementing regulation art. 3: the 30 days may be extended once, by 30 more days,
    # with a message to her that says why.
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)

    class Meta:
        verbose_name = _("data correction request")
        verbose_name_plural = _("data correction requests")
        ordering = ["due_at", "pk"]
        indexes = [
            # Intake's list of open corrections, the nearest due first.
            models.Index(
                fields=["due_at"], condition=Q(status="open"), name="portal_correction_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id}: {self.details[:40]}"

    @staticmethod
    def due_from(created_at) -> "timezone.datetime":
        return created_at + timedelta(days=CORRECTION_DUE_DAYS)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_at < timezone.now()


class SupportTypeInfo(models.Model):
    """What `/services/` says about one support type (issue 20): who it is for, what to bring
    besides the documents the type requires (listed from requests_app.REQUIRED_DOCUMENTS, so
    the page never disagrees with what `submit` checks), how long a decision takes. Managers
    edit it in the admin (audited): no code change."""

    request_type = models.CharField(
        _("support type"), max_length=32, unique=True, choices=RequestType.choices
    )
    who_for_ar = models.TextField(_("who it is for (Arabic)"))
    who_for_en = models.TextField(_("who it is for (English)"), blank=True)
    bring_ar = models.TextField(_("what else to bring (Arabic)"), blank=True)
    bring_en = models.TextField(_("what else to bring (English)"), blank=True)
    decision_time_ar = models.CharField(_("how long a decision takes (Arabic)"), max_length=200)
    decision_time_en = models.CharField(
        _("how long a decision takes (English)"), max_length=200, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order on the page"), default=0)
    published = models.BooleanField(_("shown on the page"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("support type description")
        verbose_name_plural = _("support type descriptions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return str(self.get_request_type_display())


class ServicesPageText(models.Model):
    """The general parts of `/services/`: its introduction, how to apply, how to complain.
    One row (pk 1), edited in the admin like the support types."""

    intro_ar = models.TextField(_("introduction (Arabic)"))
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    how_to_apply_ar = models.TextField(_("how to apply (Arabic)"))
    how_to_apply_en = models.TextField(_("how to apply (English)"), blank=True)
    how_to_complain_ar = models.TextField(_("how to complain (Arabic)"))
    how_to_complain_en = models.TextField(_("how to complain (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("services page text")
        verbose_name_plural = _("services page text")

    def __str__(self) -> str:
        return str(_("Services page"))
