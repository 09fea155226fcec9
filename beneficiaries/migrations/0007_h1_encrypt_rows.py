"""Encrypt the rows already in the tables, history included, and fill their lookup hashes.

In batches of 2,000 rows (wahaj.lib.fields.fields_encrypt). Reversed, the columns hold plain
text again (the previous migration then turns them back into short character columns).
"""

from django.db import migrations

from wahaj.lib.crypto import decrypt as decrypt_text
from wahaj.lib.crypto import is_token
from wahaj.lib.fields import encrypted_fields, fields_encrypt

MODELS = ["Beneficiary", "HistoricalBeneficiary", "HouseholdMember", "HistoricalHouseholdMember"]


def encrypt(apps, schema_editor):
    for name in MODELS:
        fields_encrypt(apps.get_model("beneficiaries", name))


def decrypt(apps, schema_editor):
    for name in MODELS:
        fields_decrypt(apps.get_model("beneficiaries", name), schema_editor.connection)


def fields_decrypt(model, connection) -> None:
    """Plain text back in every encrypted column, written by SQL (a save would encrypt)."""
    quote = connection.ops.quote_name
    columns = [f.column for f in encrypted_fields(model)]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {', '.join(map(quote, columns))} FROM {table}")
        rows = cursor.fetchall()
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
            [
                [decrypt_text(value) if value and is_token(value) else value for value in rest]
                + [row_pk]
                for row_pk, *rest in rows
            ],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0006_h1_field_encryption"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
