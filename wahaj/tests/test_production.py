"""What outside checkers flag on a live server (issue 17, points 5 and 6): compressed static
files, the language cookie, HEAD, the favicon and description, one time zone in the logs."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "a-production-like-secret-" + "x7Q!pZ" * 10}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """`code` in a new process on the project's settings (production ones if asked)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "wahaj.settings", **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def production_static(tmp_path_factory) -> Path:
    """What `manage.py collectstatic` writes with production settings."""
    root = tmp_path_factory.mktemp("static")
    result = run_python(
        "from django.core.management import call_command\n"
        "call_command('collectstatic', interactive=False, verbosity=0)",
        **PRODUCTION,
        STATIC_ROOT=str(root),
    )
    assert result.returncode == 0, result.stderr
    return root


def test_production_collects_static_files_hashed_and_compressed(production_static):
    assert (production_static / "staticfiles.json").exists()
    [hashed] = [p for p in (production_static / "css").glob("wahaj.*.css") if p.suffix == ".css"]
    assert re.fullmatch(r"wahaj\.[0-9a-f]{12}\.css", hashed.name)
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert hashed.with_name(hashed.name + ".br").exists()


def test_whitenoise_sends_the_compressed_copy_cached_for_good(production_static, settings):
    settings.STATIC_ROOT = production_static
    settings.WHITENOISE_USE_FINDERS = False
    production = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": production}}
    # Bootstrap's right-to-left CSS: on every Arabic page, the largest file of all.
    [css] = (production_static / "vendor/bootstrap").glob("bootstrap.rtl.min.*.css")
    response = Client().get(f"/static/vendor/bootstrap/{css.name}", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert len(b"".join(response.streaming_content)) < css.stat().st_size / 4
    assert "immutable" in response["Cache-Control"]


def test_in_production_the_language_cookie_is_secure_and_http_only():
    result = run_python(
        "from django.conf import settings as s\n"
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SAMESITE)",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["True", "True", "Lax"], result.stderr


def test_the_language_switch_sets_its_cookie_with_those_flags(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True
    client.post("/i18n/setlang/", {"language": "en", "next": "/status/"})
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["secure"]
    assert cookie["httponly"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/status/", "/portal/login/"])
def test_head_on_a_public_page_answers_like_get(client, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_page_links_its_icon_and_describes_itself(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/login/").content.decode()
    [icon] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert client.get(icon).status_code == 200
    [description] = re.findall(r'<meta name="description" content="([^"]+)">', html)
    arabic = re.search(r"[\u0600-\u06ff]", description)
    assert bool(arabic) == (language == "ar")


def test_a_client_asking_for_favicon_ico_is_sent_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")


def test_without_redis_the_broker_keeps_all_its_files_under_var():
    result = run_python(
        "from django.conf import settings as s\n"
        "print(*s.CELERY_BROKER_TRANSPORT_OPTIONS.values(), sep='\\n')",
        DEBUG="1",
        REDIS_URL="",
    )
    folders = [line for line in result.stdout.splitlines() if line.startswith("/")]
    assert len(folders) == 4, result.stdout + result.stderr  # in, out, processed, control
    assert all(Path(folder).is_relative_to(settings.BASE_DIR / "var") for folder in folders)


def test_what_a_worker_prints_is_an_info_line_in_the_time_zone_without_her_number():
    """The console SMS backend prints; a Celery worker turns that into a log line. It must be
    INFO (not WARNING), carry the offset of TIME_ZONE like every other line, and go through the
    personal-data filter."""
    result = run_python(
        "from wahaj.celery import app\n"
        "app.log.setup(loglevel='INFO', redirect_stdouts=True,\n"
        "              redirect_level=app.conf.worker_redirect_stdouts_level)\n"
        "print('SMS to +966501234567: your visit is tomorrow')\n",
        DEBUG="1",
        TIME_ZONE="Asia/Riyadh",
    )
    [line] = [line for line in result.stderr.splitlines() if "SMS to" in line]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0300 INFO celery\.redirected ", line), line
    assert "966501234567" not in line
