"""Encrypt the rows already in the tables, history included, and fill their lookup hashes.

In batches of 2,000 rows (wahaj.lib.fields.fields_encrypt). Reversed, the columns hold plain
text again (the previous migration then turns them back into short character columns).
"""

from django.db import migrations

from wahaj.lib.fields import fields_decrypt, fields_encrypt

MODELS = ["Beneficiary", "HistoricalBeneficiary", "HouseholdMember", "HistoricalHouseholdMember"]


def encrypt(apps, schema_editor):
    for name in MODELS:
        fields_encrypt(apps.get_model("beneficiaries", name))


def decrypt(apps, schema_editor):
    for name in MODELS:
        fields_decrypt(apps.get_model("beneficiaries", name), schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0006_h1_field_encryption"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt)]
