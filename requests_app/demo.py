"""Synthetic support requests for `seed_demo`: every state, realistic dates, some overdue.

About 2.5 requests per beneficiary; about 8 % are open (most submitted within the last 17
days, so that those past the 14-day window are overdue), the rest decided long ago. Rows go in
with `wahaj.lib.bulk.copy_rows`, a batch of beneficiaries at a time, in one transaction; only
beneficiaries without requests get new ones, so a second run adds nothing. References continue
the per-year counters.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from operator import attrgetter

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.models import Event
from beneficiaries.models import Beneficiary
from wahaj.lib.bulk import copy_rows, foreign_keys_checked_once, ids_reserve
from wahaj.lib.choices import Channel

from .models import (
    DECLARATION_TEXT_AR,
    Declaration,
    HomeVisit,
    ReferenceCounter,
    RejectionCode,
    RequestType,
    SupportRequest,
)
from .selectors import beneficiary_address

State = SupportRequest.State
BATCH = 5000

# (state, weight in ‰): ≈ 80 ‰ open.
STATE_WEIGHTS = {
    State.DRAFT: 4,
    State.SUBMITTED: 20,
    State.IN_RESEARCH: 26,
    State.IN_COMMITTEE: 20,
    State.RETURNED: 10,
    State.APPROVED: 25,
    State.REJECTED: 200,
    State.DELIVERED: 95,
    State.CLOSED: 530,
    State.WITHDRAWN: 70,
}
TYPE_WEIGHTS = {
    RequestType.FOOD_BASKET: 30,
    RequestType.FINANCIAL_AID: 18,
    RequestType.RENT: 15,
    RequestType.UTILITY_BILLS: 10,
    RequestType.MEDICAL: 7,
    RequestType.EDUCATION: 6,
    RequestType.FURNITURE: 5,
    RequestType.SEASONAL: 7,
    RequestType.OTHER: 2,
}
AMOUNTS = {  # (low, high) in SAR, hundreds
    RequestType.FOOD_BASKET: (3, 8),
    RequestType.FINANCIAL_AID: (10, 50),
    RequestType.RENT: (60, 180),
    RequestType.UTILITY_BILLS: (3, 15),
    RequestType.MEDICAL: (10, 100),
    RequestType.EDUCATION: (5, 30),
    RequestType.FURNITURE: (15, 60),
    RequestType.SEASONAL: (3, 10),
    RequestType.OTHER: (5, 20),
}
DESCRIPTIONS = {
    RequestType.FOOD_BASKET: "سلة غذائية شهرية للأسرة.",
    RequestType.FINANCIAL_AID: "مساعدة مالية لتغطية الاحتياجات الأساسية بعد انقطاع الدخل.",
    RequestType.RENT: "سداد إيجار متأخر لعقد السكن الحالي.",
    RequestType.UTILITY_BILLS: "سداد فاتورة الكهرباء المتراكمة.",
    RequestType.MEDICAL: "المساعدة في تكاليف علاج وأدوية.",
    RequestType.EDUCATION: "رسوم ومستلزمات دراسية للأبناء.",
    RequestType.FURNITURE: "ثلاجة ومكيف للمنزل.",
    RequestType.SEASONAL: "كسوة العيد للأبناء.",
    RequestType.OTHER: "احتياج طارئ للأسرة.",
}
RETURN_REASONS = [
    "مشهد الضمان الاجتماعي أقدم من ثلاثة أشهر.",
    "ينقص عقد الإيجار الإلكتروني.",
    "صورة الهوية غير واضحة.",
]
CHANNELS = list(Channel.values)
CHANNEL_WEIGHTS = [40, 20, 8, 3, 12, 2, 12, 3]  # the policy's eight channels, in order
# Cumulative weights, summed once instead of on every draw (the same draws as `weights=`).
STATES = list(STATE_WEIGHTS)
STATE_CUM_WEIGHTS = list(accumulate(STATE_WEIGHTS.values()))
TYPES = list(TYPE_WEIGHTS)
TYPE_CUM_WEIGHTS = list(accumulate(TYPE_WEIGHTS.values()))
CHANNEL_CUM_WEIGHTS = list(accumulate(CHANNEL_WEIGHTS))


# The first requests of a run: one in every state (an overdue one before the committee).
EVERY_STATE = defaultdict(lambda: None, enumerate(STATE_WEIGHTS))


# Every column of a request, with its default (a row starts as the model's defaults).
FIELDS = [f for f in SupportRequest._meta.concrete_fields if not f.primary_key]
DEFAULTS = {f.attname: (None if f.null else f.get_default()) for f in FIELDS}
COLUMNS = ["id", *(f.attname for f in FIELDS)]
_row_values = attrgetter(*COLUMNS)  # a row's values in COLUMNS order, in one C call
DECLARATION_COLUMNS = [
    "support_request_id", "text", "signed_name", "signed_at", "signed_via", "witness_id",
]  # fmt: skip
EVENT_COLUMNS = [
    "actor_id", "actor_kind", "actor_role", "content_type_id", "object_id", "verb", "old_state",
    "new_state", "note", "extra", "created_at",
]  # fmt: skip


class _Row:
    """A request as plain attributes: 250k model instances cost more than the inserts."""

    def __init__(self, **values) -> None:
        self.__dict__.update(DEFAULTS)
        self.__dict__.update(values)


def _money(rng: random.Random, request_type: str) -> Decimal:
    low, high = AMOUNTS[request_type]
    return Decimal(rng.randint(low, high) * 100)


def _request(
    rng: random.Random,
    beneficiary: tuple,
    now: datetime,
    staff: dict,
    window: timedelta,
    *,
    state: str | None = None,
) -> "_Row":
    """One request with dates consistent with its state (reference given afterwards)."""
    _pk, registered, channel = beneficiary
    forced_overdue = state == State.IN_COMMITTEE
    state = state or rng.choices(STATES, cum_weights=STATE_CUM_WEIGHTS)[0]
    request_type = rng.choices(TYPES, cum_weights=TYPE_CUM_WEIGHTS)[0]
    amount = _money(rng, request_type)
    if rng.random() >= 0.6:  # else the channel her file came in by
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_CUM_WEIGHTS)[0]
    sr = _Row(
        beneficiary_id=_pk,
        request_type=request_type,
        amount_requested=amount,
        description=DESCRIPTIONS[request_type],
        channel=channel,
        state=state,
        created_by_id=staff["intake"].pk,
        updated_at=now,
    )
    if state == State.DRAFT:
        sr.created_at = now - timedelta(hours=rng.randrange(1, 72))
        return sr
    if state in SupportRequest.OPEN:
        # Open: submitted in the last 17 days, so some are past the 14-day window.
        submitted = now - timedelta(minutes=rng.randrange(17 * 24 * 60))
        if forced_overdue:
            submitted = now - window - timedelta(days=2)
    else:
        oldest = max(registered, now - timedelta(days=3 * 365))
        span = max(1, int((now - timedelta(days=20) - oldest).total_seconds() // 60))
        submitted = oldest + timedelta(minutes=rng.randrange(span))
    sr.created_at = submitted - timedelta(minutes=rng.randrange(20, 90))
    sr.submitted_at = submitted
    sr.decision_due_at = submitted + window
    if state != State.SUBMITTED and rng.random() < 0.97:
        sr.researcher_id = staff["researcher"].pk
    if state == State.RETURNED:
        sr.paused_at = submitted + timedelta(hours=rng.randrange(4, 72))
        sr.paused_at = min(sr.paused_at, now)
        sr.return_reason = rng.choice(RETURN_REASONS)
    if state in SupportRequest.CLOCK_RUNNING:
        # The window sweep has already reminded (and, past due, escalated) these rows: a fresh
        # demo database must not greet the managers with thousands of messages at once.
        sr.window_reminded_at = now
        if sr.decision_due_at < now:
            sr.overdue_flagged_at = sr.decision_due_at + timedelta(minutes=15)
    _outcome(rng, sr, staff)
    return sr


def _outcome(rng: random.Random, sr: "_Row", staff: dict) -> None:
    """The decision, delivery, closing or withdrawal of a request in a final state."""
    state, submitted = sr.state, sr.submitted_at
    if state in SupportRequest.DECIDED:
        # Most decisions inside the window; about one in ten late.
        days = rng.uniform(3, 13.9) if rng.random() < 0.9 else rng.uniform(14.1, 20)
        sr.decided_at = submitted + timedelta(days=days)
        sr.decided_by_id = staff["chair"].pk
        if state == State.REJECTED:
            sr.rejection_code = rng.choice(RejectionCode.values)
        else:
            sr.approved_amount = sr.amount_requested
    if state in (State.DELIVERED, State.CLOSED):
        sr.delivered_at = sr.decided_at + timedelta(days=rng.uniform(1, 10))
        sr.delivered_by_id = staff["intake"].pk
        sr.delivered_amount = sr.approved_amount
        sr.delivery_note = DESCRIPTIONS[sr.request_type]
    if state == State.CLOSED:
        sr.closed_at = sr.delivered_at + timedelta(days=rng.uniform(0, 5))
    if state == State.WITHDRAWN:
        sr.withdrawn_at = submitted + timedelta(days=rng.uniform(0.5, 10))


def _number(requests: list["_Row"], counters: dict[int, int]) -> None:
    """References in submission order within each year, continuing the counters."""
    submitted = sorted((r for r in requests if r.submitted_at), key=lambda r: r.submitted_at)
    for sr in submitted:
        year = timezone.localtime(sr.submitted_at).year
        counters[year] += 1
        sr.reference = f"WHJ-{year}-{counters[year]:06d}"


def _side_rows(requests: list["_Row"], staff: dict, content_type) -> None:
    """For the open requests (the ones staff open): her declaration and a 'submit' event."""
    opened = [sr for sr in requests if sr.submitted_at and sr.state in SupportRequest.OPEN]
    intake = staff["intake"].pk
    copy_rows(
        Declaration,
        DECLARATION_COLUMNS,
        (
            (
                sr.id,
                DECLARATION_TEXT_AR,
                sr.beneficiary_name,
                sr.submitted_at - timedelta(minutes=5),
                Declaration.SignedVia.STAFF.value,
                intake,
            )
            for sr in opened
        ),
    )
    copy_rows(
        Event,
        EVENT_COLUMNS,
        (
            (
                intake,
                Event.ActorKind.STAFF.value,
                "intake",
                content_type.pk,
                sr.id,
                "submit",
                State.DRAFT.value,
                State.SUBMITTED.value,
                "",
                {"reference": sr.reference, "seeded": True},
                sr.submitted_at,
            )
            for sr in opened
        ),
    )


def seed(stdout, options: dict) -> None:
    staff = {
        u.username: u for u in User.objects.filter(username__in=["intake", "researcher", "chair"])
    }
    if len(staff) < 3:
        stdout.write("Support requests: demo staff missing, none created.")
        return
    started = timezone.now()
    now = started
    window = timedelta(days=settings.DECISION_WINDOW_DAYS)
    seed_value = options.get("seed", 2026)
    content_type = ContentType.objects.get_for_model(SupportRequest)
    waiting = list(
        Beneficiary.objects.filter(support_requests__isnull=True)
        .order_by("pk")
        .values_list("pk", "created_at", "intake_channel", "full_name")
    )
    counters: dict[int, int] = defaultdict(int)
    counters.update(dict(ReferenceCounter.objects.values_list("year", "last_value")))
    created = 0
    # One transaction: the foreign keys are checked once, after the last batch.
    with transaction.atomic(), foreign_keys_checked_once(SupportRequest, Declaration, Event):
        for start in range(0, len(waiting), BATCH):
            rng = random.Random(f"{seed_value}:requests:{start}:{len(waiting)}")
            requests = []
            for pk, registered, channel, name in waiting[start : start + BATCH]:
                # 1–4 requests each, 2.5 on average; the first ones of a run cover every state.
                for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
                    forced = EVERY_STATE[created + len(requests)] if not start else None
                    sr = _request(rng, (pk, registered, channel), now, staff, window, state=forced)
                    sr.beneficiary_name = name
                    requests.append(sr)
            _number(requests, counters)
            for sr, request_pk in zip(
                requests, ids_reserve(SupportRequest, len(requests)), strict=True
            ):
                sr.id = request_pk
            copy_rows(SupportRequest, COLUMNS, map(_row_values, requests))
            _side_rows(requests, staff, content_type)
            created += len(requests)
        for year, value in counters.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last_value": value})
    visits = _home_visits(staff["researcher"])
    seconds = (timezone.now() - started).total_seconds()
    stdout.write(f"Support requests: {created} created in {seconds:.1f} s.")
    if visits:
        stdout.write(f"Home visits: {visits} scheduled for the researcher this week.")


def _home_visits(researcher: User) -> int:
    """A few home visits from today for the demo researcher's requests in research, so that
    her week and her home queue show some (once: a second run finds hers and adds none)."""
    if HomeVisit.objects.filter(researcher=researcher).exists():
        return 0
    today = timezone.localdate()
    in_research = (
        SupportRequest.objects.filter(state=State.IN_RESEARCH, researcher=researcher)
        .select_related("beneficiary")
        .order_by("decision_due_at")[:4]
    )
    visits = [
        HomeVisit(
            support_request=sr,
            researcher=researcher,
            date=today + timedelta(days=n),
            window_start=time(9 + 2 * n),
            window_end=time(10 + 2 * n),
            address=beneficiary_address(sr.beneficiary),
        )
        for n, sr in enumerate(in_research)
    ]
    return len(HomeVisit.objects.bulk_create(visits))
