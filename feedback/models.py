"""Her voice (issue 20): inquiries, complaints, suggestions and thanks, from any of the
policy's eight channels, each answered within a deadline set by its type.

A ticket reaches her file when she is on file (`beneficiary`), her verified mobile when she
wrote from the public form, or nobody at all (an anonymous complaint). A complaint may name a
member of staff (`about_staff`): that person never gets it and never sees it
(feedback.selectors.tickets_visible_to).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wahaj.lib.choices import Channel
from wahaj.lib.fields import EncryptedPhoneNumberField


def answer_days(kind: str) -> int:
    """Days to answer a ticket of this type (settings.FEEDBACK_ANSWER_DAYS)."""
    days = settings.FEEDBACK_ANSWER_DAYS
    return int(days.get(kind, days.get("default", 7)))


class Ticket(models.Model):
    class Kind(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        THANKS = "thanks", _("Thanks")

    class State(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    class Category(models.TextChoices):
        SUPPORT = "support", _("Support and its decision")
        DELAY = "delay", _("Delay or waiting time")
        STAFF = "staff", _("Conduct of a member of staff")
        DOCUMENTS = "documents", _("Documents and procedures")
        WEBSITE = "website", _("Portal and website")
        OTHER = "other", _("Other")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")

    # Waiting for an answer: the deadline runs (the sweep and the queues read these).
    OPEN = (State.NEW, State.ASSIGNED, State.REOPENED)

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.OTHER
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    text = models.TextField(_("what she said"))
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("beneficiary"),
    )
    # From the public form: a mobile proven by a one-time code; empty when anonymous.
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_mobile = EncryptedPhoneNumberField(_("mobile"), region="SA", blank=True)
    language = models.CharField(_("language"), max_length=8, default="ar")
    about_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("member of staff complained about"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets_assigned",
        verbose_name=_("assigned to"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NEW)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The deadline sweep's own marks: done for this due time when on or after it (a reopened
    # ticket gets a new due time, and so a new reminder and escalation).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The deadline sweep (open tickets due before a time) and the overdue filter.
            models.Index(fields=["state", "due_at"], name="ticket_state_due_idx"),
            # "Assigned to me" in the home queues.
            models.Index(fields=["assignee", "state"], name="ticket_assignee_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=True)
                | Q(about_staff__isnull=True)
                | ~Q(assignee=models.F("about_staff")),
                name="ticket_not_assigned_to_staff_complained_about",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"T-{self.pk:06d}" if self.pk else ""

    @property
    def anonymous(self) -> bool:
        return self.beneficiary_id is None and not self.contact_mobile

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at

    @staticmethod
    def due_from(kind: str, start: datetime) -> datetime:
        return start + timedelta(days=answer_days(kind))
