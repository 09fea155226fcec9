#!/usr/bin/env python3
"""`make run` as a newcomer runs it, checked (.ci/run; issue 17): on a fresh clone with nothing
set, in a terminal, it serves; its log lines (gunicorn, Django, Celery) are in one time zone;
Ctrl-C stops web, worker and beat quietly with exit 0; and it leaves no file outside var/ and
.venv/ that git would show (nor any ignored one but the compiled catalogue and Python's caches).

    python3 scripts/check_make_run.py [REPOSITORY]      # default: this repository's HEAD

Serves on a free port (WAHAJ_PORT), never on :8000.
"""

import contextlib
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

START_TIMEOUT = 900  # a fresh .venv is built from PyPI first
STOP_TIMEOUT = 60
# What make run may leave besides var/ and .venv/: ignored by .gitignore and expected.
ALLOWED = re.compile(r"^(var/|\.venv/)|(^|/)__pycache__/|\.pyc$|^locale/.*\.mo$")
NOISE = ("Error 130", "Interrupt", "Traceback", "exited with", "make: ***")
STOPPED = re.compile(r"^(web|worker|beat)\.1 stopped \(rc=(-?\d+)\)", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def run_in_terminal(clone: Path, port: int) -> tuple[int, str]:
    """`make run` in a pseudo-terminal; Ctrl-C once it answers. Returns (exit code, output)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env["WAHAJ_PORT"] = str(port)
    pid, fd = pty.fork()
    if pid == 0:  # the child: make, as typed in a terminal
        os.chdir(clone)
        os.execvpe("make", ["make", "run"], env)  # noqa: S606, S607 - what a person types
    output, started, stop_sent, status = b"", time.monotonic(), None, None
    while status is None:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            with contextlib.suppress(OSError):  # the terminal closed: make has ended
                output += os.read(fd, 65536)
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
            break
        elapsed = time.monotonic() - started
        if stop_sent is None and answers(port):
            time.sleep(3)  # worker and beat up too
            os.write(fd, b"\x03")  # Ctrl-C, as a person types it
            stop_sent = time.monotonic()
        too_long = (stop_sent is None and elapsed > START_TIMEOUT) or (
            stop_sent is not None and time.monotonic() - stop_sent > STOP_TIMEOUT
        )
        if too_long:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
    try:
        while chunk := os.read(fd, 65536):
            output += chunk
    except OSError:
        pass
    text = output.decode(errors="replace")
    if stop_sent is None:
        raise SystemExit(f"check_make_run: make run never answered on :{port}\n{text[-4000:]}")
    return status, text


def leftovers(clone: Path) -> list[str]:
    listing = subprocess.run(
        ["git", "status", "--porcelain", "-z", "--ignored", "--untracked-files=all"],  # noqa: S607
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    paths = [entry[3:] for entry in listing.split("\0") if entry[:2] in ("??", "!!")]
    return [path for path in paths if not ALLOWED.search(path)]


def main() -> int:
    source = sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).resolve().parents[1])
    workdir = Path(tempfile.mkdtemp(prefix="wahaj-make-run-"))
    clone = workdir / "wahaj"
    try:
        subprocess.run(["git", "clone", "--quiet", source, str(clone)], check=True)  # noqa: S603, S607
        began = time.monotonic()
        status, output = run_in_terminal(clone, free_port())
        print(f"check_make_run: make run served and stopped in {time.monotonic() - began:.0f} s")
        problems = []
        if status != 0:
            problems.append(f"Ctrl-C ended make run with exit {status}, not 0")
        problems += [f"make run printed {word!r}" for word in NOISE if word in output]
        stopped = dict(STOPPED.findall(output))
        if stopped != {"web": "0", "worker": "0", "beat": "0"}:
            problems.append(f"the three processes did not all stop with 0: {stopped}")
        problems += [f"left behind: {path}" for path in leftovers(clone)]
        # gunicorn's, Django's and Celery's lines: one time zone (each line carries its offset).
        offsets = set(re.findall(r"\d\d:\d\d:\d\d(?:,\d+)? ([+-]\d{4})\b", output))
        if len(offsets) != 1:
            problems.append(f"log lines in {len(offsets)} time zones: {sorted(offsets)}")
        if problems:
            print(output[-6000:])
            print("\n".join(f"check_make_run: {problem}" for problem in problems))
            return 1
        print(output[output.rfind("SIGINT received") :].strip())  # how it stopped
        print("check_make_run: exit 0 on Ctrl-C, nothing left outside var/ and .venv/")
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
