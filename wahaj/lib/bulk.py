"""Loading many rows at once: `seed_demo` at the scale of `make bench` (SPEC §11), and the
window sweep's messages and timeline events (`insert_many`).

`bulk_create` spends its time building and adapting model instances (measured: the survey
demo took 13.6 s for 10,000 invitations and their answers, 4.2 s with COPY of plain tuples).
On SQLite (development) `copy_rows` falls back to bulk_create, `ids_reserve` counts on from the
largest id and `foreign_keys_checked_once` does nothing.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from io import StringIO
from itertools import islice

from django.db import connection, models

from wahaj.lib.fields import EncryptedMixin, hash_fields, hash_of

NULL = "\\N"
ROWS_PER_READ = 1000


def _converters(model: type[models.Model], columns: list[str]) -> list[tuple[int, Callable]]:
    """What the csv module cannot write as PostgreSQL reads it: JSON, durations, and the
    encrypted fields (a token, as a save would store it)."""
    converters = []
    for index, name in enumerate(columns):
        field = model._meta.get_field(name)
        if isinstance(field, EncryptedMixin):
            converters.append((index, field.get_prep_value))
        elif isinstance(field, models.JSONField):
            converters.append((index, partial(json.dumps, cls=field.encoder)))
        elif isinstance(field, models.DurationField):
            converters.append((index, lambda value: f"{value.total_seconds()} seconds"))
    return converters


class _CsvStream:
    """A file whose `read()` formats the next rows as CSV.

    psycopg2 sends each chunk as soon as it is read, so PostgreSQL inserts one chunk while
    Python formats (and, for a generator, builds) the next: two processes, both cores.
    """

    def __init__(self, rows: Iterable, converters: list[tuple[int, Callable]]) -> None:
        self._rows = iter(rows)
        self._converters = converters
        self._buffer = StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def _row(self, row) -> Iterable:
        if self._converters:
            row = list(row)
            for index, convert in self._converters:
                if row[index] is not None:
                    row[index] = convert(row[index])
        # str(None) would be "None"; csv writes True, dates and Decimals as PostgreSQL reads them.
        return row if None not in row else [NULL if value is None else value for value in row]

    def read(self, size: int = -1) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(map(self._row, islice(self._rows, ROWS_PER_READ)))
        return self._buffer.getvalue()


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable) -> None:
    """Insert `rows` (tuples of values for `columns`, attribute names) into `model`'s table.

    Columns left out get their database default, so a NOT NULL column needs one
    (`db_default`) or must be listed. No signals, no `save()`: seed data only. `rows` may be a
    generator: it runs while PostgreSQL inserts what it has produced so far. The lookup hash of
    an encrypted column given (`national_id_hash`) is computed here, whether listed or not.
    """
    columns, rows = _with_lookup_hashes(model, columns, rows)
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    stream = _CsvStream(rows, _converters(model, columns))
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", stream
        )


def _with_lookup_hashes(
    model: type[models.Model], columns: list[str], rows: Iterable
) -> tuple[list[str], Iterable]:
    """`columns` and `rows` with the lookup hash of each hashed source column filled in."""
    hashed = [f for f in hash_fields(model) if f.source in columns]
    if not hashed:
        return columns, rows
    columns = list(columns)
    for field in hashed:
        if field.attname not in columns:
            columns.append(field.attname)
    slots = [(columns.index(f.attname), columns.index(f.source), f.source_field()) for f in hashed]

    def filled(row) -> list:
        row = list(row)
        row.extend([None] * (len(columns) - len(row)))
        for slot, source, field in slots:
            row[slot] = hash_of(field, row[source])
        return row

    return columns, map(filled, rows)


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for rows that `copy_rows` will insert with their id given, so
    that their children can be built without reading the ids back."""
    table = model._meta.db_table
    if connection.vendor == "postgresql" and count:
        with connection.cursor() as cursor:
            # One jump of the sequence (a nextval per row cost 15 µs each: 8 s for the seed),
            # safe because no one else inserts while the table is locked, until commit.
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(seq, nextval(seq) + %s - 1)"
                " FROM pg_get_serial_sequence(%s, %s) AS seq",
                [count, table, model._meta.pk.column],
            )
            last = cursor.fetchone()[0]
        return list(range(last - count + 1, last + 1))
    # SQLite, one writer: the ids after the largest (a given id moves its sequence on).
    last = model.objects.aggregate(last=models.Max("pk"))["last"] or 0
    return list(range(last + 1, last + 1 + count))


def insert_many(objects: list[models.Model]) -> list[models.Model]:
    """`bulk_create` for thousands of unsaved instances of one model, without its cost per
    field and row: ids are drawn from the table's sequence (one statement), then the rows go
    in by COPY. What the instances hold is written as is: no `save()`, no signals, defaults
    already applied by the constructor. Returns the instances, their `pk` set. An
    IntegrityError (a unique key taken) aborts the whole COPY: run it in a savepoint.
    """
    if not objects:
        return objects
    model = type(objects[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
            instance._state.adding = False
    columns = [field.attname for field in model._meta.concrete_fields]
    copy_rows(model, columns, ([getattr(obj, c) for c in columns] for obj in objects))
    return objects


@contextmanager
def foreign_keys_checked_once(*tables: type[models.Model]) -> Iterator[None]:
    """Load these models' tables with their foreign keys checked once, at the end.

    PostgreSQL checks a foreign key with one query per inserted row (about 12 µs; 3.5 million
    of them in the 100,000-file seed); adding the key back checks every row in one join. The
    keys are dropped and re-created with their own names and definitions, in the caller's
    transaction: a failure rolls the drop back with the rows. Locks the tables (and those they
    reference) until commit — seed data only.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_once needs a transaction.")
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with checks still pending: run them now (as a commit
        # would), then defer again as Django's keys are declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
            [[connection.ops.quote_name(model._meta.db_table) for model in tables]],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
