"""Support requests (SPEC §3): the request, its reference counter, the declaration she signs and
the staff verification checklist (policy steps 2 and 4).

Only `requests_app.services` assigns `state` and the clock fields; everything else reads them.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wahaj.lib.choices import Channel
from wahaj.lib.functions import DaysBetween


class RequestType(models.TextChoices):
    FINANCIAL_AID = "financial_aid", _("Financial aid")
    FOOD_BASKET = "food_basket", _("Food basket")
    RENT = "rent", _("Rent")
    UTILITY_BILLS = "utility_bills", _("Utility bills")
    MEDICAL = "medical", _("Medical")
    EDUCATION = "education", _("Education")
    FURNITURE = "furniture", _("Furniture and appliances")
    SEASONAL = "seasonal", _("Seasonal (Ramadan, Eid, school)")
    OTHER = "other", _("Other")


class RejectionCode(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Does not meet the support criteria")
    INCOME_ABOVE_THRESHOLD = "income_above_threshold", _("Income above the threshold")
    INCOMPLETE = "incomplete", _("Incomplete data or documents")
    DUPLICATE = "duplicate", _("Already supported for the same need")
    OUTSIDE_AREA = "outside_area", _("Outside the association's area")
    NO_BUDGET = "no_budget", _("No budget for this kind of support")
    OTHER = "other", _("Other")


class ReferenceCounter(models.Model):
    """The last reference number given in a year: `WHJ-<year>-<last_value:06d>`.

    One row per year, locked with SELECT … FOR UPDATE by the submission that takes the next
    number, so that two submissions at the same moment never get the same reference.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


# The days a returned request's clock paused with: its due day minus the day it was returned
# (`days_left` of selectors.support_requests_with_clock, and an index of the staff list).
PAUSED_DAYS_LEFT = DaysBetween(TruncDate("decision_due_at"), TruncDate("paused_at"))


class SupportRequest(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_RESEARCH = "in_research", _("In research")
        IN_COMMITTEE = "in_committee", _("Before the committee")
        RETURNED = "returned", _("Returned for completion")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The states in which the committee's decision window runs (returned pauses it).
    CLOCK_RUNNING = (State.SUBMITTED, State.IN_RESEARCH, State.IN_COMMITTEE)
    # Open: not yet decided, closed or withdrawn.
    OPEN = (State.DRAFT, *CLOCK_RUNNING, State.RETURNED)
    DECIDED = (State.APPROVED, State.REJECTED, State.DELIVERED, State.CLOSED)

    reference = models.CharField(
        _("reference"), max_length=20, unique=True, null=True, blank=True, editable=False
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.PROTECT,
        related_name="support_requests",
        verbose_name=_("beneficiary"),
    )
    request_type = models.CharField(_("type"), max_length=24, choices=RequestType.choices)
    amount_requested = models.DecimalField(
        _("amount requested (SAR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, editable=False
    )
    # None when she entered it herself through the portal (no staff verification applies).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="researched_requests",
        verbose_name=_("researcher"),
    )

    # --- The decision clock (policy step 5) ---
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
    # submitted_at + DECISION_WINDOW_DAYS + every completed pause; moved on resubmit.
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True, editable=False)
    # When the current pause began (state returned); None while the clock runs.
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True, editable=False)
    # Total time spent returned, stored rather than guessed from the timeline.
    paused_total = models.DurationField(_("time paused"), default=timedelta, editable=False)
    return_reason = models.TextField(_("what is missing"), blank=True, editable=False)
    # Set once by the window sweep (requests_app/tasks.py) with a conditional UPDATE, so the
    # managers are told of an overdue request once.
    overdue_flagged_at = models.DateTimeField(
        _("flagged overdue"), null=True, blank=True, editable=False
    )
    # When the window sweep last reminded the researcher / chair (requests_app/window.py). A
    # reminder at d days left is due when this is older than decision_due_at - d days, so a
    # due date moved by a pause asks for the reminders again, with nothing to reset.
    window_reminded_at = models.DateTimeField(
        _("last window reminder"), null=True, blank=True, editable=False
    )

    # --- The decision (recorded by the chair through the committee app) ---
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    approved_amount = models.DecimalField(
        _("approved amount (SAR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    support_type = models.CharField(_("support granted"), max_length=200, blank=True)
    rejection_code = models.CharField(
        _("rejection reason"), max_length=32, choices=RejectionCode.choices, blank=True
    )
    rejection_reason = models.TextField(_("rejection details"), blank=True)

    # --- The service (policy step 7) ---
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, editable=False)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("delivered by"),
    )
    delivered_amount = models.DecimalField(
        _("amount delivered (SAR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    delivery_note = models.TextField(_("what was given"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The staff list and the committee queue: open requests of a state ordered by due
            # date (selectors.support_requests_with_clock, sorted by days left), and the window
            # sweep's "running and due before X" (NOTES.md: 28–43 ms → 10–12 ms on 250k rows).
            models.Index(fields=["state", "decision_due_at"], name="request_state_due"),
            # The list as staff land on it (every open request, by days left): the running
            # requests, by due date, which for them is the days-left order, walked from the
            # first overdue (issue 23; filters.DaysLeftPages merges the returned and drafts).
            # The states are CLOCK_RUNNING's, in its order (the planner matches the list).
            models.Index(
                fields=["decision_due_at", "id"],
                condition=Q(state__in=["submitted", "in_research", "in_committee"]),
                name="request_running_due",
            ),
            # The returned requests of that list by the days left when their clock paused (the
            # due day minus the day paused, as selectors.support_requests_with_clock counts
            # them), and the drafts (no clock) by due date and id: each branch of the merge
            # walks its index instead of sorting all of its state (issue 23).
            models.Index(
                PAUSED_DAYS_LEFT,
                F("decision_due_at"),
                F("id"),
                condition=Q(state="returned"),
                name="request_returned_days_left",
            ),
            models.Index(
                fields=["decision_due_at", "id"],
                condition=Q(state="draft"),
                name="request_draft_due",
            ),
            # Requests back from her after a return, waiting again (selectors.RESUBMITTED, a
            # line of the intake and researcher home queues): counted and listed by due date
            # from this index, not by reading every submitted request's paused time.
            models.Index(
                fields=["decision_due_at", "id"],
                condition=Q(state="submitted", paused_total__gt=timedelta(0)),
                name="request_resubmitted",
            ),
            # The count of that list and of a state's list, and the researcher's home queue
            # (a state's requests, hers or nobody's): the open rows alone, a short key each,
            # counted without reading the table (~40 % faster than over `request_state_due`
            # on 20,000 open requests; her lines 15 → 1 ms).
            models.Index(
                fields=["state", "researcher"],
                condition=Q(
                    state__in=["draft", "submitted", "in_research", "in_committee", "returned"]
                ),
                name="request_open_state",
            ),
            # Her file page: a beneficiary's requests, newest first.
            models.Index(fields=["beneficiary", "-created_at"], name="request_beneficiary"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "withdrawn"])
                | Q(reference__isnull=False, submitted_at__isnull=False),
                name="request_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gte=0),
                name="request_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | Q(paused_at__isnull=False),
                name="request_returned_is_paused",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft request %(pk)s") % {"pk": self.pk}

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("requests_app:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @property
    def entered_by_beneficiary(self) -> bool:
        return self.created_by_id is None

    @property
    def support_type_label(self) -> str:
        """The support granted as people read it: the committee grants one of the request types
        (stored as its code, `rent`), older decisions may hold free text."""
        if self.support_type in RequestType.values:
            return str(RequestType(self.support_type).label)
        return self.support_type

    @property
    def window_met(self) -> bool | None:
        """Decided (approved or rejected) before the decision was due; None until decided."""
        if self.decided_at is None or self.decision_due_at is None:
            return None
        return self.decided_at <= self.decision_due_at


# The Arabic text she signs (policy step 4), stored with each signature as it was signed.
DECLARATION_TEXT_AR = (
    "أقرّ أنا الموقّعة أدناه بأن جميع البيانات والمعلومات والمستندات التي قدّمتها في هذا الطلب "
    "صحيحة وكاملة، وأنني مسؤولة مسؤولية مباشرة عن صحتها، وأتعهد بإبلاغ الجمعية بأي تغيير يطرأ "
    "عليها، وأعلم أن للجمعية التحقق منها، وأن تقديم بيانات غير صحيحة يترتب عليه إلغاء الطلب."
)


class Declaration(models.Model):
    """Her signed statement that the data of this request is true (policy step 4)."""

    class SignedVia(models.TextChoices):
        STAFF = "staff", _("In person, witnessed by staff")
        PORTAL = "portal", _("Through the portal")

    support_request = models.OneToOneField(
        SupportRequest,
        on_delete=models.CASCADE,
        related_name="declaration",
        verbose_name=_("support request"),
    )
    text = models.TextField(_("declaration text"))
    signed_name = models.CharField(_("her typed name"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"))
    signed_via = models.CharField(_("signed"), max_length=8, choices=SignedVia.choices)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff witness"),
    )

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_via="portal") | Q(witness__isnull=False),
                name="declaration_staff_has_witness",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signed_name} · {self.signed_at:%Y-%m-%d}"


class VerificationItem(models.TextChoices):
    """Policy step 2: each datum matched against its document at the time of submission."""

    IDENTITY = "identity", _("Her name, national ID and date of birth match her ID card")
    HOUSEHOLD = "household", _("The household members match the family card")
    INCOME = "income", _("The income matches the social-security or pension statement")
    HOUSING = "housing", _("The address and housing match the lease, deed or bill")
    IBAN = "iban", _("The IBAN matches the bank letter and is in her name")
    CONTACT = "contact", _("Her mobile number was confirmed with her")
    DOCUMENTS_VALID = "documents_valid", _("The documents are originals and valid today")


class VerificationCheck(models.Model):
    """One datum of the checklist, ticked by a member of staff."""

    support_request = models.ForeignKey(
        SupportRequest,
        on_delete=models.CASCADE,
        related_name="verification_checks",
        verbose_name=_("support request"),
    )
    item = models.CharField(_("item"), max_length=24, choices=VerificationItem.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("verification check")
        verbose_name_plural = _("verification checks")
        constraints = [
            models.UniqueConstraint(
                fields=["support_request", "item"], name="verification_one_per_item"
            ),
        ]

    def __str__(self) -> str:
        return self.get_item_display()


# The documents a request of each type needs on her file, valid on the day it is submitted
# (beneficiaries.models.Document.DocType values). Every request needs her ID and family card.
_BASE_DOCUMENTS = ("national_id", "family_card")
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    RequestType.FINANCIAL_AID: (*_BASE_DOCUMENTS, "statement", "iban_letter"),
    RequestType.FOOD_BASKET: (*_BASE_DOCUMENTS, "statement"),
    RequestType.RENT: (*_BASE_DOCUMENTS, "statement", "housing", "iban_letter"),
    RequestType.UTILITY_BILLS: (*_BASE_DOCUMENTS, "statement", "housing"),
    RequestType.MEDICAL: (*_BASE_DOCUMENTS, "medical_report"),
    RequestType.EDUCATION: (*_BASE_DOCUMENTS, "school_letter"),
    RequestType.FURNITURE: (*_BASE_DOCUMENTS, "statement", "housing"),
    RequestType.SEASONAL: (*_BASE_DOCUMENTS, "statement"),
    RequestType.OTHER: _BASE_DOCUMENTS,
}
# Types paid by bank transfer: her IBAN must be on file.
PAID_BY_TRANSFER = (RequestType.FINANCIAL_AID, RequestType.RENT)


class HomeVisit(models.Model):
    """A home visit the researcher schedules for a request's social research (policy step 3).

    The address is copied from her file when the visit is scheduled, so the researcher reads
    where she went even if the file changes later. `reminded_at` is set once by the reminder
    job (requests_app.services.home_visit_reminders_send) the day before.
    """

    support_request = models.ForeignKey(
        SupportRequest,
        on_delete=models.CASCADE,
        related_name="home_visits",
        verbose_name=_("support request"),
    )
    researcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("researcher"),
    )
    date = models.DateField(_("visit date"))
    window_start = models.TimeField(_("from"))
    window_end = models.TimeField(_("to"))
    address = models.TextField(_("address"))
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now, editable=False)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["date", "window_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="home_visit_window_ends_after_start",
            ),
        ]
        indexes = [
            # The researcher's week and her home queue: her visits between two dates.
            models.Index(fields=["researcher", "date"], name="home_visit_researcher_date"),
            # The reminder job: visits of one day not yet reminded.
            models.Index(
                fields=["date"],
                condition=Q(reminded_at__isnull=True),
                name="home_visit_to_remind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.window}"

    @property
    def window(self) -> str:
        """`10:00–12:00`: shown as one left-to-right run (`{% ltr %}`) in Arabic pages too."""
        return f"{self.window_start:%H:%M}–{self.window_end:%H:%M}"
