"""The breach register (PDPL implementing regulation, art. 24): every personal-data incident,
its 72-hour clock to the authority (SDAIA) and the notice to the women affected."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Art. 24: the authority is told within 72 hours of the controller learning of the incident.
AUTHORITY_DEADLINE = timedelta(hours=72)
# The managers are warned (beat, privacy.tasks) when this much of the 72 hours is left.
AUTHORITY_WARNING = timedelta(hours=24)


class Incident(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class DataCategory(models.TextChoices):
        IDENTITY = "identity", _("Names and national IDs")
        CONTACT = "contact", _("Mobiles, e-mails and addresses")
        FINANCIAL = "financial", _("IBANs and incomes")
        HEALTH = "health", _("Health and disability notes")
        DOCUMENTS = "documents", _("Uploaded documents")
        CASE = "case", _("Requests, research and decisions")
        ACCOUNTS = "accounts", _("Staff accounts and sign-in secrets")

    found_at = models.DateTimeField(
        _("found at"), help_text=_("When the association learnt of it.")
    )
    what_happened = models.TextField(_("what happened"))
    data_categories = models.JSONField(_("data concerned"), default=list)
    people_affected = models.PositiveIntegerField(_("number of people affected"))
    affected = models.ManyToManyField(
        "beneficiaries.Beneficiary",
        verbose_name=_("affected files"),
        blank=True,
        related_name="incidents",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    # `manage.py breach_drill` marks its incidents, so a kept drill is never read as a breach.
    is_drill = models.BooleanField(_("drill"), default=False)

    message_ar = models.TextField(_("message to the women (Arabic)"), blank=True)
    message_en = models.TextField(_("message to the women (English)"), blank=True)
    message_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("message approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    message_approved_at = models.DateTimeField(_("message approved at"), null=True, blank=True)
    women_notified_at = models.DateTimeField(_("women notified at"), null=True, blank=True)
    women_messages = models.PositiveIntegerField(_("messages queued"), default=0)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    deadline_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-data incident")
        verbose_name_plural = _("personal-data incidents")
        ordering = ["-found_at"]
        indexes = [
            # The beat's deadline sweep: open incidents the authority has not heard of yet.
            models.Index(
                fields=["found_at"],
                name="incident_authority_due_idx",
                condition=models.Q(authority_notified_at__isnull=True, state="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {timezone.localtime(self.found_at):%Y-%m-%d %H:%M}"

    @property
    def authority_due_at(self) -> datetime:
        return self.found_at + AUTHORITY_DEADLINE

    def authority_time_left(self, now: datetime | None = None) -> timedelta:
        return self.authority_due_at - (now or timezone.now())

    def authority_overdue(self, now: datetime | None = None) -> bool:
        return self.authority_notified_at is None and self.authority_time_left(now) < timedelta()

    def data_category_labels(self) -> list[str]:
        labels = dict(self.DataCategory.choices)
        return [str(labels.get(c, c)) for c in self.data_categories]
