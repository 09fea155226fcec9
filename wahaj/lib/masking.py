"""Masking of personal identifiers where the viewer may not see them whole (lists, exports).

Who may see them whole: holders of the permission below (managers, SPEC §1 and issue 10).
"""

from typing import Any

IDENTIFIERS_PERMISSION = "reports.view_personal_identifiers"
MASK = "•"


def mask_identifier(value: Any, *, visible: int = 4) -> str:
    """`1012345678` → `••••••5678`: enough to tell two files apart, not to identify her."""
    text = str(value or "")
    if len(text) <= visible:
        return MASK * len(text)
    return MASK * (len(text) - visible) + text[-visible:]
