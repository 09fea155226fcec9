"""Reads of the delivery part: the desk's lookup, the store, a cycle's transfer files."""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Cycle, CycleEntry, StockItem, StockMovement, TransferBatch

Status = CycleEntry.Status
# What the desk may open: entries of a cycle past its approval (delivered ones stay readable).
HANDOVER_VISIBLE = CycleEntry.AFTER_APPROVAL


def handover_entries() -> QuerySet[CycleEntry]:
    return CycleEntry.objects.filter(
        status__in=HANDOVER_VISIBLE,
        cycle__status__in=[Cycle.Status.APPROVED, Cycle.Status.CLOSED],
    ).select_related("cycle", "cycle__program", "beneficiary", "delivered_by")


def handover_entry_by_reference(reference: str) -> CycleEntry | None:
    return handover_entries().filter(reference=reference).first()


def handover_entry(pk: int) -> CycleEntry:
    """The entry the desk opens, or 404 (an entry not approved is nobody's handover)."""
    entry = handover_entries().filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def stock_items() -> QuerySet[StockItem]:
    return StockItem.objects.order_by("-is_active", "name")


def stock_card(item: StockItem, *, limit: int = 200) -> list[StockMovement]:
    """The item's latest movements, newest first (the index `stock_movement_card`)."""
    return list(
        item.movements.select_related("created_by", "cycle").order_by("-created_at", "-pk")[:limit]
    )


def stock_totals(item: StockItem) -> dict:
    """What came in and what went out, over the whole card."""
    totals = item.movements.aggregate(
        received=Coalesce(Sum("quantity", filter=Q(quantity__gt=0)), 0),
        issued=Coalesce(Sum("quantity", filter=Q(quantity__lt=0)), 0),
    )
    return {"received": totals["received"], "issued": -totals["issued"]}


def cycle_transfer_batches(cycle: Cycle) -> list[TransferBatch]:
    return list(cycle.transfer_batches.select_related("created_by").order_by("-created_at", "-pk"))


def cycle_payment_counts(cycle: Cycle) -> dict[str, int]:
    """The transfers page's summary: entries waiting for a file, sent, returned."""
    counts = cycle.entries.aggregate(
        waiting=Count("pk", filter=Q(status__in=[Status.APPROVED, Status.NOTIFIED])),
        sent=Count("pk", filter=Q(status=Status.TRANSFER_SENT)),
        returned=Count("pk", filter=Q(status=Status.TRANSFER_RETURNED)),
    )
    return counts


def transfer_batch(pk: int) -> TransferBatch:
    batch = TransferBatch.objects.select_related("cycle").filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch
