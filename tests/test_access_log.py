"""No survey or portal token, no code, reaches gunicorn's access log (issue 18, item 9).

A real gunicorn, started from the project root as the Procfile does, so it reads
gunicorn.conf.py; the lines are read from its access log file.
"""

import contextlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from notifications.tests.live_worker import free_port, wait_until

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
TOKEN = "Zq3xV9_kP2mN8rT5wY1bC4dF7gH0jL6sA-eU"  # what secrets.token_urlsafe(32) looks like


def _get(url: str, **headers: str) -> None:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our local server
    # The status does not matter here, only the log line.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = {**os.environ, "DEBUG": "1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [GUNICORN, "wahaj.wsgi", "--bind", f"127.0.0.1:{port}", "--access-logfile", str(log)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()  # noqa: S310
        except OSError:
            return False
        return True

    try:
        wait_until(answers, timeout=30, what="gunicorn to answer")
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_survey_link_its_referer_and_a_query_string_leave_no_secret_in_the_access_log(gunicorn):
    base, log = gunicorn
    survey_link = f"{base}/surveys/r/{TOKEN}/"
    _get(survey_link)
    _get(f"{base}/static/css/wahaj.css", Referer=survey_link)
    _get(f"{base}/portal/login/code/?code=482913&national_id=1000000008")
    _get(f"{base}/accounts/reset/MQ/{TOKEN}/")
    wait_until(lambda: log.read_text().count("\n") >= 5, what="the five access log lines")
    lines = log.read_text()
    assert TOKEN not in lines
    assert "482913" not in lines
    assert "1000000008" not in lines
    assert '"GET /surveys/r/[token]/ HTTP/1.1" ' in lines
    assert '"GET /portal/login/code/?[query] HTTP/1.1" ' in lines
    assert "/static/css/wahaj.css" in lines  # ordinary paths stay readable
