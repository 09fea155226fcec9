"""Every string a person reads has its Arabic translation (Arabic is the default language)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "var", "test-artifacts", ".git", "node_modules", "bench", "__pycache__"}


def untranslated_entries(tree: Path) -> list[str]:
    """Run makemessages on a copy of `tree` and list the Arabic entries left empty or fuzzy."""
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ar",
            "--no-obsolete",
            "--no-location",
            *[arg for name in SKIP for arg in ("--ignore", name)],
        ],
        cwd=tree,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        capture_output=True,
    )
    po = polib.pofile(str(tree / "locale" / "ar" / "LC_MESSAGES" / "django.po"))
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


@pytest.fixture
def source_copy(tmp_path):
    copy = tmp_path / "wahaj"
    shutil.copytree(ROOT, copy, ignore=lambda _dir, names: [n for n in names if n in SKIP])
    return copy


def test_every_source_string_has_an_arabic_translation(source_copy):
    missing = untranslated_entries(source_copy)
    assert missing == [], f"untranslated Arabic entries: {missing}"


def test_a_new_untranslated_string_is_caught(source_copy):
    template = source_copy / "templates" / "zz_probe.html"
    template.write_text('{% load i18n %}{% translate "A sentence nobody translated yet" %}')
    assert "A sentence nobody translated yet" in untranslated_entries(source_copy)
