"""`manage.py backup_create [--output-dir DIR]`: one encrypted backup (privacy/backup.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy.backup import BackupRefused, backup_create, key_generate, key_parse


def backup_key() -> bytes:
    """BACKUP_ENCRYPTION_KEY, refused when missing, malformed or equal to a field key."""
    field_keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or ""
    if not isinstance(field_keys, str):
        field_keys = ",".join(str(k) for k in field_keys)
    return key_parse(settings.BACKUP_ENCRYPTION_KEY, field_keys=field_keys)


class Command(BaseCommand):
    help = (
        "Write the database and the private documents, encrypted with BACKUP_ENCRYPTION_KEY, "
        "into one file with its SHA-256 checksum beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="folder (made 0700)")
        parser.add_argument(
            "--generate-key", action="store_true", help="print a new key and write nothing"
        )

    def handle(self, *args, output_dir: str, generate_key: bool, **options):
        if generate_key:
            self.stdout.write(key_generate())
            return
        try:
            made = backup_create(
                output_dir=Path(output_dir),
                key=backup_key(),
                media_root=Path(settings.PRIVATE_MEDIA_ROOT),
            )
        except BackupRefused as error:
            raise CommandError(str(error)) from None
        # The path alone on the last line, for scripts (`make backup | tail -1`).
        self.stdout.write(
            f"encrypted backup: {made.size} bytes, {made.documents} document file(s), "
            f"checksum {made.checksum_path.name}"
        )
        self.stdout.write(str(made.path))
