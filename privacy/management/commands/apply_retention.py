"""`manage.py apply_retention [--dry-run]`: PDPL retention (privacy.services.retention_apply)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from privacy.services import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise beneficiaries whose cases closed more than RETENTION_YEARS ago "
        "(documents deleted, identifiers replaced, statistics kept), except under a legal hold."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        run = retention_apply(dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {len(run.anonymised)} file(s) closed more than "
            f"{settings.RETENTION_YEARS} years ago; {run.files_deleted} document file(s) deleted"
        )
        for file_number in run.anonymised:
            self.stdout.write(f"  {file_number}")
