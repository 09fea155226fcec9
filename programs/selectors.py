"""Reads of the programs app: repeat support, fund figures, a cycle's list and its report."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from requests_app.models import SupportRequest

from .models import Cycle, CycleEntry, Fund, Program

ZERO = Decimal("0.00")
DAYS_PER_MONTH = 30


def _program_for_type(request_type: str) -> Program | None:
    return Program.objects.filter(status=Program.Status.ACTIVE, request_type=request_type).first()


def support_received(
    *, beneficiary_id: int, program: Program, since, exclude_request_id: int | None = None
) -> list[dict]:
    """What she received from this program since `since`, newest first: delivered cycle
    entries and delivered single requests of the type the program serves.

    Each row: {"what": text, "when": datetime, "amount": Decimal, "kind": "cycle"|"request"}.
    """
    rows = [
        {
            "what": str(entry.cycle),
            "when": entry.delivered_at,
            "amount": entry.value,
            "kind": "cycle",
        }
        for entry in CycleEntry.objects.filter(
            beneficiary_id=beneficiary_id, cycle__program=program, delivered_at__gte=since
        ).select_related("cycle__program")
    ]
    if program.request_type:
        requests = SupportRequest.objects.filter(
            beneficiary_id=beneficiary_id,
            request_type=program.request_type,
            delivered_at__gte=since,
        ).exclude(pk=exclude_request_id)
        rows += [
            {
                "what": f"{sr.get_request_type_display()} {sr.reference}",
                "when": sr.delivered_at,
                "amount": sr.delivered_amount or sr.approved_amount or ZERO,
                "kind": "request",
            }
            for sr in requests
        ]
    return sorted(rows, key=lambda row: row["when"], reverse=True)


def repeat_support_for_request(support_request: SupportRequest) -> list[dict]:
    """Support of the same program she received within its period (the committee's flag).

    A request's program is the active program serving its type; no program or no period:
    nothing to flag.
    """
    program = _program_for_type(support_request.request_type)
    if program is None or not program.repeat_period_months:
        return []
    since = timezone.now() - timedelta(days=DAYS_PER_MONTH * program.repeat_period_months)
    rows = support_received(
        beneficiary_id=support_request.beneficiary_id,
        program=program,
        since=since,
        exclude_request_id=support_request.pk,
    )
    for row in rows:
        row["program"] = program
    return rows


def repeat_support_for_entry(entry: CycleEntry) -> list[dict]:
    """Why an entry is flagged: what she received from the program within its period."""
    program = entry.cycle.program
    months = entry.cycle.rules.get("repeat_period_months") or program.repeat_period_months
    if not months:
        return []
    since = (entry.cycle.generated_at or timezone.now()) - timedelta(days=DAYS_PER_MONTH * months)
    rows = support_received(beneficiary_id=entry.beneficiary_id, program=program, since=since)
    return [row for row in rows if row["kind"] == "request" or row["what"] != str(entry.cycle)]


def fund_totals() -> dict:
    """The dashboard's money: balance, committed, left and spent over the active funds."""
    totals = Fund.objects.filter(is_active=True).aggregate(
        balance=Coalesce(Sum("balance"), ZERO),
        committed=Coalesce(Sum("committed"), ZERO),
        spent=Coalesce(Sum("spent"), ZERO),
    )
    totals["left"] = totals["balance"] - totals["committed"]
    return totals


def fund_figures() -> dict:
    """The funds page: the totals and each fund."""
    return {**fund_totals(), "funds": list(Fund.objects.filter(is_active=True).order_by("name"))}


def cycle_entries(
    cycle: Cycle, *, status: str = "", city: str = "", flagged: bool = False
) -> QuerySet:
    """The cycle page's list, filtered; her name and file number in the same query."""
    qs = cycle.entries.select_related("beneficiary").order_by("status", "pk")
    if status:
        qs = qs.filter(status=status)
    if city:
        qs = qs.filter(city=city)
    if flagged:
        qs = qs.filter(repeat_flagged=True)
    return qs


def cycle_status_counts(cycle: Cycle) -> list[tuple[str, str, int]]:
    """(status, label, count) for the statuses the cycle's entries are in (one query)."""
    counts = dict(
        cycle.entries.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [
        (value, label, counts[value])
        for value, label in CycleEntry.Status.choices
        if value in counts
    ]


DELIVERED_STATES = [CycleEntry.Status.DELIVERED, CycleEntry.Status.TRANSFER_SENT]


def cycle_report_rows(cycle: Cycle) -> list[dict]:
    """Per city: eligible, approved, delivered, not collected, amount and value delivered."""
    approved_states = list(CycleEntry.AFTER_APPROVAL)
    rows = (
        cycle.entries.values("city")
        .annotate(
            considered=Count("pk"),
            eligible=Count("pk", filter=Q(status__in=CycleEntry.INCLUDED)),
            approved=Count("pk", filter=Q(status__in=approved_states)),
            delivered=Count("pk", filter=Q(status__in=DELIVERED_STATES)),
            not_collected=Count("pk", filter=Q(status=CycleEntry.Status.NOT_COLLECTED)),
            returned=Count("pk", filter=Q(status=CycleEntry.Status.TRANSFER_RETURNED)),
            amount_approved=Coalesce(Sum("value", filter=Q(status__in=approved_states)), ZERO),
            amount_delivered=Coalesce(Sum("amount", filter=Q(status__in=DELIVERED_STATES)), ZERO),
            value_delivered=Coalesce(Sum("value", filter=Q(status__in=DELIVERED_STATES)), ZERO),
        )
        .order_by("city")
    )
    return list(rows)


def cycle_report_totals(rows: list[dict]) -> dict:
    keys = [
        "considered",
        "eligible",
        "approved",
        "delivered",
        "not_collected",
        "returned",
        "amount_approved",
        "amount_delivered",
        "value_delivered",
    ]
    return {key: sum(row[key] for row in rows) for key in keys}


def cycle_items_delivered(cycle: Cycle) -> list[dict]:
    """The items handed out in a cycle: name and quantity (from the entitlement snapshot)."""
    sizes = dict(
        cycle.entries.filter(status=CycleEntry.Status.DELIVERED)
        .values_list("household_size")
        .annotate(n=Count("pk"))
        .values_list("household_size", "n")
    )
    rows = []
    for item in cycle.entitlement.get("items", []):
        if item["basis"] == "per_member":
            quantity = sum(size * n for size, n in sizes.items()) * item["quantity"]
        else:
            quantity = sum(sizes.values()) * item["quantity"]
        rows.append({"name": item["name"], "unit": item.get("unit", ""), "quantity": quantity})
    return rows


def programs_summary(*, start, end) -> list[dict]:
    """Per program over a period (the monthly report): cycles, approved, delivered, amount."""
    entries = CycleEntry.objects.filter(
        Q(cycle__decided_at__gte=start, cycle__decided_at__lt=end)
        | Q(delivered_at__gte=start, delivered_at__lt=end)
    )
    rows = (
        entries.values("cycle__program__name")
        .annotate(
            approved=Count("pk", filter=Q(status__in=list(CycleEntry.AFTER_APPROVAL))),
            delivered=Count("pk", filter=Q(status__in=DELIVERED_STATES)),
            not_collected=Count("pk", filter=Q(status=CycleEntry.Status.NOT_COLLECTED)),
            value_delivered=Coalesce(Sum("value", filter=Q(status__in=DELIVERED_STATES)), ZERO),
        )
        .order_by("cycle__program__name")
    )
    return [
        {
            "program": row["cycle__program__name"],
            "approved": row["approved"],
            "delivered": row["delivered"],
            "not_collected": row["not_collected"],
            "value_delivered": row["value_delivered"],
        }
        for row in rows
    ]


def repeat_support_for_requests(support_requests: list[SupportRequest]) -> dict[int, list[dict]]:
    """`repeat_support_for_request` for many requests in three queries (the meeting page's
    agenda costs the same however many requests it holds): request id → rows, newest first."""
    programs = {
        program.request_type: program
        for program in Program.objects.filter(
            status=Program.Status.ACTIVE, repeat_period_months__isnull=False
        ).exclude(request_type="")
    }
    now = timezone.now()
    wanted = [sr for sr in support_requests if sr.request_type in programs]
    if not wanted:
        return {}
    since = {
        t: now - timedelta(days=DAYS_PER_MONTH * p.repeat_period_months)
        for t, p in programs.items()
    }
    earliest = min(since.values())
    beneficiaries = {sr.beneficiary_id for sr in wanted}
    requests = SupportRequest.objects.filter(
        beneficiary_id__in=beneficiaries,
        request_type__in=[sr.request_type for sr in wanted],
        delivered_at__gte=earliest,
    ).only(
        "pk",
        "beneficiary_id",
        "request_type",
        "reference",
        "delivered_at",
        "delivered_amount",
        "approved_amount",
    )
    entries = CycleEntry.objects.filter(
        beneficiary_id__in=beneficiaries,
        cycle__program__in=[programs[sr.request_type] for sr in wanted],
        delivered_at__gte=earliest,
    ).select_related("cycle__program")
    found: dict[int, list[dict]] = {}
    for sr in wanted:
        program, start = programs[sr.request_type], since[sr.request_type]
        rows = [
            {
                "what": f"{other.get_request_type_display()} {other.reference}",
                "when": other.delivered_at,
                "amount": other.delivered_amount or other.approved_amount or ZERO,
                "kind": "request",
            }
            for other in requests
            if other.beneficiary_id == sr.beneficiary_id
            and other.request_type == sr.request_type
            and other.pk != sr.pk
            and other.delivered_at >= start
        ]
        rows += [
            {
                "what": str(entry.cycle),
                "when": entry.delivered_at,
                "amount": entry.value,
                "kind": "cycle",
            }
            for entry in entries
            if entry.beneficiary_id == sr.beneficiary_id
            and entry.cycle.program_id == program.pk
            and entry.delivered_at >= start
        ]
        if rows:
            found[sr.pk] = sorted(rows, key=lambda row: row["when"], reverse=True)
    return found
