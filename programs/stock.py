"""In-kind stock: every write of an item's stock card (issue 21, part 3).

`StockItem.on_hand` is the count in the store; each change locks the item's row, writes one
`StockMovement` with the count after it and one audit event, so the card and the count never
disagree. An issue larger than what is on hand is refused with the quantity available (and the
database's `stock_on_hand_gte_0` check refuses it too, should a write ever bypass this module).
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.services import event_record

from .models import Cycle, CycleEntry, StockItem, StockMovement

STOCK_SHORT = _(
    "Not enough %(item)s in stock: %(available)s available, %(needed)s needed. "
    "Record what came in before handing it over."
)
QUANTITY_POSITIVE = _("The quantity must be more than zero.")


class StockError(Exception):
    """A refused stock movement; `message` is translated and filled in."""

    def __init__(self, message, **params) -> None:
        self.message = str(message) % params if params else str(message)
        self.params = params
        super().__init__(self.message)


def _locked(item: StockItem) -> StockItem:
    return StockItem.objects.select_for_update().get(pk=item.pk)


def _move(
    *,
    actor,
    item: StockItem,
    kind: str,
    quantity: int,
    note: str = "",
    cycle: Cycle | None = None,
    cycle_entry: CycleEntry | None = None,
) -> StockMovement:
    """Apply a signed `quantity` to a locked item; the card line and the audit event."""
    item.on_hand += quantity
    item.save(update_fields=["on_hand"])
    movement = StockMovement.objects.create(
        item=item,
        kind=kind,
        quantity=quantity,
        on_hand_after=item.on_hand,
        cycle=cycle,
        cycle_entry=cycle_entry,
        note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_record(
        actor=actor,
        subject=item,
        verb=f"stock_{kind}",
        note=note,
        extra={
            "quantity": quantity,
            "on_hand": item.on_hand,
            "movement": movement.pk,
            "cycle": cycle.pk if cycle else None,
            "reference": cycle_entry.reference if cycle_entry else None,
        },
    )
    return movement


@transaction.atomic
def stock_receive(*, actor, item: StockItem, quantity: int, note: str = "") -> StockMovement:
    """Items came into the store (a purchase, a donation in kind): on hand goes up."""
    if quantity <= 0:
        raise StockError(QUANTITY_POSITIVE)
    return _move(actor=actor, item=_locked(item), kind="in", quantity=quantity, note=note)


@transaction.atomic
def stock_issue(
    *,
    actor,
    item: StockItem,
    quantity: int,
    cycle: Cycle | None = None,
    cycle_entry: CycleEntry | None = None,
    note: str = "",
) -> StockMovement:
    """Items handed out: refused with StockError(STOCK_SHORT, available=…) when fewer are on
    hand than `quantity` — checked under the item's row lock, so two desks handing out the
    last basket at the same moment cannot both succeed."""
    if quantity <= 0:
        raise StockError(QUANTITY_POSITIVE)
    item = _locked(item)
    if item.on_hand < quantity:
        raise StockError(STOCK_SHORT, item=item.name, available=item.on_hand, needed=quantity)
    return _move(
        actor=actor,
        item=item,
        kind="out",
        quantity=-quantity,
        note=note,
        cycle=cycle,
        cycle_entry=cycle_entry,
    )
