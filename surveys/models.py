"""Satisfaction surveys (SPEC §7): evaluating the service is her right, a tool for improvement.

A `Survey` has ordered `Question`s. After a request is delivered or rejected she receives an
`Invitation` (a one-time token link); her answers form one `Response` of `Answer`s. Staff may
record a response given by phone or on paper; the channel says which. Results are aggregated
only (surveys.selectors) and never name the staff member who served her.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_SURVEY_SLUG = "default"


def new_token() -> str:
    # 256 bits: a link cannot be guessed, so a forged one finds nothing.
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a link's token: its SHA-256, so a dump opens no survey.

    No key is needed: the token has 256 random bits, so its hash cannot be reversed by trial.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class Survey(models.Model):
    slug = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("New invitations use the active survey.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1–5")
        YES_NO = "yes_no", _("Yes / no")
        RECOMMEND = "recommend", _("Recommendation 0–10")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    key = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="surveys_question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One per request and trigger: the link she answers through, once, within 30 days."""

    class Trigger(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected")

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("survey")
    )
    support_request = models.ForeignKey(
        "requests_app.SupportRequest",
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("request"),
    )
    trigger = models.CharField(_("after"), max_length=16, choices=Trigger.choices)
    # The token itself travels only in her message (and in `token` on the instance that was
    # just created, to write that message); the link is found by its hash.
    token_hash = models.CharField(
        _("link code (hashed)"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Nothing is asked twice: one invitation per request and trigger.
            models.UniqueConstraint(
                fields=["support_request", "trigger"], name="surveys_invitation_once"
            ),
        ]
        indexes = [
            # The response rate of a period counts invitations by creation time.
            models.Index(fields=["created_at"], name="surveys_invitation_created"),
        ]

    def __str__(self) -> str:
        return f"{self.support_request_id} · {self.trigger}"

    token: str | None = None

    def save(self, *args, **kwargs):
        if not self.token_hash:
            self.token = new_token()
            self.token_hash = token_digest(self.token)
        if self.expires_at is None:
            self.expires_at = self.created_at + timedelta(days=settings.SURVEY_TOKEN_VALID_DAYS)
        super().save(*args, **kwargs)

    def link_path(self) -> str:
        """Her link; known only right after the invitation was made (the database has a hash)."""
        if self.token is None:
            raise ValueError("the link of a stored invitation is not kept")
        return reverse("surveys:respond", args=[self.token])

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class Response(models.Model):
    class Channel(models.TextChoices):
        LINK = "link", _("Survey link")
        PORTAL = "portal", _("Portal")
        PHONE = "phone", _("Phone")
        PAPER = "paper", _("Paper")

    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        related_name="response",
        verbose_name=_("survey invitation"),
    )
    channel = models.CharField(_("answered by"), max_length=16, choices=Channel.choices)
    # Copied from the request when she answers, so results group without joining staff data.
    request_channel = models.CharField(_("request channel"), max_length=32, blank=True)
    request_type = models.CharField(_("support type"), max_length=32, blank=True)
    outcome = models.CharField(_("decision"), max_length=16, choices=Invitation.Trigger.choices)
    submitted_at = models.DateTimeField(_("answered"), default=timezone.now)
    # Who typed a phone or paper answer in (audit only; never shown in results).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            # Results filter and group responses by the month they were given.
            models.Index(fields=["submitted_at"], name="surveys_response_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} · {self.submitted_at:%Y-%m-%d}"


class Answer(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    # Ratings 1–5, yes (1) / no (0) and recommendation 0–10 in `value`; free text in `text`.
    value = models.SmallIntegerField(_("rating"), null=True, blank=True)
    text = models.TextField(_("her words"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_once"),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0, value__lte=10),
                name="surveys_answer_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value if self.value is not None else self.text[:20]}"
