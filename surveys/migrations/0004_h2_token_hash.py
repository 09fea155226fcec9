"""Survey links are kept as the SHA-256 of their token (issue 19): a dump opens no survey.

The column is renamed and every existing token replaced by its hash in place, so the links
already sent (and the messages still queued, whose context holds the token) keep working.
Not reversible: a hash cannot give the token back.
"""

import hashlib

from django.db import migrations, models

BATCH = 2000


def hash_tokens(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    last = 0
    while True:
        # Batches by key, read whole before writing (SQLite does not isolate an open cursor).
        rows = list(
            Invitation.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "token_hash")[:BATCH]
        )
        if not rows:
            return
        Invitation.objects.bulk_update(
            [
                Invitation(pk=pk, token_hash=hashlib.sha256(t.encode()).hexdigest())
                for pk, t in rows
            ],
            ["token_hash"],
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_field_labels")]

    operations = [
        migrations.RenameField("invitation", "token", "token_hash"),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="link code (hashed)"
            ),
        ),
    ]
