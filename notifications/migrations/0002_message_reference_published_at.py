"""Every message gets the reference the gateway sees; rows remember when they were published.

The reference is added in three steps (nullable, filled row by row, then unique) because a
callable default is evaluated once for the existing rows, which would all share one value.
"""

import uuid

import django.utils.timezone
from django.db import migrations, models

import notifications.models


def fill_references(apps, schema_editor) -> None:
    Message = apps.get_model("notifications", "Message")
    for pk in (
        Message.objects.filter(reference__isnull=True).values_list("pk", flat=True).iterator()
    ):
        Message.objects.filter(pk=pk).update(reference=uuid.uuid4().hex)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="message",
            name="reference",
            field=models.CharField(
                editable=False, max_length=32, null=True, verbose_name="reference"
            ),
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="message",
            name="reference",
            field=models.CharField(
                default=notifications.models.new_reference,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="reference",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="published_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="published"
            ),
        ),
    ]
