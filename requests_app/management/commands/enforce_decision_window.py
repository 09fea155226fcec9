"""`manage.py enforce_decision_window`: the beat job by hand (the same service, the same
guarantees: running it again, or beside the beat, sends nothing twice)."""

from django.core.management.base import BaseCommand

from requests_app.window import decision_window_enforce


class Command(BaseCommand):
    help = "Send the decision-window reminders and overdue escalations that are due (once)."

    def handle(self, *args, **options):
        sweep = decision_window_enforce()
        self.stdout.write(
            f"reminded={sweep.reminded} overdue={sweep.overdue} messages={sweep.messages}"
        )
