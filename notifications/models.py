"""The durable outbox: every message is a row before it is a send (SPEC §5).

A row is written in the same transaction as the change that causes it, so a rolled-back change
sends nothing; the sender claims a row with a conditional UPDATE before sending it, so a message
is never handed to two senders at once. Each row carries a `reference` the gateway sees, so a
send whose answer was lost can be asked about (or refused as a duplicate) instead of repeated.
"""

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wahaj.lib.fields import (
    EncryptedCharField,
    LookupHashField,
    LookupHashModel,
    LookupHashQuerySet,
)

# What each message template reads as on a timeline and in the admin (`templates/notifications/`;
# tests/test_code_words.py fails on a template without one).
TEMPLATE_LABELS = {
    "portal_otp": _("Portal sign-in code"),
    "phone_code": _("Mobile verification code"),
    "application_matched": _("Online application matching a file on record"),
    "document_expiring": _("Document about to expire"),
    "referral_assigned": _("Referral assigned to the officer"),
    "registration_completed": _("Registration completed"),
    "request_received": _("Request received"),
    "request_returned": _("Request returned for completion"),
    "request_decided": _("Committee's decision"),
    "request_delivered": _("Support delivered"),
    "research_due": _("Social research due"),
    "survey_invitation": _("Satisfaction survey invitation"),
    "window_reminder": _("Decision window reminder"),
    "window_overdue": _("Decision window passed"),
    "home_visit_reminder": _("Home visit reminder"),
    "item_deferred": _("Request deferred to the next meeting"),
    "correction_extended": _("Data correction request extended"),
    "breach_notice": _("Notice of a personal-data incident"),
    "breach_deadline": _("Incident: authority deadline approaching"),
    "entitlement_notice": _("Program support approved: how she receives it"),
    "ticket_assigned": _("Ticket assigned to you"),
    "ticket_reminder": _("Ticket answer reminder"),
    "ticket_overdue": _("Ticket answer overdue"),
    "ticket_answered": _("Answer to her inquiry or complaint"),
}


def new_reference() -> str:
    return uuid.uuid4().hex


class Message(LookupHashModel, models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # Her mobile or e-mail, encrypted at rest (issue 19); `to_hash` finds her messages (the
    # retention job, her data export) without decrypting.
    to = EncryptedCharField(_("recipient"), max_length=254)
    to_hash = LookupHashField(source="to")
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, default="ar")
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    # The id the gateway sees (Unifonic's CorrelationID, the e-mail's Message-ID): random, so it
    # says nothing about her and never repeats after a restore from backup.
    reference = models.CharField(
        _("reference"), max_length=32, unique=True, default=new_reference, editable=False
    )
    # What the message is about (a request, a referral…): its timeline can list it.
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # `queued`: when the next attempt is due (now for a new row, later after a retryable
    # failure). `sending`: the end of the claim's lease — past it, the recovery tick asks the
    # gateway what became of the send.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When the row was last handed to the broker (None: never, or its publish failed). The
    # recovery tick publishes due rows that have none and re-publishes ones lost for too long.
    published_at = models.DateTimeField(_("published"), null=True, blank=True, default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The gateway's delivery receipt (api: /api/v1/gateways/<name>/receipts/): when the phone
    # got it, or the gateway's own code for why it did not (the row is then `failed`).
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    gateway_code = models.CharField(_("gateway's delivery code"), max_length=32, blank=True)

    objects = LookupHashQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["sms", "email"]), name="message_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "failed"]),
                name="message_status_valid",
            ),
        ]
        indexes = [
            # The recovery tick (every 15 s): rows still queued/sending that are due or whose
            # lease ran out. Partial, so it stays small however many sent rows pile up, and the
            # tick costs one index probe when nothing is late.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="message_pending_due",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            # The managers' list of failed messages, newest first.
            models.Index(
                fields=["updated_at"],
                name="message_failed_recent",
                condition=models.Q(status="failed"),
            ),
            # A subject's messages on its timeline.
            models.Index(fields=["subject_type", "subject_id"], name="message_subject"),
            # A delivery receipt names the gateway's message id (api's receipts webhook).
            models.Index(
                fields=["provider_id"],
                name="message_provider_id",
                condition=~models.Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"

    @property
    def template_label(self) -> str:
        return str(TEMPLATE_LABELS.get(self.template, _("Message")))


class PhoneCode(models.Model):
    """A six-digit code sent by SMS to a mobile that need not be on file (applying online, a
    public complaint…), to show that whoever types it holds that phone.

    Neither the number nor the code is stored: the number as a keyed hash (enough to find its
    codes), the code as a salted keyed hash (wahaj.lib.codes). `purpose` keeps a code asked for
    one form from opening another.
    """

    phone_digest = models.CharField(_("mobile (hashed)"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=32)
    code_hash = models.CharField(_("code (hashed)"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [
            # The throttle (codes sent to this number for this purpose in the last 15 minutes)
            # and the latest code, which is the only one that can be used.
            models.Index(
                fields=["phone_digest", "purpose", "-created_at"], name="phone_code_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
