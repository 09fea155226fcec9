"""`manage.py two_factor_invite USERNAME`: the first manager's (or a superuser's) way in.

Prints a one-time code that lets USERNAME set up her authenticator at her next log-in. Her
earlier devices stop working (a lost phone is replaced the same way).
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.two_factor import (
    INVITATION_VALID_HOURS,
    InvitationRefused,
    two_factor_invitation_issue,
)


class Command(BaseCommand):
    help = "Issue a one-time second-factor enrolment code for a manager or superuser."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No staff member is called {username!r}.")
        try:
            code = two_factor_invitation_issue(actor=None, user=user)
        except InvitationRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"Invitation for {username} (one use, expires in {INVITATION_VALID_HOURS} hours): "
            f"{code}"
        )
