"""Delivery of an approved cycle (issue 21, part 3): telling each woman, handing over, and what
was not collected. Bank transfers are in programs.bank, the store in programs.stock; money
moves only through programs.services (fund_spend / fund_release / fund_refund).

Telling her (`cycle_notify`): the approved entries go in chunks; each chunk is one transaction
that writes the outbox rows (`messages_queue_to_them`: her channel, her language, her consent)
*and* marks the entries `notified`. A worker killed half way leaves whole chunks done and whole
chunks not: the next run (the beat sweep, every minute) takes only entries still `approved`,
and each row's idempotency key (`cycle-entry-notice-<id>`) makes a second write of the same
message impossible — none lost, none doubled. The outbox then sends each row at most once.

Handing over (`cycle_entry_deliver`): staff type or scan her reference; she confirms with the
one-time code sent to the mobile on file (notifications.phone_code_send, purpose "handover").
The code is checked before the transaction (its wrong-try count must survive a refusal); the
stock is issued and the fund charged in the same transaction as the status change.
"""

import logging
import re
from datetime import timedelta
from functools import partial

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import event_record
from beneficiaries.services import ToHer, messages_queue_to_them
from notifications.services import (
    PHONE_CODE_REFUSED,
    PhoneCodeError,
    phone_code_send,
    phone_code_verify,
)
from wahaj.lib.validators import normalize_digits

from . import services
from .models import Cycle, CycleEntry, StockItem
from .stock import STOCK_SHORT, StockError, stock_issue

logger = logging.getLogger(__name__)

Status = CycleEntry.Status

NOTICE_TEMPLATE = "entitlement_notice"
CODE_PURPOSE = "handover"
# Entries told per transaction: large enough that 50,000 take a few dozen statements, small
# enough that a killed worker loses only an uncommitted chunk's work (redone by the sweep).
NOTIFY_CHUNK = 2000
# A cycle is closed (what was not collected released to the fund) this long after its
# delivery window ended: a late evening at the desk is still recorded first.
CLOSE_AFTER_WINDOW = timedelta(days=1)
NOTICE_FIELDS = (
    "cycle_id",
    "reference",
    "amount",
    "household_size",
    "beneficiary__full_name",
    "beneficiary__mobile",
    "beneficiary__email",
    "beneficiary__preferred_language",
    "beneficiary__preferred_channel",
)
# Entries waiting for the desk: approved (her SMS not yet queued) or told.
WAITING = (Status.APPROVED, Status.NOTIFIED)

NOT_FOR_HANDOVER = _("This reference cannot be handed over now: its status is “%(status)s”.")
CYCLE_NOT_DELIVERING = _("This cycle is not approved for delivery.")
PAID_BY_TRANSFER = _("This support is paid by bank transfer, not handed over at the desk.")
NO_MOBILE = _("She has no mobile number on file: the confirmation code cannot be sent.")
CODE_FIRST = _("Send her the confirmation code first, then type the code she received.")
CODE_REFUSED = PHONE_CODE_REFUSED


class DeliveryError(Exception):
    """A refused delivery step; `message` is translated and filled in."""

    def __init__(self, message, **params) -> None:
        self.message = str(message) % params if params else str(message)
        super().__init__(self.message)


# A cycle entry's reference, `C<cycle>-<entry:06d>`, however it was typed: Arabic-Indic digits,
# lower case, spaces, a dash or none (normalize_digits drops dashes; the last six digits are the
# entry's).
_REFERENCE = re.compile(r"C(\d+?)(\d{6})")


def normalize_reference(value: str) -> str:
    text = normalize_digits(value).upper()
    match = _REFERENCE.fullmatch(text)
    return f"C{match[1]}-{match[2]}" if match else text


def is_cash(cycle: Cycle) -> bool:
    """A cycle that gives money only goes by bank transfer; one with items is handed over."""
    return not cycle.entitlement.get("items")


def what_text(entry: CycleEntry) -> str:
    """Her items as the SMS and the desk read them: "سلة غذائية × 2، حقيبة مدرسية × 1"."""
    parts = [f"{row['name']} × {row['quantity']}" for row in entry.item_quantities()]
    return "، ".join(parts)


# --- Telling her -----------------------------------------------------------------------------
def _notice_context(cycle: Cycle, entry: CycleEntry) -> dict:
    starts = timezone.localtime(cycle.delivery_starts) if cycle.delivery_starts else None
    ends = timezone.localtime(cycle.delivery_ends) if cycle.delivery_ends else None
    return {
        "name": entry.beneficiary.full_name.split(" ")[0],
        "program": cycle.program.name,
        "reference": entry.reference,
        "cash": is_cash(cycle),
        "amount": str(entry.amount),
        "what": what_text(entry),
        "place": cycle.delivery_place,
        "bring": cycle.what_to_bring,
        "starts_on": starts.date().isoformat() if starts else "",
        "ends_on": ends.date().isoformat() if ends else "",
        "from_time": starts.strftime("%H:%M") if starts else "",
        "until_time": ends.strftime("%H:%M") if ends else "",
    }


def _notify_chunk(cycle: Cycle, chunk: int) -> int:
    """Tell the next `chunk` approved entries of `cycle`, in one transaction. Returns how many
    entries it took (0: none left)."""
    with transaction.atomic():
        waiting = (
            CycleEntry.objects.filter(cycle=cycle, status=Status.APPROVED)
            .select_related("beneficiary")
            # Only what her message needs: each encrypted field read is a decryption (50,000
            # women × every field of her file was most of the time spent).
            .only(*NOTICE_FIELDS)
            .order_by("pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            # Two runs at once (a sweep overlapping a task) take different entries.
            waiting = waiting.select_for_update(skip_locked=True, of=("self",))
        entries = list(waiting[:chunk])
        if not entries:
            return 0
        for entry in entries:
            entry.cycle = cycle  # item_quantities() reads the cycle's snapshot: no query each
        messages_queue_to_them(
            [
                ToHer(
                    beneficiary=entry.beneficiary,
                    template=NOTICE_TEMPLATE,
                    context=_notice_context(cycle, entry),
                    idempotency_key=f"cycle-entry-notice-{entry.pk}",
                    subject=entry,
                )
                for entry in entries
            ]
        )
        now = timezone.now()
        CycleEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
            status=Status.NOTIFIED, notified_at=now, updated_at=now
        )
    return len(entries)


def cycle_notify(*, cycle_id: int, chunk: int = NOTIFY_CHUNK) -> int:
    """Queue the entitlement SMS of every approved entry of an approved cycle not yet told.

    Safe to run twice or at once (see the module docstring); a cycle not approved is left
    alone. Writes one `cycle_notified` audit event on the cycle when it told anyone. Returns
    the number of entries told by this run.
    """
    cycle = Cycle.objects.select_related("program").filter(pk=cycle_id).first()
    if cycle is None or cycle.status != Cycle.Status.APPROVED:
        return 0
    told = 0
    while taken := _notify_chunk(cycle, chunk):
        told += taken
    if told:
        event_record(
            actor=None,
            subject=cycle,
            verb="cycle_notified",
            extra={"entries": told},
        )
    return told


def _publish_notify(cycle_id: int) -> None:
    from .tasks import cycle_notify_task

    try:
        cycle_notify_task.apply_async((cycle_id,), retry=False)
    except Exception as exc:  # noqa: BLE001 - the beat sweep tells them within a minute
        logger.warning("broker unavailable (%s); cycle %s waits for the sweep", exc, cycle_id)


def cycle_notify_schedule(*, cycle: Cycle) -> None:
    """Called by the cycle's approval: tell them once the approval has committed (a worker's
    task). If the publish is lost, `cycles_notify_pending` (beat) does it."""
    transaction.on_commit(partial(_publish_notify, cycle.pk))


def cycles_notify_pending() -> int:
    """Beat: finish telling every approved cycle that still has approved entries not told (a
    lost publish, a killed worker). Returns the number of entries told."""
    pending = (
        Cycle.objects.filter(status=Cycle.Status.APPROVED, entries__status=Status.APPROVED)
        .values_list("pk", flat=True)
        .distinct()
    )
    return sum(cycle_notify(cycle_id=pk) for pk in list(pending))


# --- Handing over ----------------------------------------------------------------------------
def _check_deliverable(entry: CycleEntry) -> None:
    if entry.cycle.status != Cycle.Status.APPROVED:
        raise DeliveryError(CYCLE_NOT_DELIVERING)
    if entry.status not in WAITING:
        raise DeliveryError(NOT_FOR_HANDOVER, status=entry.get_status_display())
    if is_cash(entry.cycle):
        raise DeliveryError(PAID_BY_TRANSFER)


def stock_shortages(entry: CycleEntry) -> list[str]:
    """What the store lacks for her items now, as the refusal would say it (a page shows it
    before anyone sends her a code)."""
    rows = entry.item_quantities()
    on_hand = dict(
        StockItem.objects.filter(pk__in=[r["item_id"] for r in rows]).values_list("pk", "on_hand")
    )
    return [
        str(STOCK_SHORT)
        % {"item": r["name"], "available": on_hand.get(r["item_id"], 0), "needed": r["quantity"]}
        for r in rows
        if on_hand.get(r["item_id"], 0) < r["quantity"]
    ]


@transaction.atomic
def cycle_entry_code_send(*, actor, entry: CycleEntry, request=None) -> CycleEntry:
    """Send her the one-time handover code (5 minutes) by SMS to the mobile on file.

    She asks for it at the desk, as she asks for the portal's code: it is not a message her
    withdrawn contact consent stops (without it, staff record her signature instead). Refused
    when the entry cannot be handed over, the store lacks her items, she has no mobile, or
    three codes were sent within 15 minutes.
    """
    entry = (
        CycleEntry.objects.select_for_update()
        .select_related("cycle", "beneficiary")
        .get(pk=entry.pk)
    )
    _check_deliverable(entry)
    if shortages := stock_shortages(entry):
        raise DeliveryError(shortages[0])
    beneficiary = entry.beneficiary
    if not beneficiary.mobile:
        raise DeliveryError(NO_MOBILE)
    try:
        phone_code_send(
            mobile=beneficiary.mobile,
            purpose=CODE_PURPOSE,
            language=beneficiary.preferred_language or "ar",
        )
    except PhoneCodeError as error:
        raise DeliveryError(error.message) from error
    entry.code_sent_at = timezone.now()
    entry.save(update_fields=["code_sent_at"])
    event_record(
        actor=actor,
        subject=entry,
        verb="handover_code_sent",
        extra={"reference": entry.reference},
        request=request,
    )
    return entry


def cycle_entry_deliver(*, actor, entry: CycleEntry, code: str, request=None) -> CycleEntry:
    """approved/told → delivered, confirmed by the code she received.

    The code is checked first, outside the transaction (a wrong try must be counted even though
    the delivery is refused); then, atomically: her items leave the store (refused with the
    quantity available when short), the fund is charged her entitlement's value, the entry is
    delivered, and the `cycle_entry_delivered` event is recorded.
    """
    entry = CycleEntry.objects.select_related("cycle", "beneficiary").get(pk=entry.pk)
    _check_deliverable(entry)
    if entry.code_sent_at is None:
        raise DeliveryError(CODE_FIRST)
    if shortages := stock_shortages(entry):
        raise DeliveryError(shortages[0])  # before the code is used up
    if not phone_code_verify(mobile=entry.beneficiary.mobile, purpose=CODE_PURPOSE, code=code):
        raise DeliveryError(CODE_REFUSED)
    return _deliver(actor=actor, entry=entry, request=request)


@transaction.atomic
def _deliver(*, actor, entry: CycleEntry, request=None) -> CycleEntry:
    entry = (
        CycleEntry.objects.select_for_update(of=("self",))
        .select_related("cycle", "cycle__program", "cycle__fund")
        .get(pk=entry.pk)
    )
    _check_deliverable(entry)  # again, under the lock: two desks, one basket
    cycle = entry.cycle
    for row in entry.item_quantities():
        try:
            stock_issue(
                actor=actor,
                item=StockItem(pk=row["item_id"]),
                quantity=row["quantity"],
                cycle=cycle,
                cycle_entry=entry,
                note=entry.reference,
            )
        except StockError as error:
            raise DeliveryError(error.message) from error
    if entry.value > 0:
        services.fund_spend(
            actor=actor,
            fund=cycle.fund,
            amount=entry.value,
            program=cycle.program,
            cycle=cycle,
            cycle_entry=entry,
            note=entry.reference,
        )
    old = entry.status
    now = timezone.now()
    entry.status = Status.DELIVERED
    entry.delivered_at, entry.delivered_by, entry.confirmed_by = now, actor, "code"
    entry.updated_at = now
    entry.save(
        update_fields=["status", "delivered_at", "delivered_by", "confirmed_by", "updated_at"]
    )
    event_record(
        actor=actor,
        subject=entry,
        verb="cycle_entry_delivered",
        old_state=old,
        new_state=entry.status,
        extra={"reference": entry.reference, "value": str(entry.value), "confirmed_by": "code"},
        request=request,
    )
    return entry


# --- Not collected ---------------------------------------------------------------------------
def cycles_close_ended(*, now=None) -> int:
    """Beat: close every approved cycle whose delivery window ended more than a day ago —
    what was approved and not collected becomes `not_collected` and its money goes back to the
    fund (programs.services.cycle_close). Safe to run twice. Returns the cycles closed."""
    now = now or timezone.now()
    ended = Cycle.objects.filter(
        status=Cycle.Status.APPROVED, delivery_ends__lt=now - CLOSE_AFTER_WINDOW
    )
    closed = 0
    for cycle in ended:
        try:
            services.cycle_close(actor=None, cycle=cycle)
        except services.ProgramError:
            continue  # closed meanwhile by a manager
        closed += 1
    return closed
