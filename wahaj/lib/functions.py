"""Database functions Django lacks, for PostgreSQL and SQLite (development)."""

from django.db import models
from django.db.models import IntegerField


class DaysBetween(models.Func):
    """Whole calendar days from one date expression to a later one (negative when earlier).

    PostgreSQL subtracts dates to an integer; SQLite (development) goes through julianday.
    """

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({later[0]} - {earlier[0]})", [*later[1], *earlier[1]]

    def as_sqlite(self, compiler, connection, **extra_context):
        later, earlier = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"CAST(julianday({later[0]}) - julianday({earlier[0]}) AS INTEGER)"
        return sql, [*later[1], *earlier[1]]
