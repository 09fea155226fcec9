"""Cells of the CSV and XLSX files Wahaj writes (issue 18, item 2: formula injection).

Text typed by anyone — a survey comment through a public link, a name at the desk — must open
in Excel or LibreOffice as text, never as a formula (`=HYPERLINK(…)`, `@SUM(…)`, a DDE call).
A cell is risky when it begins with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP).
defusedcsv covers the first four but not the tab and the carriage return, and only the CSV:
one rule here serves both formats, so the exports cannot disagree.
"""

import re
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number ("-250", "+966501234567") computes to itself: left as it is, like defusedcsv.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,.]*")


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet program could read `value` as a formula."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def csv_text(value: Any) -> Any:
    """A CSV field: a risky text gets a leading apostrophe, which spreadsheets read as "text"."""
    return "'" + value if is_formula_like(value) else value


def csv_row(row: list[Any]) -> list[Any]:
    return [csv_text(value) for value in row]


def xlsx_row(sheet: WriteOnlyWorksheet, row: list[Any]) -> list[Any]:
    """A row for `sheet.append`: a risky text becomes a string cell (openpyxl would otherwise
    store a text starting with `=` as a formula); the text itself is kept as typed."""
    return [_string_cell(sheet, value) if is_formula_like(value) else value for value in row]


def _string_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell
