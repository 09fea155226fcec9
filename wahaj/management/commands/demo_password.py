"""`manage.py demo_password`: a new password for the demo staff, printed once (README).

`make run` prints the demo password only when it creates the staff; after that, this is how to
get in again. Demo accounts only: those `seed_demo` made (their e-mail ends in `@wahaj.invalid`),
never a real account that happens to be called `manager`.
"""

import secrets

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from audit.services import event_record
from wahaj.management.commands.seed_demo import DEMO_EMAIL_DOMAIN, DEMO_STAFF

NO_DEMO_STAFF = "No demo staff here: `make run` (manage.py seed_demo) creates them."


@transaction.atomic
def demo_password_set(*, password: str) -> list[str]:
    """Give every demo staff member `password`; returns their usernames.

    One hash for all (each costs ~0.5 s of Argon2). Writes `demo_password_set` on each.
    """
    users = list(
        User.objects.select_for_update()
        .filter(
            username__in=[username for username, *_ in DEMO_STAFF],
            email__endswith=f"@{DEMO_EMAIL_DOMAIN}",
        )
        .order_by("pk")
    )
    encoded = make_password(password)
    for user in users:
        user.password = encoded
        user.save(update_fields=["password"])
        event_record(actor=None, subject=user, verb="demo_password_set")
    return [user.username for user in users]


class Command(BaseCommand):
    help = "Set a new password for the demo staff and print it."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="this password instead of a generated one")

    def handle(self, *args, **options):
        password = options["password"] or secrets.token_urlsafe(12)
        usernames = demo_password_set(password=password)
        if not usernames:
            raise CommandError(NO_DEMO_STAFF)
        self.stdout.write(f"Demo staff ({', '.join(usernames)}): new password: {password}")
