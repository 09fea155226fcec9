"""Loading many rows at once, for `seed_demo` at the scale of `make bench` (SPEC §11).

`bulk_create` spends its time building and adapting model instances (measured: the survey
demo took 13.6 s for 10,000 invitations and their answers, 4.2 s with COPY of plain tuples).
On SQLite (development) `copy_rows` falls back to bulk_create.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from io import StringIO

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.total_seconds()} seconds"
    return str(value).translate(_ESCAPES)


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples of values for `columns`, attribute names) into `model`'s table.

    Columns left out get their database default, so a NOT NULL column needs one
    (`db_default`) or must be listed. No signals, no `save()`: seed data only.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    buffer = StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
