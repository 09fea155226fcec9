#!/usr/bin/env python
"""Issue 21: queueing a program cycle's SMS for 50,000 women through the outbox, in a fresh
process: seconds and queries of `programs.delivery.cycle_notify` (what the worker's task runs
after a cycle's approval), and the publish of the rows to the broker after the commit.

Run by bench/run.py on the bench database (seeded by seed_demo). An approved cycle of the demo
"Ramadan food basket" program is given BENCH_CYCLE_SMS (50,000) approved entries — the first
files, written directly: generating and approving the list is bench/cycle_eligibility.py's
figure — then told, chunk by chunk, as the task does; everything happens inside a transaction
rolled back at the end, so the bench database is left as it was. The publish is timed on the
same ids and its tasks purged from the broker (no worker runs in the bench). That a killed
worker loses or doubles nothing is a test (tests/test_programs_outbox_integration.py).
Prints one JSON object.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNT = int(os.environ.get("BENCH_CYCLE_SMS", "50000"))


class Rollback(Exception):
    pass


def _approved_cycle(count: int):
    from django.utils import timezone

    from beneficiaries.models import Beneficiary
    from programs import eligibility
    from programs.demo import RAMADAN_PROGRAM
    from programs.models import Cycle, CycleEntry, Program
    from wahaj.lib.bulk import insert_many

    program = Program.objects.get(name=RAMADAN_PROGRAM)
    fund = program.program_funds.order_by("position").first().fund
    starts = timezone.now().replace(hour=6, minute=0, second=0, microsecond=0)
    cycle = Cycle.objects.create(
        program=program,
        name="bench-sms",
        fund=fund,
        status=Cycle.Status.APPROVED,
        delivery_place="مقر الجمعية",
        delivery_starts=starts,
        delivery_ends=starts + timedelta(hours=6),
        what_to_bring="الهوية الوطنية",
        entitlement=eligibility.entitlement_of(program),
    )
    ids = list(Beneficiary.objects.order_by("pk").values_list("pk", flat=True)[:count])
    now = timezone.now()
    insert_many(
        [
            CycleEntry(
                cycle=cycle,
                beneficiary_id=pk,
                status=CycleEntry.Status.APPROVED,
                reference=f"C{cycle.pk}-{n:06d}",
                amount=Decimal("0"),
                value=Decimal("250"),
                updated_at=now,
            )
            for n, pk in enumerate(ids, start=1)
        ]
    )
    return cycle, len(ids)


def main() -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from notifications.models import Message
    from notifications.services import _enqueue_many
    from programs import delivery
    from wahaj.celery import app

    figures: dict = {}
    try:
        with transaction.atomic():
            cycle, entries = _approved_cycle(COUNT)
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                told = delivery.cycle_notify(cycle_id=cycle.pk)
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
            ids = list(
                Message.objects.filter(template=delivery.NOTICE_TEMPLATE).values_list(
                    "pk", flat=True
                )
            )
            started = time.perf_counter()
            published = _enqueue_many(ids)
            publish_seconds = time.perf_counter() - started
            figures = {
                "cycle_sms_entries": entries,
                "cycle_sms_queued": len(ids),
                "cycle_sms_told": told,
                "cycle_sms_seconds": round(seconds, 2),
                # This process's CPU alone (Python building the rows): on a loaded machine the
                # wall time above also counts waiting for the cores.
                "cycle_sms_cpu_seconds": round(cpu, 2),
                "cycle_sms_queries": len(queries),
                "cycle_sms_publish_seconds": round(publish_seconds, 2),
                "cycle_sms_published": published,
            }
            raise Rollback
    except Rollback:
        pass
    with contextlib.suppress(Exception):  # no broker: nothing was published
        app.control.purge()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
