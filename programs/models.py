"""Programs, seasonal distributions and budgets (issue 21).

A *fund* holds money (zakat, general donations, a donor's restricted grant); a *program*
(Ramadan food baskets, Eid clothing, rent aid) draws on one or more funds, each with a budget,
and says who is eligible and what she is entitled to; a *cycle* ("Ramadan 1448") turns the
rules into a list — one *entry* per beneficiary considered, in or out with the reason — that
goes to the committee as one agenda item, is approved against the fund, told to her, handed
over or transferred, and reported. In-kind entitlements come out of *stock*.

Only `programs.services` (and `programs.delivery` / `programs.stock` for the delivery part)
assign the balance, state and clock fields; everything else reads them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Category
from requests_app.models import RequestType
from wahaj.lib.fields import EncryptedCharField

MONEY = {"max_digits": 14, "decimal_places": 2}
AMOUNT = {**MONEY, "validators": [MinValueValidator(Decimal(0))]}


class Fund(models.Model):
    """Money the association holds for one purpose.

    `balance` is the money in the fund now (what came in minus what went out); `committed` is
    what approvals have promised and not yet paid; what is *left* to approve is the difference.
    Both are kept by `programs.services` under a row lock, with a FundMovement for each change,
    so the ledger and the figures never disagree.
    """

    class Kind(models.TextChoices):
        ZAKAT = "zakat", _("Zakat")
        GENERAL = "general", _("General donations")
        RESTRICTED = "restricted", _("Restricted grant")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    restriction = models.TextField(
        _("restriction"), blank=True, help_text=_("What the donor allowed the grant to pay for.")
    )
    # The manager's rule for who may receive from this fund: for zakat, the categories that
    # may receive zakat; for a restricted grant, the donor's. Empty: any category (or none).
    allowed_categories = models.JSONField(
        _("categories that may receive from this fund"), default=list, blank=True
    )
    balance = models.DecimalField(_("balance (SAR)"), default=Decimal(0), editable=False, **MONEY)
    committed = models.DecimalField(
        _("committed (SAR)"), default=Decimal(0), editable=False, **MONEY
    )
    spent = models.DecimalField(_("spent (SAR)"), default=Decimal(0), editable=False, **MONEY)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]
        constraints = [
            # The database's own answer to "an approval must never take a fund below zero".
            models.CheckConstraint(condition=Q(balance__gte=0), name="fund_balance_gte_0"),
            models.CheckConstraint(condition=Q(committed__gte=0), name="fund_committed_gte_0"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="fund_spent_gte_0"),
            models.CheckConstraint(
                condition=Q(committed__lte=models.F("balance")), name="fund_committed_lte_balance"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:fund", args=[self.pk])

    @property
    def left(self) -> Decimal:
        """What may still be approved: the balance less what is already promised."""
        return self.balance - self.committed

    def allowed_category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.allowed_categories]


class FundMovement(models.Model):
    """One line of a fund's ledger, written by the service that changed the fund.

    deposit: money came in (balance +). commit: an approval promised money (committed +).
    release: a promise withdrawn — cycle entry not collected, decision undone (committed −).
    spend: money went out against a promise (committed −, balance −, spent +).
    refund: a transfer came back from the bank (balance +, spent −).
    withdrawal: money taken out by the manager with a note (balance −).
    """

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("Deposit")
        COMMIT = "commit", _("Committed")
        RELEASE = "release", _("Released")
        SPEND = "spend", _("Spent")
        REFUND = "refund", _("Returned transfer")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="movements", verbose_name=_("fund")
    )
    kind = models.CharField(_("movement"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount (SAR)"), **AMOUNT)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    committed_after = models.DecimalField(_("committed after"), **MONEY)
    program = models.ForeignKey(
        "Program", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        "Cycle", null=True, blank=True, on_delete=models.PROTECT, related_name="fund_movements"
    )
    cycle_entry = models.ForeignKey(
        "CycleEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_request = models.ForeignKey(
        "requests_app.SupportRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_movements",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fund_movement_amount_gt_0"),
        ]
        indexes = [
            # The fund page's ledger, newest first.
            models.Index(fields=["fund", "-created_at"], name="fund_movement_ledger"),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.kind} {self.amount}"


class Basis(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    PER_MEMBER = "per_member", _("Per household member")


class Program(models.Model):
    """A kind of support given to many, by rules: who is eligible and what she receives."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class RepeatRule(models.TextChoices):
        """What happens to support she already received within the period."""

        FLAG = "flag", _("Flag it to the committee")
        ONCE = "once", _("Once per period: refuse it")

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # A single request of this type draws on this program's funds and its repeat rule
    # (at most one active program per type).
    request_type = models.CharField(
        _("request type it serves"),
        max_length=24,
        choices=RequestType.choices,
        blank=True,
        help_text=_("Single requests of this type draw on this program's funds."),
    )
    funds = models.ManyToManyField(
        Fund, through="ProgramFund", related_name="programs", verbose_name=_("funds")
    )

    # --- Eligibility over her file (empty: no condition) ---
    max_per_capita_income = models.DecimalField(
        _("per-capita monthly income at most (SAR)"), null=True, blank=True, **AMOUNT
    )
    categories = models.JSONField(
        _("categories (any of)"), default=list, blank=True, help_text=_("Empty: any category.")
    )
    cities = models.JSONField(_("cities"), default=list, blank=True)
    min_household_size = models.PositiveSmallIntegerField(
        _("household size at least"), null=True, blank=True
    )
    max_household_size = models.PositiveSmallIntegerField(
        _("household size at most"), null=True, blank=True
    )
    not_served_months = models.PositiveSmallIntegerField(
        _("not served by this program in the last (months)"), null=True, blank=True
    )

    # --- Entitlement: an amount (fixed + per member) and/or items (EntitlementItem) ---
    amount = models.DecimalField(_("amount (SAR)"), default=Decimal(0), **AMOUNT)
    amount_per_member = models.DecimalField(
        _("amount per household member (SAR)"), default=Decimal(0), **AMOUNT
    )

    # --- Repeat support ---
    repeat_period_months = models.PositiveSmallIntegerField(
        _("repeat period (months)"),
        null=True,
        blank=True,
        help_text=_("Support received within this period is flagged to the committee."),
    )
    repeat_rule = models.CharField(
        _("repeat rule"), max_length=8, choices=RepeatRule.choices, default=RepeatRule.FLAG
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_type"],
                condition=Q(status="active") & ~Q(request_type=""),
                name="program_one_active_per_request_type",
            ),
            models.CheckConstraint(
                condition=Q(min_household_size__isnull=True)
                | Q(max_household_size__isnull=True)
                | Q(min_household_size__lte=models.F("max_household_size")),
                name="program_household_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programs:program", args=[self.pk])

    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.categories]


class ProgramFund(models.Model):
    """A fund a program draws on, with the budget it may spend from it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_funds")
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="program_funds", verbose_name=_("fund")
    )
    budget = models.DecimalField(_("budget (SAR)"), **AMOUNT)
    # Committed and spent against this budget (kept with the fund's figures by the services).
    used = models.DecimalField(_("used (SAR)"), default=Decimal(0), editable=False, **MONEY)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("program fund")
        verbose_name_plural = _("program funds")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "fund"], name="program_fund_once"),
            models.CheckConstraint(
                condition=Q(used__gte=0) & Q(used__lte=models.F("budget")),
                name="program_fund_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}:{self.fund_id}"

    @property
    def budget_left(self) -> Decimal:
        return self.budget - self.used


class StockItem(models.Model):
    """A kind of in-kind support kept in the store (a food basket, a school bag)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    unit = models.CharField(_("unit"), max_length=32, default="", blank=True)
    # What one unit costs the fund it is charged to (an in-kind entitlement is paid for).
    unit_value = models.DecimalField(_("value per unit (SAR)"), default=Decimal(0), **AMOUNT)
    on_hand = models.IntegerField(_("in stock"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["name"]
        constraints = [
            # "Refused when stock is short", enforced by the database as well.
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class EntitlementItem(models.Model):
    """Items of a kind a program gives: `quantity` each, or per household member."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="entitlement_items")
    item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default=Basis.FIXED)

    class Meta:
        verbose_name = _("entitlement item")
        verbose_name_plural = _("entitlement items")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "item"], name="entitlement_item_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="entitlement_quantity_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class StockMovement(models.Model):
    """One line of an item's stock card: what came in, what went out."""

    class Kind(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Handed out")
        ADJUST = "adjust", _("Adjustment")

    item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item")
    )
    kind = models.CharField(_("movement"), max_length=8, choices=Kind.choices)
    # Signed: positive in, negative out.
    quantity = models.IntegerField(_("quantity"))
    on_hand_after = models.IntegerField(_("in stock after"))
    cycle = models.ForeignKey(
        "Cycle", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cycle_entry = models.ForeignKey(
        "CycleEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_movement_not_zero"),
        ]
        indexes = [models.Index(fields=["item", "-created_at"], name="stock_movement_card")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.quantity:+d}"


class Cycle(models.Model):
    """One round of a program ("Ramadan 1448"): its list, its approval, its delivery."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LISTED = "listed", _("List generated")
        IN_COMMITTEE = "in_committee", _("Before the committee")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=200)
    # The fund the cycle's approval is charged to (one of the program's funds).
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("fund")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # --- What the SMS tells her (programs.delivery) ---
    delivery_place = models.CharField(_("place of delivery"), max_length=200, blank=True)
    delivery_starts = models.DateTimeField(_("delivery from"), null=True, blank=True)
    delivery_ends = models.DateTimeField(_("delivery until"), null=True, blank=True)
    what_to_bring = models.CharField(
        _("what to bring"), max_length=200, blank=True, help_text=_("E.g. your national ID.")
    )
    # The rules and entitlement the list was generated with, copied then: a later edit of the
    # program never changes a cycle already listed.
    rules = models.JSONField(_("rules"), default=dict, editable=False)
    entitlement = models.JSONField(_("entitlement"), default=dict, editable=False)
    generated_at = models.DateTimeField(_("list generated"), null=True, blank=True, editable=False)
    # Totals over the included entries, kept by the services (the committee and the fund check
    # read them without summing 100,000 rows).
    eligible_count = models.PositiveIntegerField(_("eligible"), default=0, editable=False)
    total_amount = models.DecimalField(
        _("total (SAR)"), default=Decimal(0), editable=False, **MONEY
    )
    submitted_at = models.DateTimeField(
        _("sent to committee"), null=True, blank=True, editable=False
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cycle_name_once_per_program"),
            models.CheckConstraint(
                condition=Q(delivery_starts__isnull=True)
                | Q(delivery_ends__isnull=True)
                | Q(delivery_starts__lte=models.F("delivery_ends")),
                name="cycle_delivery_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("programs:cycle", args=[self.pk])


class TransferBatch(models.Model):
    """A bank bulk-payment file of a cycle's cash entitlements (programs.delivery)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="transfer_batches")
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    entry_count = models.PositiveIntegerField(_("transfers"), default=0)
    total = models.DecimalField(_("total (SAR)"), default=Decimal(0), **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("transfer file")
        verbose_name_plural = _("transfer files")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.reference


class CycleEntry(models.Model):
    """One beneficiary considered by a cycle: in or out with the reasons, then her delivery.

    `reasons` holds the rule codes she failed (out) — or, for an entry that is in, the repeat
    flag's facts under `repeat` (what she received and when) — so the list page shows why.
    """

    class Status(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Not eligible")
        EXCLUDED = "excluded", _("Excluded by staff")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused (once per period)")
        NOTIFIED = "notified", _("Told")
        DELIVERED = "delivered", _("Delivered")
        NOT_COLLECTED = "not_collected", _("Not collected")
        TRANSFER_SENT = "transfer_sent", _("Transfer sent")
        TRANSFER_RETURNED = "transfer_returned", _("Transfer returned")

    # Entries that take part in the cycle's approval and totals.
    INCLUDED = (
        Status.ELIGIBLE,
        Status.APPROVED,
        Status.NOTIFIED,
        Status.DELIVERED,
        Status.NOT_COLLECTED,
        Status.TRANSFER_SENT,
        Status.TRANSFER_RETURNED,
    )
    # Approved and later: the money is committed or spent.
    AFTER_APPROVAL = INCLUDED[1:]

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="entries")
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        on_delete=models.PROTECT,
        related_name="cycle_entries",
        verbose_name=_("beneficiary"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    reasons = models.JSONField(_("reasons"), default=dict, blank=True, editable=False)
    # Her figures when the list was generated.
    city = models.CharField(_("city"), max_length=64, blank=True)
    household_size = models.PositiveSmallIntegerField(_("household size"), default=1)
    per_capita_income = models.DecimalField(_("per-capita income"), default=Decimal(0), **MONEY)
    # Her entitlement: cash and the SAR value charged to the fund (cash + items' value).
    amount = models.DecimalField(_("amount (SAR)"), default=Decimal(0), **MONEY)
    value = models.DecimalField(_("value (SAR)"), default=Decimal(0), **MONEY)
    # Flagged: she received this support within the program's period (facts in reasons).
    repeat_flagged = models.BooleanField(_("received within the period"), default=False)

    excluded_reason = models.TextField(_("reason for exclusion"), blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_at = models.DateTimeField(_("excluded"), null=True, blank=True)

    # --- Delivery (programs.delivery) ---
    # What staff scan or type at handover (printed on her SMS), e.g. "C12-000345".
    reference = models.CharField(_("reference"), max_length=24, blank=True)
    notified_at = models.DateTimeField(_("told"), null=True, blank=True)
    # When her one-time handover code was sent (the code itself: notifications' phone code).
    code_sent_at = models.DateTimeField(
        _("handover code sent"), null=True, blank=True, editable=False
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # How she confirmed: "code", "signature" or "transfer".
    confirmed_by = models.CharField(_("confirmed by"), max_length=16, blank=True)
    signature = models.TextField(_("signature"), blank=True, editable=False)
    transfer_batch = models.ForeignKey(
        TransferBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("transfer file"),
    )
    # The IBAN written into the bank file when it was made (her file's may change later; the
    # file downloaded again and the returns matched against it must not). Set by programs.bank.
    transfer_iban = EncryptedCharField(
        _("IBAN transferred to"), max_length=34, blank=True, editable=False
    )
    transfer_returned_at = models.DateTimeField(_("transfer returned"), null=True, blank=True)
    transfer_return_reason = models.CharField(_("why it came back"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("cycle entry")
        verbose_name_plural = _("cycle entries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "beneficiary"], name="cycle_entry_once"),
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="cycle_entry_reference"
            ),
            models.CheckConstraint(
                condition=~Q(status="excluded") | ~Q(excluded_reason=""),
                name="cycle_entry_excluded_has_reason",
            ),
        ]
        indexes = [
            # The cycle page's list and counts by status.
            models.Index(fields=["cycle", "status"], name="cycle_entry_status"),
            # "Served by this program in the last N months" and the repeat check: her entries.
            models.Index(fields=["beneficiary", "delivered_at"], name="cycle_entry_served"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.beneficiary_id} {self.status}"

    @property
    def is_included(self) -> bool:
        return self.status in self.INCLUDED

    def item_quantities(self) -> list[dict]:
        """Her items from the cycle's entitlement snapshot: name, quantity, item id."""
        rows = []
        for item in self.cycle.entitlement.get("items", []):
            quantity = item["quantity"] * (
                self.household_size if item["basis"] == Basis.PER_MEMBER else 1
            )
            rows.append({"item_id": item["item_id"], "name": item["name"], "quantity": quantity})
        return rows


class RequestFunding(models.Model):
    """Which fund (and program) a single approved request was charged to.

    A request picks its fund through its type: the active program serving that request type,
    the first of its funds (in order) with enough left and whose categories admit her.
    """

    support_request = models.OneToOneField(
        "requests_app.SupportRequest",
        on_delete=models.PROTECT,
        related_name="funding",
        verbose_name=_("request"),
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (SAR)"), **AMOUNT)
    # Open while committed; set when delivered (spent) or released.
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("request funding")
        verbose_name_plural = _("request fundings")

    def __str__(self) -> str:
        return f"{self.support_request_id}: {self.fund_id} {self.amount}"
