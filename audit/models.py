"""One append-only audit model: the record of who did what to whom, and every case's timeline."""

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Audit events are never changed or removed once written."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")

    def for_subject(self, subject: models.Model) -> "EventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        )


class Event(models.Model):
    class ActorKind(models.TextChoices):
        STAFF = "staff", _("Staff")
        BENEFICIARY = "beneficiary", _("Beneficiary")
        SYSTEM = "system", _("System")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    verb = models.CharField(_("action"), max_length=64)
    old_state = models.CharField(_("from"), max_length=32, blank=True)
    new_state = models.CharField(_("to"), max_length=32, blank=True)
    note = models.TextField(_("note"), blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "pk"]
        indexes = [
            # A case's timeline: every event of one subject in time order.
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="audit_subject_time"
            ),
            # The managers' audit search by actor and period.
            models.Index(fields=["actor", "created_at"], name="audit_actor_time"),
        ]
        # The database refuses UPDATE and DELETE too (PostgreSQL; installed by `migrate`,
        # settings.PGTRIGGER_INSTALL_ON_MIGRATE), so raw SQL cannot rewrite the trail. Nothing
        # in Wahaj ignores this trigger; scripts/db-role.sh also withholds the privileges.
        triggers = [
            pgtrigger.Protect(
                name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")
