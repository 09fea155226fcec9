"""Masking of personal identifiers where the viewer may not see them whole (lists, exports).

Who may see them whole: holders of the permission below (managers, SPEC §1 and issue 10).
"""

import re
from collections.abc import Iterable
from typing import Any

IDENTIFIERS_PERMISSION = "reports.view_personal_identifiers"
MASK = "•"


def mask_identifier(value: Any, *, visible: int = 4) -> str:
    """`1012345678` → `••••••5678`: enough to tell two files apart, not to identify her."""
    text = str(value or "")
    if len(text) <= visible:
        return MASK * len(text)
    return MASK * (len(text) - visible) + text[-visible:]


# Free text (a survey comment) may carry what identifies someone: digits (an ID, a phone, a
# request reference), an e-mail, a name after a title, or a name we know (staff, herself).
_DIGIT_RUN = re.compile(r"[\d٠-٩۰-۹][\d٠-٩۰-۹\s\-/.\u200e\u200f\u061c]{1,}[\d٠-٩۰-۹]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TITLED_NAME = re.compile(
    r"(?P<title>(?:ال)?(?:أ|ا)ستاذة|(?:ال)?أخت|(?:ال)?اخت|(?:ال)?دكتورة|أ\s?[./]|د\s?[./]"
    r"|(?:Ms|Mrs|Miss|Mr|Dr)\.?)\s*(?P<name>\w{2,})",
    re.IGNORECASE,
)
# One-letter Arabic prefixes written onto a name: و (and), ف, ب, ل, ك.
_PREFIX = "[وفبلك]?"
WORD_MASK = MASK * 3


def mask_free_text(text: str, names: Iterable[str] = ()) -> str:
    """`text` with digit runs (5+ digits), e-mails, names after a title and the given `names`
    (words of 3+ letters) replaced by •••: what a comment says stays, not who."""
    text = _EMAIL.sub(WORD_MASK, str(text or ""))
    # Five digits or more: an ID, a phone, a reference, a date — not "10/10" or "5 نجوم".
    text = _DIGIT_RUN.sub(
        lambda m: WORD_MASK if sum(ch.isdigit() for ch in m[0]) >= 5 else m[0], text
    )
    text = _TITLED_NAME.sub(lambda m: f"{m['title']} {WORD_MASK}", text)
    words = sorted({w for name in names for w in str(name).split() if len(w) >= 3}, key=len)
    if words:
        alternatives = "|".join(re.escape(word) for word in reversed(words))
        pattern = re.compile(rf"(?<!\w){_PREFIX}(?:{alternatives})(?!\w)", re.IGNORECASE)
        text = pattern.sub(WORD_MASK, text)
    return text
