"""Every write of the programs app: funds and their ledger, programs, cycles, request funding.

Each function is atomic, locks what it changes, refuses with a ProgramError whose message is
one of the constants below (with the figures filled in), and records one audit event. The
delivery part (SMS, handover, transfer files, stock) lives in programs.delivery and
programs.stock and moves money only through fund_spend / fund_release / fund_refund here.

Locking order, everywhere: cycle → program fund → fund (so two approvals never deadlock).
"""

import json
from datetime import datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import event_record
from requests_app.models import SupportRequest

from . import eligibility
from .models import (
    Basis,
    Cycle,
    CycleEntry,
    EntitlementItem,
    Fund,
    FundMovement,
    Program,
    ProgramFund,
    RequestFunding,
    StockItem,
)
from .selectors import repeat_support_for_request

ZERO = Decimal("0.00")

FUND_SHORT = _(
    "The fund “%(fund)s” has %(left)s SAR left (balance %(balance)s SAR, committed "
    "%(committed)s SAR); this approval needs %(amount)s SAR."
)
BUDGET_SHORT = _(
    "The program's budget from the fund “%(fund)s” has %(left)s SAR left; this approval "
    "needs %(amount)s SAR."
)
NO_FUND_FOR_HER = _(
    "None of the program's funds may pay for her: “%(fund)s” is only for %(categories)s."
)
AMOUNT_POSITIVE = _("The amount must be more than zero.")
WITHDRAWAL_ABOVE_FREE = _(
    "The fund “%(fund)s” has %(left)s SAR not committed; the withdrawal is %(amount)s SAR."
)
REPEAT_REFUSED = _(
    "She already received %(what)s on %(when)s, within the program's period of %(months)s "
    "months: this program gives it once per period."
)
FUND_NOT_OF_PROGRAM = _("The cycle's fund must be one of the program's funds.")
PROGRAM_NOT_ACTIVE = _("Only an active program can run a cycle.")
CYCLE_NOT_EDITABLE = _("The list can change only before the cycle goes to the committee.")
CYCLE_NOT_LISTED = _("Generate the list before sending the cycle to the committee.")
CYCLE_EMPTY = _("No one is on the list: there is nothing to approve.")
CYCLE_NOT_IN_COMMITTEE = _("Only a cycle before the committee can be decided.")
EXCLUDE_NEEDS_REASON = _("Say why she is excluded.")
ENTRY_NOT_ELIGIBLE = _("Only an eligible entry can be excluded.")
ENTRY_NOT_EXCLUDED = _("Only an excluded entry can be put back on the list.")
CYCLE_NOT_APPROVED = _("Only an approved cycle can be closed.")


class ProgramError(Exception):
    """A refused program or fund operation; `message` is translated and filled in."""

    def __init__(self, message, **params) -> None:
        self.message = str(message) % params if params else str(message)
        super().__init__(self.message)


def _plain(extra: dict) -> dict:
    return json.loads(DjangoJSONEncoder().encode(extra))


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _create(model, *, actor, verb: str, fields: dict):
    """A new row made by `actor`, and its audit event listing the fields it was given."""
    obj = model.objects.create(created_by=actor, **fields)
    event_record(
        actor=actor,
        subject=obj,
        verb=verb,
        extra=_plain({"fields": fields}),
    )
    return obj


def _update(obj, *, actor, verb: str, fields: dict):
    """Set on the locked `obj` the fields whose value differs, save only those and record their
    old and new values; nothing is saved or recorded when nothing changes."""
    changed = {k: v for k, v in fields.items() if getattr(obj, k) != v}
    if not changed:
        return obj
    old = {k: getattr(obj, k) for k in changed}
    for name, value in changed.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changed))
    event_record(
        actor=actor,
        subject=obj,
        verb=verb,
        extra=_plain({"old": old, "new": changed}),
    )
    return obj


# --- Funds -----------------------------------------------------------------------------------
FUND_FIELDS = ["name", "kind", "donor", "restriction", "allowed_categories", "is_active"]


@transaction.atomic
def fund_create(*, actor, **fields) -> Fund:
    """A new fund with a zero balance (money comes in with fund_deposit)."""
    return _create(Fund, actor=actor, verb="fund_create", fields=fields)


@transaction.atomic
def fund_update(*, actor, fund: Fund, **fields) -> Fund:
    """Its name, donor, restriction and the categories it may pay for (never its figures)."""
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    return _update(fund, actor=actor, verb="fund_update", fields=fields)


def _move(
    *,
    actor,
    fund: Fund,
    kind: str,
    amount: Decimal,
    program: Program | None = None,
    program_fund_delta: Decimal = ZERO,
    cycle: Cycle | None = None,
    cycle_entry: CycleEntry | None = None,
    support_request: SupportRequest | None = None,
    note: str = "",
) -> FundMovement:
    """Apply one movement to a locked fund (and its program budget), write the ledger line and
    the audit event. The caller has checked what may be refused with a message."""
    if amount <= 0:
        raise ProgramError(AMOUNT_POSITIVE)
    Kind = FundMovement.Kind
    if kind == Kind.DEPOSIT:
        fund.balance += amount
    elif kind == Kind.WITHDRAWAL:
        fund.balance -= amount
    elif kind == Kind.COMMIT:
        fund.committed += amount
    elif kind == Kind.RELEASE:
        fund.committed -= amount
    elif kind == Kind.SPEND:
        fund.committed -= amount
        fund.balance -= amount
        fund.spent += amount
    elif kind == Kind.REFUND:
        fund.balance += amount
        fund.spent -= amount
    fund.save(update_fields=["balance", "committed", "spent"])
    if program is not None and program_fund_delta:
        pf = ProgramFund.objects.select_for_update().get(program=program, fund=fund)
        pf.used += program_fund_delta
        pf.save(update_fields=["used"])
    movement = FundMovement.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        balance_after=fund.balance,
        committed_after=fund.committed,
        program=program,
        cycle=cycle,
        cycle_entry=cycle_entry,
        support_request=support_request,
        note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_record(
        actor=actor,
        subject=fund,
        verb=f"fund_{kind}",
        note=note,
        extra=_plain(
            {
                "amount": amount,
                "balance": fund.balance,
                "committed": fund.committed,
                "movement": movement.pk,
                "program": program.pk if program else None,
                "cycle": cycle.pk if cycle else None,
                "request": support_request.reference if support_request else None,
            }
        ),
    )
    return movement


def _locked_fund(fund: Fund) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund.pk)


@transaction.atomic
def fund_deposit(*, actor, fund: Fund, amount: Decimal, note: str = "") -> FundMovement:
    """Money came in (a donation, zakat collected, a grant's instalment)."""
    return _move(actor=actor, fund=_locked_fund(fund), kind="deposit", amount=amount, note=note)


@transaction.atomic
def fund_withdraw(*, actor, fund: Fund, amount: Decimal, note: str = "") -> FundMovement:
    """Money taken out by the manager; never what is already promised."""
    fund = _locked_fund(fund)
    if amount > fund.left:
        raise ProgramError(
            WITHDRAWAL_ABOVE_FREE, fund=fund.name, left=_money(fund.left), amount=_money(amount)
        )
    return _move(actor=actor, fund=fund, kind="withdrawal", amount=amount, note=note)


def _check_covers(fund: Fund, pf: ProgramFund | None, amount: Decimal) -> None:
    """Refuse, with the figures, an approval the fund or the program's budget cannot cover."""
    if amount > fund.left:
        raise ProgramError(
            FUND_SHORT,
            fund=fund.name,
            left=_money(fund.left),
            balance=_money(fund.balance),
            committed=_money(fund.committed),
            amount=_money(amount),
        )
    if pf is not None and amount > pf.budget_left:
        raise ProgramError(
            BUDGET_SHORT, fund=fund.name, left=_money(pf.budget_left), amount=_money(amount)
        )


def fund_spend(
    *,
    actor,
    fund: Fund,
    amount: Decimal,
    program=None,
    cycle=None,
    cycle_entry=None,
    support_request=None,
    note: str = "",
) -> FundMovement:
    """A promise paid: committed and balance go down by `amount` (delivery, transfer sent)."""
    with transaction.atomic():
        return _move(
            actor=actor,
            fund=_locked_fund(fund),
            kind="spend",
            amount=amount,
            program=program,
            cycle=cycle,
            cycle_entry=cycle_entry,
            support_request=support_request,
            note=note,
        )


def fund_release(
    *,
    actor,
    fund: Fund,
    amount: Decimal,
    program=None,
    cycle=None,
    cycle_entry=None,
    support_request=None,
    note: str = "",
) -> FundMovement:
    """A promise withdrawn (not collected, request withdrawn): the money is free again, and
    the program's budget gets it back."""
    with transaction.atomic():
        return _move(
            actor=actor,
            fund=_locked_fund(fund),
            kind="release",
            amount=amount,
            program=program,
            program_fund_delta=-amount if program else ZERO,
            cycle=cycle,
            cycle_entry=cycle_entry,
            support_request=support_request,
            note=note,
        )


def fund_refund(
    *,
    actor,
    fund: Fund,
    amount: Decimal,
    program=None,
    cycle=None,
    cycle_entry=None,
    support_request=None,
    note: str = "",
) -> FundMovement:
    """A transfer came back from the bank: the money is in the fund again, free, and the
    program's budget gets it back."""
    with transaction.atomic():
        return _move(
            actor=actor,
            fund=_locked_fund(fund),
            kind="refund",
            amount=amount,
            program=program,
            program_fund_delta=-amount if program else ZERO,
            cycle=cycle,
            cycle_entry=cycle_entry,
            support_request=support_request,
            note=note,
        )


# --- Programs --------------------------------------------------------------------------------
PROGRAM_FIELDS = [
    "name",
    "description",
    "status",
    "request_type",
    "max_per_capita_income",
    "categories",
    "cities",
    "min_household_size",
    "max_household_size",
    "not_served_months",
    "amount",
    "amount_per_member",
    "repeat_period_months",
    "repeat_rule",
]


@transaction.atomic
def program_create(*, actor, **fields) -> Program:
    return _create(Program, actor=actor, verb="program_create", fields=fields)


@transaction.atomic
def program_update(*, actor, program: Program, **fields) -> Program:
    """The rules and entitlement; cycles already listed keep the copy they were listed with."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    return _update(program, actor=actor, verb="program_update", fields=fields)


@transaction.atomic
def program_fund_set(
    *, actor, program: Program, fund: Fund, budget: Decimal, position: int = 0
) -> ProgramFund:
    """Give the program a budget from a fund (or change it; never below what it used)."""
    pf, created = ProgramFund.objects.select_for_update().get_or_create(
        program=program, fund=fund, defaults={"budget": budget, "position": position}
    )
    old = None if created else str(pf.budget)
    if not created:
        if budget < pf.used:
            raise ProgramError(
                BUDGET_SHORT,
                fund=fund.name,
                left=_money(pf.budget - pf.used),
                amount=_money(budget),
            )
        pf.budget, pf.position = budget, position
        pf.save(update_fields=["budget", "position"])
    event_record(
        actor=actor,
        subject=program,
        verb="program_fund_set",
        extra=_plain({"fund": fund.pk, "old_budget": old, "budget": budget}),
    )
    return pf


@transaction.atomic
def entitlement_item_set(
    *, actor, program: Program, item: StockItem, quantity: int, basis: str = Basis.FIXED
) -> EntitlementItem:
    """Items of a kind the program gives (quantity 0 removes the item)."""
    existing = EntitlementItem.objects.filter(program=program, item=item).first()
    if quantity <= 0:
        if existing:
            existing.delete()
        entitlement = existing
    elif existing:
        existing.quantity, existing.basis = quantity, basis
        existing.save(update_fields=["quantity", "basis"])
        entitlement = existing
    else:
        entitlement = EntitlementItem.objects.create(
            program=program, item=item, quantity=quantity, basis=basis
        )
    event_record(
        actor=actor,
        subject=program,
        verb="program_items_set",
        extra={"item": item.pk, "quantity": quantity, "basis": basis},
    )
    return entitlement


@transaction.atomic
def stock_item_create(*, actor, name: str, unit: str = "", unit_value: Decimal = ZERO) -> StockItem:
    item = StockItem.objects.create(name=name, unit=unit, unit_value=unit_value)
    event_record(
        actor=actor,
        subject=item,
        verb="stock_item_create",
        extra=_plain({"name": name, "unit_value": unit_value}),
    )
    return item


# --- Cycles ----------------------------------------------------------------------------------
@transaction.atomic
def cycle_create(
    *,
    actor,
    program: Program,
    name: str,
    fund: Fund,
    delivery_place: str = "",
    delivery_starts: datetime | None = None,
    delivery_ends: datetime | None = None,
    what_to_bring: str = "",
) -> Cycle:
    if program.status != Program.Status.ACTIVE:
        raise ProgramError(PROGRAM_NOT_ACTIVE)
    if not ProgramFund.objects.filter(program=program, fund=fund).exists():
        raise ProgramError(FUND_NOT_OF_PROGRAM)
    cycle = Cycle.objects.create(
        program=program,
        name=name,
        fund=fund,
        delivery_place=delivery_place,
        delivery_starts=delivery_starts,
        delivery_ends=delivery_ends,
        what_to_bring=what_to_bring,
        created_by=actor,
    )
    event_record(
        actor=actor,
        subject=cycle,
        verb="cycle_create",
        new_state=cycle.status,
        extra={"program": program.pk, "fund": fund.pk},
    )
    return cycle


CYCLE_DELIVERY_FIELDS = ["delivery_place", "delivery_starts", "delivery_ends", "what_to_bring"]


@transaction.atomic
def cycle_update(*, actor, cycle: Cycle, **fields) -> Cycle:
    """Where, when and what to bring (what her SMS says); her list is not touched."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    delivery = {k: v for k, v in fields.items() if k in CYCLE_DELIVERY_FIELDS}
    return _update(cycle, actor=actor, verb="cycle_update", fields=delivery)


def _locked_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("program", "fund").get(pk=cycle.pk)


def cycle_totals_refresh(cycle: Cycle) -> Cycle:
    """Count and sum the included entries (one aggregate) onto the locked cycle."""
    totals = cycle.entries.filter(status__in=CycleEntry.INCLUDED).aggregate(
        count=Count("pk"), total=Coalesce(Sum("value"), ZERO)
    )
    cycle.eligible_count = totals["count"]
    cycle.total_amount = Decimal(totals["total"]).quantize(ZERO)
    cycle.save(update_fields=["eligible_count", "total_amount"])
    return cycle


@transaction.atomic
def cycle_generate(*, actor, cycle: Cycle) -> Cycle:
    """draft | listed → listed: every beneficiary considered, in or out with the reasons.

    The rules and the entitlement are copied onto the cycle, the old list is replaced, and
    the new one is written in one streaming statement (programs.eligibility).
    """
    cycle = _locked_cycle(cycle)
    if cycle.status not in (Cycle.Status.DRAFT, Cycle.Status.LISTED):
        raise ProgramError(CYCLE_NOT_EDITABLE)
    old_status = cycle.status
    cycle.entries.all().delete()
    cycle.rules = eligibility.rules_of(cycle.program, cycle.fund)
    cycle.entitlement = eligibility.entitlement_of(cycle.program)
    counts = eligibility.generate(cycle)
    cycle.status = Cycle.Status.LISTED
    cycle.generated_at = timezone.now()
    cycle.save(update_fields=["rules", "entitlement", "status", "generated_at"])
    cycle_totals_refresh(cycle)
    event_record(
        actor=actor,
        subject=cycle,
        verb="cycle_generate",
        old_state=old_status,
        new_state=cycle.status,
        extra=_plain({**counts, "total": cycle.total_amount}),
    )
    return cycle


def _locked_entry(entry: CycleEntry) -> tuple[Cycle, CycleEntry]:
    cycle = _locked_cycle(entry.cycle)
    entry = CycleEntry.objects.select_for_update().get(pk=entry.pk)
    if cycle.status != Cycle.Status.LISTED:
        raise ProgramError(CYCLE_NOT_EDITABLE)
    return cycle, entry


@transaction.atomic
def cycle_entry_exclude(*, actor, entry: CycleEntry, reason: str) -> CycleEntry:
    """Staff take an eligible woman off the list, saying why (kept on the entry and audited)."""
    reason = reason.strip()
    if not reason:
        raise ProgramError(EXCLUDE_NEEDS_REASON)
    cycle, entry = _locked_entry(entry)
    if entry.status != CycleEntry.Status.ELIGIBLE:
        raise ProgramError(ENTRY_NOT_ELIGIBLE)
    return _entry_status_set(
        actor=actor,
        cycle=cycle,
        entry=entry,
        status=CycleEntry.Status.EXCLUDED,
        exclusion=(reason, actor, timezone.now()),
        verb="cycle_entry_exclude",
        note=reason,
    )


@transaction.atomic
def cycle_entry_include(*, actor, entry: CycleEntry, note: str = "") -> CycleEntry:
    """Undo an exclusion while the list can still change."""
    cycle, entry = _locked_entry(entry)
    if entry.status != CycleEntry.Status.EXCLUDED:
        raise ProgramError(ENTRY_NOT_EXCLUDED)
    return _entry_status_set(
        actor=actor,
        cycle=cycle,
        entry=entry,
        status=CycleEntry.Status.ELIGIBLE,
        exclusion=("", None, None),
        verb="cycle_entry_include",
        note=note,
    )


def _entry_status_set(
    *, actor, cycle: Cycle, entry: CycleEntry, status: str, exclusion: tuple, verb: str, note: str
) -> CycleEntry:
    """Save the locked entry's new status and its exclusion (reason, by whom, when), refresh the
    cycle's totals and record the move."""
    old_status = entry.status
    entry.status = status
    entry.excluded_reason, entry.excluded_by, entry.excluded_at = exclusion
    entry.updated_at = timezone.now()
    entry.save(
        update_fields=["status", "excluded_reason", "excluded_by", "excluded_at", "updated_at"]
    )
    cycle_totals_refresh(cycle)
    event_record(
        actor=actor,
        subject=entry,
        verb=verb,
        old_state=old_status,
        new_state=status,
        note=note,
        extra={"cycle": cycle.pk},
    )
    return entry


@transaction.atomic
def cycle_send_to_committee(*, actor, cycle: Cycle) -> Cycle:
    """listed → in_committee: the list is frozen; the chair puts it on a meeting's agenda."""
    cycle = _locked_cycle(cycle)
    if cycle.status != Cycle.Status.LISTED:
        raise ProgramError(CYCLE_NOT_LISTED)
    if not cycle.entries.filter(status=CycleEntry.Status.ELIGIBLE).exists():
        raise ProgramError(CYCLE_EMPTY)
    cycle.status = Cycle.Status.IN_COMMITTEE
    cycle.submitted_at = timezone.now()
    cycle.save(update_fields=["status", "submitted_at"])
    event_record(
        actor=actor,
        subject=cycle,
        verb="cycle_send_to_committee",
        old_state=Cycle.Status.LISTED,
        new_state=cycle.status,
        extra=_plain({"eligible": cycle.eligible_count, "total": cycle.total_amount}),
    )
    return cycle


def cycle_approval_needs(cycle: Cycle) -> dict:
    """What an approval would commit: the entries approved (repeats refused under "once")."""
    entries = cycle.entries.filter(status=CycleEntry.Status.ELIGIBLE)
    if cycle.program.repeat_rule == Program.RepeatRule.ONCE:
        refused = entries.filter(repeat_flagged=True)
        entries = entries.filter(repeat_flagged=False)
    else:
        refused = entries.none()
    totals = entries.aggregate(count=Count("pk"), total=Coalesce(Sum("value"), ZERO))
    return {
        "count": totals["count"],
        "total": Decimal(totals["total"]).quantize(ZERO),
        "refused": refused.count(),
        "flagged": cycle.entries.filter(
            status=CycleEntry.Status.ELIGIBLE, repeat_flagged=True
        ).count(),
    }


def cycle_fund_check(cycle: Cycle) -> None:
    """Raise the translated refusal (with the balance) if the fund cannot cover the cycle."""
    needs = cycle_approval_needs(cycle)
    pf = ProgramFund.objects.filter(program=cycle.program, fund=cycle.fund).first()
    _check_covers(cycle.fund, pf, needs["total"])


@transaction.atomic
def cycle_decide(
    *, actor, cycle: Cycle, outcome: str, note: str = "", extra: dict | None = None
) -> Cycle:
    """in_committee → approved | rejected, called by the committee's decision service.

    Approval: refused when the fund (or the program's budget from it) cannot cover the
    entries approved; entries flagged as repeat support are refused under a "once per period"
    rule; each approved entry gets her handover reference; the fund is committed.
    """
    cycle = _locked_cycle(cycle)
    if cycle.status != Cycle.Status.IN_COMMITTEE:
        raise ProgramError(CYCLE_NOT_IN_COMMITTEE)
    now = timezone.now()
    extra = dict(extra or {})
    if outcome == Cycle.Status.APPROVED:
        pf = ProgramFund.objects.select_for_update().get(program=cycle.program, fund=cycle.fund)
        fund = _locked_fund(cycle.fund)
        needs = cycle_approval_needs(cycle)
        _check_covers(fund, pf, needs["total"])
        eligible = cycle.entries.filter(status=CycleEntry.Status.ELIGIBLE)
        if cycle.program.repeat_rule == Program.RepeatRule.ONCE:
            eligible.filter(repeat_flagged=True).update(
                status=CycleEntry.Status.REFUSED, updated_at=now
            )
        eligibility.approve_entries(cycle, now)
        # Her SMS is queued after commit, in chunks (programs.delivery, h7's part).
        from . import delivery

        delivery.cycle_notify_schedule(cycle=cycle)
        if needs["total"] > 0:
            _move(
                actor=actor,
                fund=fund,
                kind="commit",
                amount=needs["total"],
                program=cycle.program,
                program_fund_delta=needs["total"],
                cycle=cycle,
                note=str(cycle),
            )
        extra.update(needs)
    elif outcome != Cycle.Status.REJECTED:
        raise ProgramError(CYCLE_NOT_IN_COMMITTEE)
    cycle.status = outcome
    cycle.decided_at, cycle.decided_by = now, actor
    cycle.save(update_fields=["status", "decided_at", "decided_by"])
    cycle_totals_refresh(cycle)
    event_record(
        actor=actor,
        subject=cycle,
        verb="cycle_decide",
        old_state=Cycle.Status.IN_COMMITTEE,
        new_state=outcome,
        note=note,
        extra=_plain(extra),
    )
    return cycle


@transaction.atomic
def cycle_close(*, actor, cycle: Cycle) -> Cycle:
    """approved → closed: what was approved and never collected is released to the fund."""
    cycle = _locked_cycle(cycle)
    if cycle.status != Cycle.Status.APPROVED:
        raise ProgramError(CYCLE_NOT_APPROVED)
    pending = cycle.entries.filter(
        status__in=[CycleEntry.Status.APPROVED, CycleEntry.Status.NOTIFIED]
    )
    unspent = Decimal(pending.aggregate(total=Coalesce(Sum("value"), ZERO))["total"]).quantize(ZERO)
    count = pending.update(status=CycleEntry.Status.NOT_COLLECTED, updated_at=timezone.now())
    if unspent > 0:
        fund_release(
            actor=actor,
            fund=cycle.fund,
            amount=unspent,
            program=cycle.program,
            cycle=cycle,
            note=str(cycle),
        )
    cycle.status = Cycle.Status.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at"])
    event_record(
        actor=actor,
        subject=cycle,
        verb="cycle_close",
        old_state=Cycle.Status.APPROVED,
        new_state=cycle.status,
        extra=_plain({"not_collected": count, "released": unspent}),
    )
    return cycle


# --- Single requests -------------------------------------------------------------------------
def program_for_request_type(request_type: str) -> Program | None:
    """The active program serving this request type (at most one: a database constraint)."""
    return Program.objects.filter(status=Program.Status.ACTIVE, request_type=request_type).first()


def request_repeat_check(support_request: SupportRequest) -> None:
    """Refuse, saying what and when, support she already received within a "once" period."""
    program = program_for_request_type(support_request.request_type)
    if program is None or program.repeat_rule != Program.RepeatRule.ONCE:
        return
    received = repeat_support_for_request(support_request)
    if received:
        last = received[0]
        raise ProgramError(
            REPEAT_REFUSED,
            what=last["what"],
            when=last["when"].date().isoformat(),
            months=program.repeat_period_months,
        )


def request_funding_commit(
    *, actor, support_request: SupportRequest, amount: Decimal | None
) -> RequestFunding | None:
    """Charge an approval to a fund, or refuse it (called by the committee's decision).

    How a single request picks its fund: its type → the active program serving that type →
    the first of that program's funds (in their order) whose categories admit her and whose
    balance and budget cover the amount. No program for the type, or no amount: nothing to
    charge (None). Every fund short: refused with the first fund's balance in the message.
    """
    request_repeat_check(support_request)
    program = program_for_request_type(support_request.request_type)
    if program is None or not amount:
        return None
    categories = set(support_request.beneficiary.categories.values_list("category", flat=True))
    refusal = None
    for candidate in ProgramFund.objects.filter(program=program).order_by("position", "pk"):
        pf = ProgramFund.objects.select_for_update().select_related("fund").get(pk=candidate.pk)
        fund = _locked_fund(pf.fund)
        if fund.allowed_categories and not categories & set(fund.allowed_categories):
            refusal = refusal or ProgramError(
                NO_FUND_FOR_HER,
                fund=fund.name,
                categories="، ".join(fund.allowed_category_labels()),
            )
            continue
        try:
            _check_covers(fund, pf, amount)
        except ProgramError as error:
            refusal = refusal or error
            continue
        funding = RequestFunding.objects.create(
            support_request=support_request, program=program, fund=fund, amount=amount
        )
        _move(
            actor=actor,
            fund=fund,
            kind="commit",
            amount=amount,
            program=program,
            program_fund_delta=amount,
            support_request=support_request,
            note=support_request.reference or "",
        )
        return funding
    raise refusal or ProgramError(
        FUND_SHORT,
        fund=program.name,
        left="0.00",
        balance="0.00",
        committed="0.00",
        amount=_money(amount),
    )


@transaction.atomic
def request_funding_settle(*, actor, support_request: SupportRequest, delivered: bool) -> None:
    """Her request delivered (the money spent) or ended without delivery (released)."""
    funding = (
        RequestFunding.objects.select_for_update()
        .filter(support_request=support_request, settled_at__isnull=True)
        .select_related("fund", "program")
        .first()
    )
    if funding is None:
        return
    amount = funding.amount
    if delivered:
        spent = support_request.delivered_amount
        if spent is not None and spent < amount:
            fund_release(
                actor=actor,
                fund=funding.fund,
                amount=amount - spent,
                program=funding.program,
                support_request=support_request,
                note=support_request.reference or "",
            )
            amount = spent
        if amount > 0:
            fund_spend(
                actor=actor,
                fund=funding.fund,
                amount=amount,
                program=funding.program,
                support_request=support_request,
                note=support_request.reference or "",
            )
    else:
        fund_release(
            actor=actor,
            fund=funding.fund,
            amount=amount,
            program=funding.program,
            support_request=support_request,
            note=support_request.reference or "",
        )
    funding.settled_at = timezone.now()
    funding.save(update_fields=["settled_at"])
