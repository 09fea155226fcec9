#!/usr/bin/env python
"""Peak memory growth of a full CSV export of every support request, in a fresh process.

Run by bench/run.py (its environment: the bench database, DEBUG off). A manager asks the
reports app's export view — the real view, URL and streaming response staff get — for
`/reports/export/requests.csv?state=` (every state), and the body is read chunk by chunk and
dropped, as a web server passes it on. The figure is the growth of the resident set's peak
(VmHWM) over the resident set before the export, once Django, the view's modules and the
database connection are warm. Prints one JSON object.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Start VmHWM afresh from the current resident set (Linux: `5` > clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def main() -> int:
    import django

    django.setup()
    from bench.sessions import logged_in_client

    client = logged_in_client("manager")

    def export(query: str) -> tuple[int, int]:
        response = client.get(f"/reports/export/requests.csv?{query}")
        if response.status_code != 200 or not response.streaming:
            raise SystemExit(
                f"export answered {response.status_code} (streaming: {response.streaming})"
            )
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        return size, lines - 1  # less the header

    export("state=draft")  # warm: imports, translations, the connection, the first cursor
    gc.collect()
    peak_reset = _reset_peak()
    before = _status_kb("VmRSS")
    peak_before = _status_kb("VmHWM")
    started = time.perf_counter()
    size, rows = export("state=")  # every state: the whole table
    seconds = time.perf_counter() - started
    peak = _status_kb("VmHWM")
    print(
        json.dumps(
            {
                "export_rows": rows,
                "export_megabytes": round(size / 1024 / 1024, 1),
                "export_seconds": round(seconds, 1),
                "export_rss_before_mb": round(before / 1024, 1),
                "export_peak_rss_mb": round(peak / 1024, 1),
                "export_peak_rss_growth_mb": round((peak - before) / 1024, 1),
                # Without clear_refs the peak may predate the export: the growth is then an
                # upper bound only if the peak rose.
                "export_peak_reset": peak_reset or peak > peak_before,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
