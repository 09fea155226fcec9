#!/usr/bin/env python
"""Field encryption's cost (issue 19), in a fresh process on the bench database.

1. `fields_encrypt` — the function the migration runs — over every beneficiary and household
   member: seconds and the growth of the resident set's peak (VmHWM). The rows are already
   encrypted (seeded so), so each value is also decrypted first: an upper bound of the
   migration, whose rows are plain.
2. Search by national ID and the /status/ lookup, encrypted against a plain copy of the
   columns in the same database and run: the plain copy (`bench_national_id_plain`, unique
   index, and `bench_mobile_plain`) is what the table held before encryption. Encrypted: the
   real selectors (lookup hash, decryption of what the list shows). Plain: the same query on the
   plain column, nothing decrypted. Calls alternate, the medians are compared. The columns are
   dropped at the end.

Run by bench/run.py (its environment). Prints one JSON object.
"""

from __future__ import annotations

import hmac
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = 20
SAMPLES = 100
PLAIN_SQL = (
    "SELECT r.id, r.reference, r.state, r.request_type, r.submitted_at, r.decision_due_at, "
    "r.decided_at, r.delivered_at, r.return_reason, b.bench_national_id_plain AS national_id "
    "FROM requests_app_supportrequest r "
    "JOIN beneficiaries_beneficiary b ON b.id = r.beneficiary_id "
    "WHERE r.reference = %s"
)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def plain_copy_add() -> float:
    """The plain columns, filled from the decrypted values; returns the seconds it took."""
    from django.db import connection, transaction
    from psycopg2.extras import execute_values

    from beneficiaries.models import Beneficiary

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE beneficiaries_beneficiary ADD COLUMN bench_national_id_plain "
            "varchar(10), ADD COLUMN bench_mobile_plain varchar(128)"
        )
        # The index before the rows: built after their UPDATEs, on HOT chains those broke, it
        # would stay unusable while any older transaction runs on the server (indcheckxmin).
        cursor.execute(
            "CREATE UNIQUE INDEX bench_national_id_plain ON beneficiaries_beneficiary "
            "(bench_national_id_plain)"
        )
        rows = Beneficiary.objects.order_by("pk").values_list("pk", "national_id", "mobile")
        batch = []
        for pk, national_id, mobile in rows.iterator(chunk_size=5000):
            batch.append((pk, national_id, str(mobile)))
            if len(batch) == 5000:
                _plain_write(cursor, execute_values, batch)
                batch = []
        _plain_write(cursor, execute_values, batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE beneficiaries_beneficiary")
    return round(time.perf_counter() - started, 1)


def _plain_write(cursor, execute_values, batch) -> None:
    if batch:
        execute_values(
            cursor,
            "UPDATE beneficiaries_beneficiary b SET bench_national_id_plain = v.n, "
            "bench_mobile_plain = v.m FROM (VALUES %s) AS v(id, n, m) WHERE b.id = v.id",
            batch,
        )


def plain_copy_drop() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE beneficiaries_beneficiary DROP COLUMN bench_national_id_plain, "
            "DROP COLUMN bench_mobile_plain"
        )


def search_plain(national_id: str) -> list:
    """The list's query before encryption: the plain column's unique index, nothing decrypted."""
    from beneficiaries.models import Beneficiary
    from beneficiaries.selectors import LIST_FIELDS

    fields = [f for f in LIST_FIELDS if f not in ("national_id", "mobile")]
    return list(
        Beneficiary.objects.only(*fields)
        .extra(
            select={"plain_id": "bench_national_id_plain", "plain_mobile": "bench_mobile_plain"},
            where=["bench_national_id_plain = %s"],
            params=[national_id],
        )
        .order_by("-created_at", "-id")
    )


def status_plain(reference: str, national_id: str):
    from requests_app.models import SupportRequest

    found = next(iter(SupportRequest.objects.raw(PLAIN_SQL, [reference])), None)
    stored = found.national_id if found else "0" * 10
    return found if found and hmac.compare_digest(stored.encode(), national_id.encode()) else None


def _call_us(function, args: tuple) -> float:
    started = time.perf_counter_ns()
    function(*args)
    return (time.perf_counter_ns() - started) / 1000


def compare(encrypted, plain, arguments: list[tuple], expect) -> dict:
    """Median µs of each and their ratio. The two alternate call by call (the order flipped
    every round), so a burst of load elsewhere on the machine falls on both alike."""
    for args in arguments[:10]:  # both paths must answer the same
        if expect(encrypted(*args)) != expect(plain(*args)):
            raise SystemExit(f"encrypted and plain answers differ for {args}")
    times_encrypted, times_plain = [], []
    for round_number in range(ROUNDS):
        for args in arguments:
            if round_number % 2:
                times_plain.append(_call_us(plain, args))
                times_encrypted.append(_call_us(encrypted, args))
            else:
                times_encrypted.append(_call_us(encrypted, args))
                times_plain.append(_call_us(plain, args))
    median_encrypted = statistics.median(times_encrypted)
    median_plain = statistics.median(times_plain)
    return {
        "encrypted_median_us": round(median_encrypted, 1),
        "plain_median_us": round(median_plain, 1),
        "calls_each": len(times_encrypted),
        "ratio": round(median_encrypted / median_plain, 3),
    }


def lookup_figures() -> dict:
    from beneficiaries.models import Beneficiary
    from beneficiaries.selectors import beneficiary_search
    from portal.selectors import support_request_status_lookup
    from requests_app.models import SupportRequest

    total = Beneficiary.objects.count()
    step = max(1, total // SAMPLES)
    ids = [
        (n,)
        for n in Beneficiary.objects.order_by("pk").values_list("national_id", flat=True)[::step][
            :SAMPLES
        ]
    ]
    submitted = SupportRequest.objects.exclude(reference=None).order_by("pk")
    step = max(1, submitted.count() // SAMPLES)
    status = [
        (reference, national_id)
        for reference, national_id in submitted.values_list(
            "reference", "beneficiary__national_id"
        )[::step][:SAMPLES]
    ]
    return {
        "search_national_id": compare(
            lambda n: list(beneficiary_search(q=n)),
            search_plain,
            ids,
            lambda rows: [r.pk for r in rows],
        ),
        "status_lookup": compare(
            lambda r, n: support_request_status_lookup(reference=r, national_id=n),
            status_plain,
            status,
            lambda found: found.pk if found else None,
        ),
    }


def migration_figures() -> dict:
    from beneficiaries.models import Beneficiary, HouseholdMember
    from wahaj.lib.fields import fields_encrypt

    figures = {}
    for name, model in (("beneficiaries", Beneficiary), ("household_members", HouseholdMember)):
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here
        before = _status_kb("VmRSS")
        started = time.perf_counter()
        rows = fields_encrypt(model)
        figures[name] = {
            "rows": rows,
            "seconds": round(time.perf_counter() - started, 1),
            "peak_rss_growth_mb": round((_status_kb("VmHWM") - before) / 1024, 1),
        }
    return figures


def main() -> int:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/field_encryption.py measures PostgreSQL")
    # First, in a process that has read nothing yet: its memory figure is the function's own.
    figures = {"fields_encrypt": migration_figures()}
    figures["plain_copy_seconds"] = plain_copy_add()
    try:
        figures.update(lookup_figures())
    finally:
        plain_copy_drop()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
