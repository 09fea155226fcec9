"""`manage.py outreach_sweep`: the daily beat job by hand (the same service: running it again,
or beside the beat, opens and sends nothing twice)."""

from django.core.management.base import BaseCommand

from outreach.services import outreach_sweep


class Command(BaseCommand):
    help = "Tell her before her documents expire and open the reassessments that are due (once)."

    def handle(self, *args, **options):
        sweep = outreach_sweep()
        self.stdout.write(
            f"notices={sweep.notices} reassessments={sweep.reassessments} closed={sweep.closed}"
        )
