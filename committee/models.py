"""The social-research committee (SPEC §4): research reports, meetings, votes, decisions.

The committee studies `in_committee` requests and answers within the decision window (policy
step 5). The request's state stays the requests app's business: the committee's services call
`support_request_send_to_committee` and `support_request_decide`, never assign a state.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import RejectionCode, RequestType
from wahaj.lib.fields import EncryptedTextField

from .scoring import RuleValues, breakdown_rows

AMOUNT = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class ScoringRule(models.Model):
    """One version of the eligibility scoring rule. Managers change it by adding a version:
    a report keeps the version it was scored with, so old scores never move silently."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    income_threshold = models.DecimalField(
        _("per-capita monthly income threshold (SAR)"), default=Decimal(1500), **AMOUNT
    )
    income_points = models.PositiveSmallIntegerField(
        _("points for income at or below it"), default=40
    )
    points_per_dependant = models.PositiveSmallIntegerField(_("points per dependant"), default=5)
    max_dependant_points = models.PositiveSmallIntegerField(
        _("most points for dependants"), default=20
    )
    no_income_support_points = models.PositiveSmallIntegerField(
        _("points for no income support"), default=10
    )
    disability_points = models.PositiveSmallIntegerField(_("points for disability"), default=10)
    widow_points = models.PositiveSmallIntegerField(_("points for a widow"), default=10)
    elderly_points = models.PositiveSmallIntegerField(_("points for the elderly"), default=5)
    debt_points = models.PositiveSmallIntegerField(_("points for debts"), default=5)
    renting_points = models.PositiveSmallIntegerField(_("points for renting"), default=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    POINT_FIELDS = [
        "income_threshold",
        "income_points",
        "points_per_dependant",
        "max_dependant_points",
        "no_income_support_points",
        "disability_points",
        "widow_points",
        "elderly_points",
        "debt_points",
        "renting_points",
    ]

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    def values(self) -> RuleValues:
        return RuleValues(**{name: getattr(self, name) for name in self.POINT_FIELDS})


class Committee(models.Model):
    name = models.CharField(_("name"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chaired_committees",
        verbose_name=_("chair"),
    )
    # The chair is a member too (she counts towards the quorum and votes).
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="committees",
        verbose_name=_("members"),
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"),
        null=True,
        blank=True,
        help_text=_("Members present needed for a decision; empty means a majority of members."),
    )
    large_amount = models.DecimalField(
        _("large amount (SAR)"),
        null=True,
        blank=True,
        help_text=_("Approvals above this amount need the larger quorum."),
        **AMOUNT,
    )
    large_amount_quorum = models.PositiveSmallIntegerField(
        _("quorum for large amounts"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        constraints = [
            models.UniqueConstraint(fields=["committee", "user"], name="committee_membership_once")
        ]

    def __str__(self) -> str:
        return f"{self.committee_id}:{self.user_id}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("committee")
    )
    number = models.PositiveIntegerField(_("meeting number"))
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    present = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("members present"),
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # What the minutes said when the meeting closed: closing freezes them.
    minutes = models.JSONField(_("minutes"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="meeting_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.committee} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("committee:meeting", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    support_request = models.ForeignKey(
        "requests_app.SupportRequest",
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("request"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)
    # Deferred by the chair to the next meeting (services.agenda_item_defer): no decision here,
    # the request stays before the committee and its window keeps running.
    deferred_at = models.DateTimeField(_("deferred"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "support_request"], name="agenda_request_once_per_meeting"
            )
        ]
        indexes = [
            # The access rule "a member sees requests on her committee's agenda" looks up by
            # request.
            models.Index(fields=["support_request", "meeting"], name="agenda_by_request"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.support_request_id}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        ABSTAIN = "abstain", _("Abstain")
        RECUSE = "recuse", _("Recuse myself")

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    choice = models.CharField(_("vote"), max_length=16, choices=Choice.choices)
    # An approving member may name the most she approves: the decision cannot approve more.
    amount = models.DecimalField(_("amount (SAR)"), null=True, blank=True, **AMOUNT)
    comment = models.TextField(_("comment"), blank=True)
    cast_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["cast_at", "pk"]
        constraints = [
            # One member, one vote: a second vote replaces the first (services.vote_cast).
            models.UniqueConstraint(fields=["agenda_item", "member"], name="vote_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.choice}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    support_request = models.ForeignKey(
        "requests_app.SupportRequest",
        on_delete=models.PROTECT,
        related_name="committee_decisions",
        verbose_name=_("request"),
    )
    # One decision per agenda item: the database's answer to two chairs clicking at once.
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="decision"
    )
    appeal = models.OneToOneField(
        "Appeal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
        verbose_name=_("appeal"),
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    approved_amount = models.DecimalField(_("approved amount"), null=True, blank=True, **AMOUNT)
    support_type = models.CharField(
        _("support type"), max_length=32, choices=RequestType.choices, blank=True
    )
    rejection_code = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionCode.choices, blank=True
    )
    rejection_reason = models.TextField(_("rejection details"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    # The figures the decision rested on, copied at the time: a later edit of her file never
    # changes the record of why she was approved or rejected.
    snapshot = models.JSONField(_("snapshot"), default=dict)
    tally = models.JSONField(_("votes"), default=dict)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="rejected", approved_amount__isnull=True)
                | Q(outcome="approved", approved_amount__isnull=False),
                name="decision_amount_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.support_request_id}: {self.outcome}"


class Appeal(models.Model):
    """A rejected request appealed once, within 30 days of its rejection."""

    class Via(models.TextChoices):
        STAFF = "staff", _("Staff, on her behalf")
        PORTAL = "portal", _("The portal")

    support_request = models.OneToOneField(
        "requests_app.SupportRequest",
        on_delete=models.PROTECT,
        related_name="appeal",
        verbose_name=_("request"),
    )
    rejection = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="appealed_by", verbose_name=_("decision")
    )
    reason = models.TextField(_("reason"))
    filed_via = models.CharField(_("filed through"), max_length=16, choices=Via.choices)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.support_request_id}: {self.filed_at:%Y-%m-%d}"


class ResearchReport(models.Model):
    class VisitType(models.TextChoices):
        HOME = "home", _("Home visit")
        OFFICE = "office", _("Office interview")
        PHONE = "phone", _("Phone call")

    class Recommendation(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")

    support_request = models.OneToOneField(
        "requests_app.SupportRequest",
        on_delete=models.PROTECT,
        related_name="research_report",
        verbose_name=_("request"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("researcher"),
    )
    visit_type = models.CharField(_("visit"), max_length=16, choices=VisitType.choices)
    visit_date = models.DateField(_("visit date"))
    # What the researcher wrote is stored encrypted (issue 19, wahaj/lib/fields.py).
    household_findings = EncryptedTextField(_("household"), blank=True)
    income_findings = EncryptedTextField(_("income"), blank=True)
    housing_findings = EncryptedTextField(_("housing"), blank=True)
    health_findings = EncryptedTextField(_("health"), blank=True)
    needs = EncryptedTextField(_("needs"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices
    )
    recommended_amount = models.DecimalField(
        _("recommended amount"), null=True, blank=True, **AMOUNT
    )
    recommended_support_type = models.CharField(
        _("support type"), max_length=32, choices=RequestType.choices, blank=True
    )
    # The score as it was computed, with the rule version and the facts it used.
    score = models.PositiveSmallIntegerField(_("eligibility score"))
    score_breakdown = models.JSONField(_("score breakdown"), default=list)
    score_facts = models.JSONField(default=dict)
    scoring_rule = models.ForeignKey(
        ScoringRule, on_delete=models.PROTECT, related_name="reports", verbose_name=_("rule")
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("research report")
        verbose_name_plural = _("research reports")

    def __str__(self) -> str:
        return f"{self.support_request_id}: {self.score}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def breakdown_rows(self) -> list[dict]:
        return breakdown_rows(self.score_breakdown)


# --- A program's cycle before the committee (issue 21) ------------------------------------
class CycleAgendaItem(models.Model):
    """A cycle's whole list on a meeting's agenda: one item, voted and decided as a request."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cycle_items")
    cycle = models.ForeignKey(
        "programs.Cycle",
        on_delete=models.PROTECT,
        related_name="agenda_items",
        verbose_name=_("cycle"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cycle agenda item")
        verbose_name_plural = _("cycle agenda items")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "cycle"], name="agenda_cycle_once_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:cycle {self.cycle_id}"


class CycleVote(models.Model):
    """A member's vote on a cycle (the same choices and rules as on a request)."""

    item = models.ForeignKey(CycleAgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    choice = models.CharField(_("vote"), max_length=16, choices=Vote.Choice.choices)
    comment = models.TextField(_("comment"), blank=True)
    cast_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("cycle vote")
        verbose_name_plural = _("cycle votes")
        ordering = ["cast_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="cycle_vote_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.choice}"


class CycleDecision(models.Model):
    """The committee's decision on a cycle; approving it commits the fund (programs.services)."""

    item = models.OneToOneField(CycleAgendaItem, on_delete=models.PROTECT, related_name="decision")
    cycle = models.ForeignKey(
        "programs.Cycle",
        on_delete=models.PROTECT,
        related_name="committee_decisions",
        verbose_name=_("cycle"),
    )
    outcome = models.CharField(_("decision"), max_length=16, choices=Decision.Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    # The list's figures and the fund's when decided (count, total, balance, left).
    snapshot = models.JSONField(_("snapshot"), default=dict)
    tally = models.JSONField(_("votes"), default=dict)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("cycle decision")
        verbose_name_plural = _("cycle decisions")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"cycle {self.cycle_id}: {self.outcome}"
