"""Model fields stored encrypted, and the keyed hashes that find them (issue 19).

`EncryptedCharField` and its siblings keep their form field, validators and `max_length` (on
the plain text), store a Fernet token in a `text` column and give the plain value back on
read. The database cannot compare them. To find or keep unique a value, declare a
`LookupHashField(source=...)` beside it: it is computed on every save (and by `copy_rows`,
`LookupHashQuerySet.update`) from the plain value, normalised as the field stores it (E.164
for a phone), and `filter(national_id=x)` / `national_id__in=[…]` compare it with the hash of
`x` (its index). Any other lookup (icontains, startswith, a field without a hash) raises
FieldError: a query that could only find nothing fails loudly instead.
"""

from typing import Any

from django.core.exceptions import EmptyResultSet, FieldError
from django.db import connections, models, router
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber

from wahaj.lib.crypto import decrypt, encrypt, is_token, lookup_hash

ENCRYPTED_LOOKUP = (
    "{field} is stored encrypted: the database can only find a whole value, through a lookup "
    "hash (declare a LookupHashField(source={field!r}) and filter on {field} = value)."
)


def _hash_field_of(column: Any) -> "LookupHashField":
    """The lookup hash declared beside the encrypted field `column` reads, or FieldError."""
    field = getattr(column, "target", None)
    if isinstance(column, Col) and field is not None:
        for candidate in hash_fields(field.model):
            if candidate.source == field.name:
                return candidate
    raise FieldError(ENCRYPTED_LOOKUP.format(field=getattr(field, "name", column)))


class _HashedExact(Exact):
    """`national_id = '…'` compares the lookup hash column (indexed) with the value's hash;
    `= ''` (blank, never encrypted) compares the column itself."""

    def get_prep_lookup(self):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError(ENCRYPTED_LOOKUP.format(field=self.lhs.target.name))
        return self.rhs  # plain: hashed in as_sql, never encrypted (a token never matches)

    def as_sql(self, compiler, connection):
        if self.rhs in ("", None):
            return super().as_sql(compiler, connection)
        hashed = _hash_field_of(self.lhs)
        value = hash_of(self.lhs.target, self.rhs)
        return Exact(Col(self.lhs.alias, hashed), value).as_sql(compiler, connection)


class _HashedIn(In):
    """`national_id__in=[…]`: the hashes of the values, against the lookup hash column."""

    def get_prep_lookup(self):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError(ENCRYPTED_LOOKUP.format(field=self.lhs.target.name))
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        hashed = _hash_field_of(self.lhs)
        values = {hash_of(self.lhs.target, value) for value in self.rhs} - {None}
        if not values:
            raise EmptyResultSet
        return In(Col(self.lhs.alias, hashed), list(values)).as_sql(compiler, connection)


class EncryptedMixin:
    """Stores `encrypt(text)`; an empty value stays empty (blank is not a secret)."""

    encrypted = True

    def get_internal_type(self) -> str:
        return "TextField"  # a token is ~4/3 of the text plus 76 characters: no max_length

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        # A value without the token prefix is a row the migration has not reached yet.
        if value and is_token(value):
            value = decrypt(value)
        parent = getattr(super(), "from_db_value", None)
        return parent(value, expression, connection) if parent else value

    def get_lookup(self, lookup_name: str):
        # Only what a lookup hash can answer; icontains, startswith… raise FieldError.
        return {"exact": _HashedExact, "in": _HashedIn, "isnull": IsNull}.get(lookup_name)


class EncryptedCharField(EncryptedMixin, models.CharField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass


class EncryptedPhoneNumberField(EncryptedMixin, PhoneNumberField):
    """Validated and normalised as PhoneNumberField; the E.164 text is what is encrypted."""


def normalised(field: models.Field, value: Any) -> str:
    """The text `field` would store for `value` (a phone in E.164), "" for an empty value."""
    if value is None or value == "":
        return ""
    if isinstance(field, PhoneNumberField):
        value = field.to_python(value)
        if isinstance(value, PhoneNumber):
            return value.as_e164 if value.is_valid() else str(value.raw_input)
    return str(value)


def hash_of(field: models.Field, value: Any) -> str | None:
    """The lookup hash of `value` as stored in `field`; None for an empty value."""
    text = normalised(field, value)
    return lookup_hash(text) if text else None


class LookupHashField(models.CharField):
    """HMAC-SHA256 (hex) of the plain value of the field named `source`; NULL when blank."""

    def __init__(self, *args, source: str, **kwargs) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                del kwargs[key]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def source_field(self) -> models.Field:
        return self.model._meta.get_field(self.source)

    def pre_save(self, model_instance, add):
        value = hash_of(self.source_field(), getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def hash_fields(model: type[models.Model]) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


class LookupHashModel:
    """Mixin for a model with lookup hashes: `save(update_fields=[source])` saves the hash too."""

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields.update(
                f.name for f in hash_fields(type(self)) if f.source in update_fields
            )
        super().save(*args, update_fields=update_fields, **kwargs)


class LookupHashQuerySet(models.QuerySet):
    """`update(national_id=...)` also writes `national_id_hash` (a plain value, not an F())."""

    def update(self, **kwargs) -> int:
        for field in hash_fields(self.model):
            if field.source in kwargs and field.name not in kwargs:
                value = kwargs[field.source]
                if hasattr(value, "resolve_expression"):
                    raise FieldError(ENCRYPTED_LOOKUP.format(field=field.source))
                kwargs[field.name] = hash_of(field.source_field(), value)
        return super().update(**kwargs)


ROWS_PER_BATCH = 2000


def fields_encrypt(model: type[models.Model], *, batch_size: int = ROWS_PER_BATCH) -> int:
    """Write every row's encrypted fields again under the newest key, and its lookup hashes.

    What the migrations run on rows still in plain text (read as they are: see
    `EncryptedMixin.from_db_value`), and `rotate_field_keys` on rows encrypted under an older
    key. Batches of `batch_size` rows by primary key (keyset, so memory stays flat whatever the
    table's size), each written by one UPDATE (`_rows_write`). Returns the number of rows
    written.
    """
    encrypted = encrypted_fields(model)
    hashes = hash_fields(model)
    if not encrypted and not hashes:
        return 0
    names = [f.attname for f in encrypted] + [f.attname for f in hashes]
    pk = model._meta.pk.attname
    rows = model._base_manager.only(pk, *names).order_by(pk)
    done, last = 0, None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:batch_size])
        if not batch:
            return done
        for instance in batch:
            for field in hashes:
                value = hash_of(field.source_field(), getattr(instance, field.source))
                setattr(instance, field.attname, value)
        _rows_write(model, batch, encrypted + hashes)
        done += len(batch)
        last = getattr(batch[-1], pk)


def _rows_write(model: type[models.Model], batch: list, fields: list[models.Field]) -> None:
    """Save `fields` of every instance in `batch`, encrypting as a save does.

    On PostgreSQL one `UPDATE … FROM (VALUES …)` joined on the primary key: `bulk_update`'s
    CASE WHEN per column costs a comparison per row and batch row (measured: 6 ms a file, ten
    minutes for 100,000). Elsewhere (SQLite, development) `bulk_update`.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(batch, [f.attname for f in fields])
        return
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [quote(f.column) for f in fields]
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params = []
    for instance in batch:
        params.append(getattr(instance, pk.attname))
        params.extend(f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields)
    table, key = quote(model._meta.db_table), quote(pk.column)
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    values = ", ".join([row] * len(batch))
    # Names from the model's metadata, values as parameters.
    sql = f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) AS v({key}, {', '.join(columns)}) WHERE t.{key} = v.{key}"  # noqa: E501, S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def fields_decrypt(model, connection) -> None:
    """Plain text back in every encrypted column, written by SQL (a save would encrypt)."""
    quote = connection.ops.quote_name
    columns = [f.column for f in encrypted_fields(model)]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    # Names from the model's metadata, values as parameters.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(map(quote, columns))} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
            [
                [decrypt(value) if value and is_token(value) else value for value in rest]
                + [row_pk]
                for row_pk, *rest in rows
            ],
        )
