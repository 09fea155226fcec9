#!/usr/bin/env python
"""`make bench`: the figures of SPEC §11, measured side by side on one machine, in one run.

Seeds a fresh PostgreSQL database with `seed_demo --beneficiaries N`, serves it with gunicorn,
and times the pages through the real WSGI stack from a separate process (wrk), each against the
baselines named in SPEC §11 (Django admin's change list, a bare view) in the same run. Prints a
short summary on stderr and one JSON object with every figure on stdout (also written to
bench/results/latest.json).

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wahaj_bench — the
database is dropped and created), REDIS_URL (default redis://127.0.0.1:6379/9),
BENCH_BENEFICIARIES (default 100000), BENCH_SECONDS (per latency target, default 8),
BENCH_LOAD_SECONDS (mixed load, default 60), BENCH_REUSE=1 to keep an already seeded database.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wahaj_bench"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")
BENEFICIARIES = int(os.environ.get("BENCH_BENEFICIARIES", "100000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = 2  # one per core of the 2-core machine SPEC §11 is written for

SERVER_ENV = {
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CACHE_KEY_PREFIX": "bench",
    "DEBUG": "0",
    "SECRET_KEY": "bench-" + secrets.token_hex(24),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "RATELIMIT_ENABLE": "0",
    "LOG_LEVEL": "WARNING",
    "SMS_BACKEND": "notifications.backends.sms.ConsoleBackend",
    "DJANGO_SETTINGS_MODULE": "wahaj.settings",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**base, **SERVER_ENV, **extra}


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    )


# --- the database ----------------------------------------------------------------------------
def recreate_database() -> None:
    import psycopg2

    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    conn = psycopg2.connect(
        host=url.hostname, port=url.port or 5432, user=url.username or "postgres", dbname="postgres"
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def seed() -> dict:
    if os.environ.get("BENCH_REUSE") == "1":
        log("reusing the seeded database")
        return {"seed_seconds": None, "seed_reused": True}
    recreate_database()
    manage("migrate", "--noinput")
    log(f"seeding {BENEFICIARIES} beneficiaries ...")
    started = time.perf_counter()
    manage("seed_demo", "--beneficiaries", str(BENEFICIARIES))
    seconds = time.perf_counter() - started
    manage("shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")
    log(f"seeded in {seconds:.1f} s")
    return {"seed_seconds": round(seconds, 1), "seed_goal_seconds": 120}


# --- in-process measurements (Django set up on the bench database) ---------------------------
def django_setup() -> None:
    os.environ.update(SERVER_ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sessions() -> dict[str, str]:
    """A logged-in session key per demo role, made the way django.contrib.auth.login makes it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys = {}
    for username in ["intake", "researcher", "chair", "member1", "manager"]:
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[username] = store.session_key
    return keys


def sample_data() -> dict:
    from beneficiaries.models import Beneficiary
    from requests_app.models import SupportRequest

    open_request = (
        SupportRequest.objects.filter(state=SupportRequest.State.IN_COMMITTEE)
        .select_related("beneficiary")
        .order_by("pk")
        .first()
    ) or SupportRequest.objects.select_related("beneficiary").order_by("pk").first()
    some = Beneficiary.objects.order_by("pk")[BENEFICIARIES // 2 : BENEFICIARIES // 2 + 1].get()
    return {
        "request_pk": open_request.pk,
        "reference": open_request.reference,
        "national_id": open_request.beneficiary.national_id,
        "search_id": some.national_id,
        "search_name": some.full_name.split()[0][:3],
        "beneficiary_pk": some.pk,
    }


def enforce_window_figures() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.tasks import enforce_decision_window

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        enforce_decision_window()
        seconds = time.perf_counter() - started
    return {
        "enforce_decision_window_seconds": round(seconds, 3),
        "enforce_decision_window_queries": len(queries),
        "enforce_decision_window_goal_seconds": 2,
    }


def export_memory_figures() -> dict:
    """Peak RSS growth of a full CSV export, in a fresh process (bench/export_memory.py)."""
    result = subprocess.run(
        [PY, str(ROOT / "bench" / "export_memory.py")],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


# --- the server and the load generator -------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "wahaj.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


LUA = r"""
local paths = {}
local bodies = {}
local methods = {}
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
for line in io.lines(os.getenv("BENCH_TARGETS")) do
  local method, path, body = line:match("^(%S+)\t(%S+)\t?(.*)$")
  table.insert(methods, method); table.insert(paths, path); table.insert(bodies, body)
end
local i = 0
request = function()
  i = (i % #paths) + 1
  local headers = {["Cookie"] = cookie .. "; csrftoken=" .. csrf}
  if methods[i] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", paths[i], headers, bodies[i])
  end
  return wrk.format("GET", paths[i], headers)
end
local errors = 0
response = function(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end
done = function(summary, latency, requests)
  local out = io.open(os.getenv("BENCH_OUT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"non_2xx_3xx": %d, "socket_errors": %d}',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
  out:close()
end
"""


def wrk(port: int, targets: list[tuple[str, str, str]], *, cookie: str, seconds: int,
        connections: int = 1, threads: int = 1) -> dict:
    """Run wrk on the targets (method, path, body) in turn; return its figures."""
    workdir = Path(tempfile.mkdtemp(prefix="wahaj-bench-"))
    try:
        (workdir / "script.lua").write_text(LUA)
        (workdir / "targets.tsv").write_text(
            "".join(f"{m}\t{p}\t{b}\n" for m, p, b in targets)
        )
        csrf = "b" * 32
        subprocess.run(
            [
                "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                "-s", str(workdir / "script.lua"), f"http://127.0.0.1:{port}",
            ],
            env={
                **os.environ,
                "BENCH_TARGETS": str(workdir / "targets.tsv"),
                "BENCH_OUT": str(workdir / "out.json"),
                "BENCH_COOKIE": cookie,
                "BENCH_CSRF": csrf,
            },
            check=True,
            capture_output=True,
        )
        figures = json.loads((workdir / "out.json").read_text())
        figures["rps"] = round(figures["requests"] / figures["seconds"], 1)
        return figures
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_page(port: int, path: str, cookie: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def main() -> int:
    if not shutil.which("wrk"):
        log("wrk is missing: scripts/system-deps.sh bench installs it")
        return 2
    figures: dict = {"machine": {"cores": os.cpu_count(), "workers": WORKERS},
                     "beneficiaries": BENEFICIARIES}
    figures.update(seed())
    django_setup()
    data = sample_data()
    keys = sessions()
    figures.update(enforce_window_figures())
    figures.update(export_memory_figures())

    port = free_port()
    server = start_server(port)
    try:
        manager = f"sessionid={keys['manager']}"
        chair = f"sessionid={keys['chair']}"
        status_body = (
            f"reference={data['reference']}&national_id={data['national_id']}"
            f"&csrfmiddlewaretoken={'b' * 32}"
        )
        targets = {
            "bare_view": ("GET", "/healthz", "", ""),
            "staff_request_list": ("GET", "/requests/?state=in_committee", "", manager),
            "admin_change_list": (
                "GET", "/admin/requests_app/supportrequest/?state__exact=in_committee", "", manager,
            ),
            "beneficiary_search_national_id": (
                "GET", f"/beneficiaries/?q={data['search_id']}", "", manager,
            ),
            "beneficiary_search_name": (
                "GET", "/beneficiaries/?q=" + urllib.parse.quote(data["search_name"]), "", manager,
            ),
            "request_detail": ("GET", f"/requests/{data['request_pk']}/", "", manager),
            "committee_queue": ("GET", "/committee/", "", chair),
            "dashboard": ("GET", "/", "", manager),
            "status_lookup": ("POST", "/status/", status_body, ""),
        }
        latency = {}
        for name, (method, path, body, cookie) in targets.items():
            if method == "GET":
                code = check_page(port, path, cookie)
                if code != 200:
                    log(f"{name}: {path} answered {code}; skipped")
                    latency[name] = {"skipped": f"HTTP {code}"}
                    continue
            latency[name] = wrk(port, [(method, path, body)], cookie=cookie, seconds=SECONDS)
            log(f"{name}: median {latency[name]['p50_ms']:.1f} ms")
        figures["latency"] = latency

        def ratio(a: str, b: str) -> float | None:
            if "p50_ms" in latency.get(a, {}) and "p50_ms" in latency.get(b, {}):
                return round(latency[a]["p50_ms"] / latency[b]["p50_ms"], 3)
            return None

        figures["ratios"] = {
            "staff_list_over_admin_change_list": ratio("staff_request_list", "admin_change_list"),
            "staff_list_goal": 0.15,
            "status_over_bare_view": ratio("status_lookup", "bare_view"),
            "status_goal": 4,
            "dashboard_over_bare_view": ratio("dashboard", "bare_view"),
        }
        mixed = [
            ("POST", "/status/", status_body),
            ("GET", f"/beneficiaries/?q={data['search_id']}", ""),
            ("GET", f"/requests/{data['request_pk']}/", ""),
            ("GET", "/requests/?state=in_committee", ""),
        ]
        log(f"mixed load for {LOAD_SECONDS} s ...")
        figures["mixed_load"] = wrk(
            port, mixed, cookie=manager, seconds=LOAD_SECONDS, connections=8, threads=2
        )
        figures["mixed_load"]["concurrency"] = 8
    finally:
        server.terminate()
        server.wait(timeout=30)

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, ensure_ascii=False))
    summary = {k: v for k, v in figures["ratios"].items()}
    log(f"summary: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
