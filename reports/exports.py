"""Exports of the staff lists as CSV and XLSX, streamed (SPEC §8).

Rows come from `values_list(...).iterator(chunk_size=…)` — a server-side cursor on PostgreSQL —
and leave as they are read: a 250,000-row CSV is never held in memory. XLSX is written by
openpyxl's write-only workbook, which spools rows to a temporary file, then that file is
streamed. National IDs and mobiles are masked unless the user may see personal identifiers.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from wahaj.lib.masking import mask_identifier as mask
from wahaj.lib.spreadsheets import csv_row, xlsx_row

# Rows per database round trip and per piece of the response: the peak memory of a full export
# follows it (make bench, 249,637 requests: 7.5 MB at 2,000, 3.2 MB at 1,000, the same 32 s).
CHUNK = 1000


def _cell(value: Any) -> Any:
    """A value as a spreadsheet shows it: local times, plain numbers, text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value
    return value if isinstance(value, (int, float, str)) else str(value)


@dataclass(frozen=True)
class Column:
    header: Any
    field: str
    # "national_id" and "mobile" are masked without the permission; `choices` gives labels.
    kind: str = "text"
    choices: Any = None
    # Called once per export, returns the value → cell function (e.g. masking a comment).
    convert: Callable[[], Callable[[Any], Any]] | None = None


PERSONAL = ("national_id", "mobile")


@dataclass
class ListExport:
    """One list's export: its columns and the filtered queryset it reads."""

    name: str
    title: Any
    columns: list[Column]
    queryset: Callable[[dict], QuerySet]  # GET parameters → the filtered rows
    # Where the list page keeps its posted search text, if it has one (`wahaj.lib.search`).
    session_key: str | None = None

    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def rows(self, params: dict, *, unmasked: bool) -> Iterator[list[Any]]:
        """The rows as plain values, read CHUNK at a time."""
        convert = [self._converter(column, unmasked=unmasked) for column in self.columns]
        fields = [column.field for column in self.columns]
        queryset = self.queryset(params).values_list(*fields)
        for row in queryset.iterator(chunk_size=CHUNK):
            yield [c(v) for c, v in zip(convert, row, strict=True)]

    @staticmethod
    def _converter(column: Column, *, unmasked: bool) -> Callable[[Any], Any]:
        if column.convert is not None:
            return column.convert()
        if column.kind in PERSONAL and not unmasked:
            return mask
        if column.choices is not None:
            # Labels are translated once, not once per row.
            labels = {key: str(label) for key, label in dict(column.choices).items()}
            return lambda value: labels.get(value, value or "")
        if column.kind in PERSONAL:
            return lambda value: str(value or "")
        return _cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in pieces of CHUNK rows; a byte-order mark first so Excel reads Arabic.

    Every row goes through `csv_row`: a typed text opens as text, never as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(csv_row(headers))
    for count, row in enumerate(rows, start=1):
        writer.writerow(csv_row(row))
        if count % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(title: str, headers: list[str], rows: Iterable[list[Any]]):
    """A temporary XLSX file (opened, at its start) with the rows; the caller streams it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title)[:31])
    sheet.sheet_view.rightToLeft = True
    sheet.append(xlsx_row(sheet, headers))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook.save(spool)
    spool.seek(0)
    return spool


NOT_ALLOWED = _("You may not export lists.")
UNKNOWN_LIST = _("There is no such list to export.")
