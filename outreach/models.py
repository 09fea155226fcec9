"""Work that reaches her before she asks (issue 20): a notice before a document a request
needs expires, and a reassessment of a file nobody reviewed for REASSESSMENT_MONTHS.

A task is created once (its `key` is unique) by the daily sweep (outreach.services) and closed
by the sweep too, once she answered (a newer document of that type on her file) or the file
was reviewed again. Staff read them in their queues at `/` and on `/outreach/`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Document


class OutreachTask(models.Model):
    class Kind(models.TextChoices):
        DOCUMENT_EXPIRING = "document_expiring", _("Document about to expire")
        REASSESSMENT = "reassessment", _("Reassessment due")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.CASCADE,
        related_name="outreach_tasks",
        verbose_name=_("beneficiary"),
    )
    # The document about to expire (kind document_expiring).
    document = models.ForeignKey(
        "beneficiaries.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("document"),
    )
    doc_type = models.CharField(
        _("document type"), max_length=24, choices=Document.DocType.choices, blank=True
    )
    # When the document expires; when the reassessment fell due.
    due_on = models.DateField(_("due on"))
    # The researcher of her latest request (kind reassessment); None: any researcher.
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("researcher"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    # What makes a second sweep a no-op: `doc-<document id>`, `reassess-<file id>-<date>`.
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("outreach task")
        verbose_name_plural = _("outreach tasks")
        ordering = ["due_on", "pk"]
        indexes = [
            # The queues at `/` and the sweep's closing pass: open tasks of a kind, due first.
            models.Index(
                fields=["kind", "due_on"], condition=Q(status="open"), name="outreach_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.beneficiary_id} {self.due_on}"
