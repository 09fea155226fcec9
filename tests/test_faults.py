"""The outbox under faults (issue 24): a worker killed after the gateway accepted, Redis stopped
under web traffic, Redis frozen under a submit, PostgreSQL restarted under web traffic. Each test
asserts one delivery per message, no 5xx but 503, and the time to recover — with the production
settings (15 s recovery tick, 30 s lease), a real worker with its beat, a private Redis where
Redis is stopped or frozen.

The PostgreSQL restart runs on a private cluster (initdb under /tmp, a free port), never on the
machine's shared PostgreSQL: gunicorn as in the Procfile with DEBUG off serves from it, threads
ask over HTTP, the cluster is stopped (fast: every connection cut) for 5 s and started. It proves
that a lost database is a 503 page with Retry-After (never a 500), that /readyz says 503 and
/healthz 200 while it is down, and that every page answers 200 again within 5 s of its return
(measured: at once, 0.0 s; migrate and collectstatic on the fresh cluster take about 20 s).

Marked `faults`: CI runs them on PostgreSQL and Redis (`.ci/run`); on SQLite they are skipped.
The figures are printed (`pytest -m faults -s`) and quoted in the README.
"""

import contextlib
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from notifications.backends.sms import _recorded
from notifications.models import Message
from notifications.services import message_build, messages_queue_bulk
from notifications.tests.conftest import UNIFONIC_OK
from notifications.tests.fake_gateway import FakeGateway
from notifications.tests.live_worker import (
    LiveWorker,
    PrivateRedis,
    free_port,
    this_process_publishes_to,
    wait_until,
)
from requests_app.tests.factories import ready_request

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = Message.Status
RECOVERY_LIMIT = 60  # seconds, from the worker or Redis coming back to the last row sent


def all_sent() -> bool:
    return not Message.objects.exclude(status=Status.SENT).exists()


def queue_many(count: int, prefix: str) -> list[Message]:
    with transaction.atomic():
        return messages_queue_bulk(
            [
                message_build(
                    channel="sms",
                    to="+966501234567",
                    template="request_received",
                    language="ar",
                    context={
                        "reference": f"{prefix}-{i}",
                        "name": "نورة",
                        "due_date": "2026-12-09",
                    },
                    idempotency_key=f"{prefix}:{i}",
                )
                for i in range(count)
            ]
        )


def test_a_worker_killed_after_the_gateway_accepted_sends_every_message_exactly_once(
    settings,
):
    """600 messages in batches; after 300 the gateway accepts the next one and the worker is
    killed before it hears so. The restarted worker's recovery must not send it again."""
    total = 600
    gateway = FakeGateway(default=UNIFONIC_OK, dedupe_field="CorrelationID").start()
    env = {
        "SMS_BACKEND": "notifications.backends.sms.UnifonicBackend",
        "SMS_GATEWAY_URL": gateway.url,
    }
    worker = LiveWorker(broker_url=settings.REDIS_URL, env=env, beat=True).start()
    try:
        with this_process_publishes_to(worker):
            gateway.hold_answer_after(total // 2)
            queue_many(total, "kill")
            wait_until(gateway.answer_held.is_set, timeout=120, what="the held answer")
            worker.kill()
            gateway.release()
            assert Message.objects.filter(status=Status.SENDING).count() == 1
            assert Message.objects.filter(status=Status.SENT).count() == total // 2

            worker = LiveWorker(
                broker_url=settings.REDIS_URL, env=env, queue=worker.queue, beat=True
            ).start()
            back = time.monotonic()
            wait_until(all_sent, timeout=RECOVERY_LIMIT + 30, what="every message sent")
            recovery = time.monotonic() - back
    finally:
        worker.stop()
        gateway.stop()
    accepted = Counter(gateway.reference_of(request) for request in gateway.accepted)
    duplicates = sum(count - 1 for count in accepted.values())
    print(
        f"\nFAULT kill-after-accept: {total} messages, {len(accepted)} accepted once, "
        f"{duplicates} duplicates, {gateway.duplicates_refused} repeats refused by reference, "
        f"recovered in {recovery:.1f} s after the worker restarted"
    )
    assert set(accepted) == set(Message.objects.values_list("reference", flat=True))
    assert duplicates == 0
    assert recovery <= RECOVERY_LIMIT


# --- Redis -----------------------------------------------------------------------------------
@pytest.fixture
def private_redis(settings):
    """A Redis of our own as broker and cache; the suite's cache is put back before it stops."""
    redis = PrivateRedis().start()
    saved = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATELIMIT_ENABLE = True
    yield redis
    settings.CACHES = saved
    if redis.process and redis.process.poll() is None:
        os.kill(redis.process.pid, signal.SIGCONT)
    redis.stop()


@pytest.fixture
def recording_worker(private_redis, tmp_path):
    path = tmp_path / "recorded.jsonl"
    worker = LiveWorker(
        broker_url=private_redis.url,
        env={
            "SMS_BACKEND": "notifications.backends.sms.RecordingBackend",
            "SMS_RECORDING_PATH": str(path),
        },
        beat=True,
    ).start()
    worker.recorded_references = lambda: [row[2] for row in _recorded(str(path))]
    with this_process_publishes_to(worker):
        yield worker
    worker.stop()


def assert_each_sent_exactly_once(worker: LiveWorker) -> None:
    delivered = Counter(worker.recorded_references())
    assert set(delivered) == set(Message.objects.values_list("reference", flat=True))
    assert set(delivered.values()) == {1}


class Traffic:
    """Staff submitting requests (each queues her SMS) and visitors looking up a status, from
    a few threads through the whole Django stack, until stopped; every status is counted."""

    def __init__(self, intake_user, requests: list) -> None:
        self.intake_user = intake_user
        self.requests = requests
        self.statuses: Counter = Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _count(self, response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1

    def _staff(self) -> None:
        client = Client()
        client.force_login(self.intake_user)
        while not self.stop.is_set():
            with self.lock:
                support_request = self.requests.pop() if self.requests else None
            if support_request is None:
                self._count(client.get(reverse("requests_app:list")))
            else:
                url = reverse("requests_app:act", args=[support_request.pk, "submit"])
                self._count(client.post(url))
            time.sleep(0.2)

    def _visitor(self) -> None:
        client = Client()
        while not self.stop.is_set():
            self._count(client.get(reverse("portal:status")))
            lookup = {"reference": "WHJ-2026-000001", "national_id": "1000000008"}
            self._count(client.post(reverse("portal:status"), lookup))
            time.sleep(0.2)

    def _run(self, target) -> None:
        try:
            target()
        finally:
            connection.close()

    def __enter__(self) -> "Traffic":
        self.threads = [
            threading.Thread(target=self._run, args=(t,)) for t in (self._staff, self._visitor)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_redis_stopped_under_web_traffic_pages_answer_and_messages_go_out_once_when_back(
    recording_worker, private_redis, intake_user
):
    requests = [ready_request(witness=intake_user) for _ in range(12)]
    with Traffic(intake_user, requests) as traffic:
        time.sleep(2)
        private_redis.stop(keep_dir=True)
        time.sleep(8)
        private_redis.start()
        back = time.monotonic()
        time.sleep(2)
    wait_until(all_sent, timeout=RECOVERY_LIMIT + 30, what="every message sent")
    recovery = time.monotonic() - back
    print(
        f"\nFAULT redis-stopped: answers {dict(traffic.statuses)}, "
        f"{Message.objects.count()} messages, recovered in {recovery:.1f} s after Redis returned"
    )
    assert traffic.statuses[503] > 0  # the rate-limited lookups during the outage
    assert not [s for s in traffic.statuses if s >= 500 and s != 503]
    assert Message.objects.filter(template="request_received").count() == 12
    assert_each_sent_exactly_once(recording_worker)
    assert recovery <= RECOVERY_LIMIT
    assert "Message Error" not in recording_worker.output()  # beat: one line, no traceback


def test_a_submit_while_redis_is_frozen_answers_within_a_second_and_a_half(
    recording_worker, private_redis, intake_user, client_as
):
    client = client_as(intake_user)
    warm_up, frozen_submit = (ready_request(witness=intake_user) for _ in range(2))
    client.post(reverse("requests_app:act", args=[warm_up.pk, "submit"]))
    wait_until(all_sent, timeout=30, what="the first message, Redis healthy")

    os.kill(private_redis.process.pid, signal.SIGSTOP)
    try:
        began = time.monotonic()
        response = client.post(reverse("requests_app:act", args=[frozen_submit.pk, "submit"]))
        submit_seconds = time.monotonic() - began
        began = time.monotonic()
        lookup = Client().post(
            reverse("portal:status"), {"reference": "WHJ-2026-000001", "national_id": "1"}
        )
        lookup_seconds = time.monotonic() - began
        began = time.monotonic()
        ready = Client().get("/readyz")
        readyz_seconds = time.monotonic() - began
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)
    back = time.monotonic()
    wait_until(all_sent, timeout=RECOVERY_LIMIT + 30, what="every message sent")
    recovery = time.monotonic() - back
    print(
        f"\nFAULT redis-frozen: submit {submit_seconds:.2f} s ({response.status_code}), "
        f"status lookup {lookup_seconds:.2f} s ({lookup.status_code}), "
        f"/readyz {readyz_seconds:.2f} s ({ready.status_code}), "
        f"recovered in {recovery:.1f} s after Redis thawed"
    )
    assert response.status_code == 302
    assert submit_seconds <= 1.5
    assert (lookup.status_code, lookup["Retry-After"]) == (503, "30")
    assert lookup_seconds <= 1.5
    assert ready.status_code == 503
    assert_each_sent_exactly_once(recording_worker)
    assert recovery <= RECOVERY_LIMIT


# --- PostgreSQL ------------------------------------------------------------------------------
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
RESTART_RECOVERY_LIMIT = 5  # seconds, from the database answering again to every page 200


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb under /tmp, trust, a free port) that a test may
    stop and start: the machine's one at 5432 is shared and never touched."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="wahaj-pg-"))
        # initdb refuses to run as root: the cluster then belongs to the postgres account.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/wahaj"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_owner, f"{PG_BIN[-1]}/{tool}", *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "--pgdata", str(self.dir / "data"), "--wait", *args)

    def create(self) -> "PrivatePostgres":
        self._run(
            "initdb",
            "--pgdata",
            str(self.dir / "data"),
            "--auth",
            "trust",
            "--username",
            "postgres",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        self.start()
        self._run("createdb", "--host", "127.0.0.1", "--port", str(self.port), "wahaj")
        return self

    def start(self) -> None:
        # fsync off: a throw-away cluster; what is tested is the app's side of the restart.
        options = f"-p {self.port} -h 127.0.0.1 -k {self.dir} -c fsync=off"
        self._pg_ctl("--log", str(self.dir / "log"), "--options", options, "start")

    def stop(self) -> None:
        self._pg_ctl("--mode", "fast", "stop")  # what a restart does: every connection cut

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._pg_ctl("--mode", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class ServedSite:
    """gunicorn as in the Procfile (2 workers × 4 threads) with production settings (DEBUG off,
    collected static files, persistent connections with health checks), on the given database;
    answered over plain HTTP as behind the TLS proxy."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="wahaj-site-"))
        base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
        self.env = {
            **base,
            "DEBUG": "0",
            "SECRET_KEY": "a-production-like-secret-" + "x7Q!pZ" * 10,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
            "CACHE_KEY_PREFIX": f"wahaj-faults-{uuid.uuid4().hex[:8]}",
            "STATIC_ROOT": str(self.dir / "static"),
            "BEHIND_TLS_PROXY": "1",
            # The traffic comes from one address: the lookups' limits would answer 429 instead
            # of reaching the database (as for `make bench`).
            "RATELIMIT_ENABLE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = self.dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.prepared_in = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        """migrate and collectstatic, side by side."""
        began = time.monotonic()
        steps = [
            subprocess.Popen(
                [sys.executable, "manage.py", *command, "--no-input", "-v0"],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for command in (["migrate"], ["collectstatic"])
        ]
        for step in steps:
            output, _ = step.communicate(timeout=120)
            assert step.returncode == 0, output.decode(errors="replace")
        self.prepared_in = time.monotonic() - began

    def start(self) -> "ServedSite":
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "wahaj.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--forwarded-allow-ips",
                "127.0.0.1",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: self.request("/readyz")[0] == 200, timeout=30, what="gunicorn")
        return self

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        """(status, body, headers) of one request; status 0 when no answer came at all."""
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.url + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={"X-Forwarded-Proto": "https", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - 127.0.0.1
                return response.status, response.read().decode(errors="replace"), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers
        except OSError as error:
            return 0, str(error), {}

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def site_on_private_postgres():
    """A served site on a PostgreSQL cluster of its own; both removed whatever happens."""
    if not PG_BIN:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    postgres = PrivatePostgres()
    site = None
    try:
        postgres.create()
        site = ServedSite(postgres.url)
        site.prepare()
        site.start()
        yield site, postgres
    finally:
        if site is not None:
            site.stop()
        postgres.destroy()


class Answer(NamedTuple):
    at: float  # time.monotonic() when it came
    path: str
    status: int  # 0: no answer at all
    retry_after: str | None


class HttpTraffic:
    """Visitors and staff over HTTP from a few threads until stopped: the probes, the status
    page and its lookups (which query the database), the staff login page. Every answer is kept
    as an Answer."""

    def __init__(self, site: ServedSite) -> None:
        self.site = site
        self.answers: list[Answer] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        status, body, headers = site.request("/status/")
        assert status == 200, body
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
        self.cookie = headers["Set-Cookie"].split(";")[0]  # csrftoken=…

    def _keep(self, path: str, answer: tuple) -> None:
        status, _body, headers = answer
        with self.lock:
            self.answers.append(Answer(time.monotonic(), path, status, headers.get("Retry-After")))

    def _pages(self) -> None:
        while not self.stop.is_set():
            for path in ("/healthz", "/status/", "/accounts/login/", "/readyz"):
                self._keep(path, self.site.request(path))
            time.sleep(0.05)

    def _lookups(self) -> None:
        origin = {"Origin": f"https://127.0.0.1:{self.site.port}", "Cookie": self.cookie}
        lookup = {
            "csrfmiddlewaretoken": self.token,
            "reference": "WHJ-2026-000001",
            "national_id": "1000000008",
        }
        while not self.stop.is_set():
            self._keep("POST /status/", self.site.request("/status/", lookup, origin))
            time.sleep(0.05)

    def __enter__(self) -> "HttpTraffic":
        self.threads = [
            threading.Thread(target=t) for t in (self._pages, self._lookups, self._lookups)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_postgresql_restarted_under_web_traffic_pages_answer_503_then_200_within_seconds(
    site_on_private_postgres,
):
    """gunicorn serving on its own cluster; the cluster is stopped (fast: every connection cut)
    for a few seconds and started again while visitors and staff keep asking."""
    site, postgres = site_on_private_postgres
    with HttpTraffic(site) as traffic:
        time.sleep(2)
        down = time.monotonic()
        postgres.stop()
        time.sleep(5)
        up = time.monotonic()
        postgres.start()
        back = time.monotonic()
        time.sleep(RESTART_RECOVERY_LIMIT + 3)
    failures_after = [a.at for a in traffic.answers if a.at > back and a.status != 200]
    recovery = max(failures_after, default=back) - back
    answered = [a for a in traffic.answers if a.at > up and a.status == 200]
    first_lookup = min(a.at for a in answered if a.path == "POST /status/") - up
    outage = [a for a in traffic.answers if down + 1 < a.at < up]  # the stop has taken hold
    print(
        f"\nFAULT postgres-restarted: migrate and collectstatic {site.prepared_in:.1f} s, "
        f"answers {dict(Counter(a.status for a in traffic.answers))}, "
        f"while down ({up - down:.1f} s) {dict(Counter((a.path, a.status) for a in outage))}, "
        f"database started in {back - up:.2f} s, first lookup 200 {first_lookup:.2f} s after the "
        f"start began, every page 200 again {recovery:.2f} s after the database was back"
    )
    errors = [a for a in traffic.answers if a.status >= 500 and a.status != 503]
    assert not errors, site.log.read_text()[-4000:]
    assert not [a for a in traffic.answers if a.status == 0]  # gunicorn always answered
    assert {a.status for a in outage if a.path == "/readyz"} == {503}
    assert {a.status for a in outage if a.path == "POST /status/"} == {503}
    assert {a.status for a in outage if a.path == "/healthz"} == {200}  # alive, not ready
    assert {a.retry_after for a in traffic.answers if a.status == 503 and a.path != "/readyz"} == {
        "30"
    }
    assert recovery <= RESTART_RECOVERY_LIMIT
    assert {a.status for a in traffic.answers if a.at > back + RESTART_RECOVERY_LIMIT} == {200}
