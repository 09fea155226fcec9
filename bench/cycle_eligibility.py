#!/usr/bin/env python
"""Issue 21: a program cycle's eligible list over every beneficiary of the bench database, in
a fresh process: seconds, queries, and the growth of the resident set's peak.

Run by bench/run.py (its environment: the bench database, seeded by seed_demo, whose
programs.demo adds the "Ramadan food basket" program). The cycle is generated with the
service staff use (programs.services.cycle_generate), inside a transaction rolled back at
the end, so the bench database is left as it was. (That the query count does not grow with
the files is a test: programs/tests/test_cycles.py.) Prints one JSON object.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_memory import _reset_peak, _status_kb  # noqa: E402


class Rollback(Exception):
    pass


def _generate(cycle) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programs import services

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        cycle = services.cycle_generate(actor=None, cycle=cycle)
    seconds = time.perf_counter() - started
    return seconds, len(queries), cycle


def main() -> int:
    import django

    django.setup()
    from django.db import transaction

    from programs import services
    from programs.demo import RAMADAN_PROGRAM
    from programs.models import Program

    program = Program.objects.get(name=RAMADAN_PROGRAM)
    fund = program.program_funds.order_by("position").first().fund
    figures: dict = {}
    try:
        with transaction.atomic():
            cycle = services.cycle_create(actor=None, program=program, name="bench", fund=fund)
            gc.collect()
            peak_reset = _reset_peak()
            before = _status_kb("VmRSS")
            many = _generate(cycle)
            peak = _status_kb("VmHWM")
            figures = {
                "cycle_eligibility_entries": many[2].entries.count(),
                "cycle_eligibility_eligible": many[2].eligible_count,
                "cycle_eligibility_seconds": round(many[0], 2),
                "cycle_eligibility_queries": many[1],
                "cycle_eligibility_peak_rss_growth_mb": round((peak - before) / 1024, 1),
                "cycle_eligibility_peak_reset": peak_reset,
            }
            raise Rollback
    except Rollback:
        pass
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
