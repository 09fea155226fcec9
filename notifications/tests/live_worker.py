"""A real Celery worker in a subprocess, on the real Redis and pytest-django's test database.

Used by the integration tests (marked `integration`): each worker consumes its own queue, so two
workers (or two test runs sharing one Redis database) never take each other's tasks.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

from notifications.services import BrokerPause
from wahaj.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))


def wait_until(predicate: Callable[[], object], *, timeout: float = 20, what: str = "") -> object:
    """Poll until predicate() is truthy; fail after `timeout` seconds (never sleep blindly)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(0.05)


def test_database_url() -> str:
    """pytest-django's test database (e.g. test_wahaj_ntf), for the worker to use."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveWorker:
    def __init__(
        self,
        *,
        broker_url: str,
        env: dict[str, str] | None = None,
        queue: str = "",
        beat: bool = False,
    ) -> None:
        self.broker_url = broker_url
        self.beat = beat  # an embedded beat: the recovery tick runs as in production
        self.queue = queue or f"wahaj-test-{uuid.uuid4().hex[:10]}"
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="wahaj-worker-", suffix=".log")[1])
        self.started_in: float = 0.0

    def start(self) -> "LiveWorker":
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": self.broker_url,
            "CONN_MAX_AGE": "0",  # no idle connection kept to the test database
            # What it (and its beat) publishes comes back to it.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        self.log.write_text("")
        began = time.monotonic()
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "wahaj",
                "worker",
                "--pool",
                "solo",  # one process: SIGKILL stops the send in flight, no orphan
                "--queues",
                self.queue,
                "--hostname",
                f"{self.queue}-{uuid.uuid4().hex[:4]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
                *self._beat_options(),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._ready, timeout=30, what="the worker to be ready")
        self.started_in = time.monotonic() - began
        return self

    def _beat_options(self) -> list[str]:
        if not self.beat:
            return []
        schedule = Path(tempfile.mkdtemp(prefix="wahaj-beat-")) / "schedule"
        return ["--beat", "--schedule", str(schedule)]

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.output()}")
        return " ready." in self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, nothing cleaned up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.unlink(missing_ok=True)


def _reset_broker_connections() -> None:
    # Dropped, not closed: kombu keeps one pool per broker URL and hands the same one back.
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None
    BrokerPause.until = 0.0  # a failure on another broker must not pause this one


@contextlib.contextmanager
def this_process_publishes_to(worker: LiveWorker) -> Iterator[None]:
    """Point this (the test's) process's Celery app at the worker's broker and queue."""
    saved = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app.conf.broker_url = worker.broker_url
    celery_app.conf.task_default_queue = worker.queue
    _reset_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_default_queue = saved
        _reset_broker_connections()


class PrivateRedis:
    """A redis-server of our own on a free port, which a test may stop and start again (never
    the machine's shared one)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="wahaj-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what="the private redis-server")
        return self

    def _answers(self) -> bool:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock,
        ):
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def stop(self, *, keep_dir: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
