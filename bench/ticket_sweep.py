#!/usr/bin/env python
"""Issue 20: the tickets' deadline sweep (feedback/deadline.py) with BENCH_TICKETS (10,000) open
tickets past their answer deadline, in a fresh process: seconds and queries, against the same
sweep with ten, and a second run (which must send nothing).

Run by bench/run.py in the bench's environment (any migrated database will do: the tickets are
made here). Everything happens inside a transaction rolled back at the end — the tickets, their
escalations and the outbox rows — so the database is left as it was and nothing is published
to the broker (publishing waits for a commit). Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TICKETS = int(os.environ.get("BENCH_TICKETS", "10000"))


class Rollback(Exception):
    pass


def _overdue_tickets(count: int, serial: int) -> None:
    """`count` open tickets, due a day ago, never escalated (the set-up is not measured)."""
    from django.utils import timezone

    from feedback.models import Ticket

    now = timezone.now()
    Ticket.objects.bulk_create(
        [
            Ticket(
                kind=Ticket.Kind.INQUIRY,
                channel="phone",
                text=f"bench {serial}-{n}",
                contact_mobile="+966551112233",
                created_at=now - timedelta(days=4),
                due_at=now - timedelta(days=1),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )


def _sweep() -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feedback.tasks import enforce_ticket_deadlines

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = enforce_ticket_deadlines()  # the beat task itself, run here
        seconds = time.perf_counter() - started
    return round(seconds, 3), len(queries), result


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from accounts.roles import Role

    managers = get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True)
    figures: dict = {}
    try:
        with transaction.atomic():
            _sweep()  # warm the content-type cache and whatever the data holds already
            _overdue_tickets(10, 1)
            few = _sweep()
            _overdue_tickets(TICKETS, 2)
            many = _sweep()
            again = _sweep()
            figures = {
                "ticket_sweep_tickets": TICKETS,
                "ticket_sweep_managers": managers.count(),
                "ticket_sweep_seconds": many[0],
                "ticket_sweep_queries": many[1],
                "ticket_sweep_result": many[2],
                "ticket_sweep_10_due": {"seconds": few[0], "queries": few[1], **few[2]},
                "ticket_sweep_same_queries_10_and_many": few[1] == many[1],
                "ticket_sweep_second_run_sends_nothing": again[2]["messages"] == 0
                and again[2]["overdue"] == 0,
            }
            raise Rollback
    except Rollback:
        pass
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
