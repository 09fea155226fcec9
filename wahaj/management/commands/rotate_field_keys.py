"""`manage.py rotate_field_keys`: every encrypted column written again under the newest key.

A rotation (README, "Data at rest"): put the new key FIRST in FIELD_ENCRYPTION_KEYS, keeping
the old ones after it; restart; run this; then remove the old keys. Each value is decrypted with
whichever key made it and encrypted with the first; the lookup hashes are computed again too
(so this also moves them to a new FIELD_HASH_KEY). In batches of 2,000 rows by primary key,
each committed on its own: stopped half-way, it can simply be run again.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from wahaj.lib.fields import ROWS_PER_BATCH, encrypted_fields, fields_encrypt, hash_fields


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=ROWS_PER_BATCH)

    def handle(self, *args, batch_size: int, **options):
        total = 0
        for model in rotated_models():
            count = fields_encrypt(model, batch_size=batch_size)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} rows with the newest key."))


def rotated_models() -> list:
    """Every model with an encrypted field or a lookup hash, history models included."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and (encrypted_fields(model) or hash_fields(model))
    ]
