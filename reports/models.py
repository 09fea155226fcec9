"""Reports hold no data of their own but one thing: the record of each export (SPEC §8).

An `Export` row is the subject of the export's audit event, and its Meta carries the two
permissions the exports need (a permission belongs to a model in Django).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    list_name = models.CharField(_("list"), max_length=32)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    masked = models.BooleanField(_("identifiers masked"), default=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [
            ("export_data", _("Can export lists (CSV, XLSX)")),
            ("view_personal_identifiers", _("Can see national IDs and mobiles unmasked")),
        ]

    def __str__(self) -> str:
        return f"{self.list_name}.{self.format} · {self.created_at:%Y-%m-%d %H:%M}"
