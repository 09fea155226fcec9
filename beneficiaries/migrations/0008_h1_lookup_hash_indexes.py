"""The unique national ID and the lookup indexes, on the hashes the data migration filled."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("beneficiaries", "0007_h1_encrypt_rows"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="beneficiary",
            index=models.Index(fields=["mobile_hash"], name="ben_mobile_hash"),
        ),
        migrations.AddIndex(
            model_name="householdmember",
            index=models.Index(fields=["national_id_hash"], name="ben_member_national_id_hash"),
        ),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.UniqueConstraint(
                fields=("national_id_hash",), name="ben_national_id_unique"
            ),
        ),
    ]
