#!/usr/bin/env python
"""Refresh the Arabic catalogue and fill translations, safely from several shells at once.

    .venv/bin/python scripts/messages.py                 # makemessages for ar, report untranslated
    .venv/bin/python scripts/messages.py fill FILE.json  # {"English msgid": "العربية", ...}
    .venv/bin/python scripts/messages.py untranslated    # list msgids still without Arabic

Source strings are English; Arabic is the default language. The catalogue is
locale/ar/LC_MESSAGES/django.po; `make messages` compiles it.
"""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"
LOCK = ROOT / "locale" / ".lock"
IGNORE = [".venv", "var", "test-artifacts", "node_modules", "bench"]


def makemessages() -> None:
    args = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "ar",
        "--no-obsolete",
        "--no-location",
    ]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run(args, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL)  # noqa: S603


def untranslated(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def fill(po: polib.POFile, translations: dict[str, str | list[str]]) -> int:
    done = 0
    for entry in po:
        if entry.msgid not in translations:
            continue
        value = translations[entry.msgid]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value]
            # Arabic has six plural forms; repeat the last given form for the rest.
            entry.msgstr_plural = {i: forms[min(i, len(forms) - 1)] for i in range(6)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        done += 1
    return done


def main() -> int:
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        command = sys.argv[1] if len(sys.argv) > 1 else "update"
        if command in {"update", "fill"}:
            makemessages()
        po = polib.pofile(str(PO), wrapwidth=0)
        if command == "fill":
            translations = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
            print(f"filled {fill(po, translations)} entries")
            po.save()
        missing = untranslated(po)
        for entry in missing:
            print(f"untranslated: {entry.msgid!r}")
        print(f"{len(missing)} untranslated of {len(po)}")
        return 1 if missing and command == "untranslated" else 0


if __name__ == "__main__":
    sys.exit(main())
