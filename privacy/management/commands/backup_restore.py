"""`manage.py backup_restore FILE [--verify-only]`: check, then restore a backup."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy.backup import BackupRefused, backup_restore, backup_verify

from .backup_create import backup_key


class Command(BaseCommand):
    help = (
        "Verify a backup's checksum and authenticity with BACKUP_ENCRYPTION_KEY, then replace "
        "the database's objects and put the documents back. A backup that cannot be verified "
        "is refused before anything is touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the .wbk file (its .sha256 beside it)")
        parser.add_argument("--verify-only", action="store_true", help="check, restore nothing")

    def handle(self, *args, backup: str, verify_only: bool, **options):
        path = Path(backup)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        try:
            key = backup_key()
            if verify_only:
                backup_verify(path=path, key=key)
                self.stdout.write(f"{path}: checksum and authenticity verified")
                return
            done = backup_restore(path=path, key=key, media_root=Path(settings.PRIVATE_MEDIA_ROOT))
        except BackupRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"restored {path}: {done.engine} database of {done.created_at}, "
            f"{done.documents} document file(s)"
        )
