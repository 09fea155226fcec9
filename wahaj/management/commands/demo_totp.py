"""`manage.py demo_totp manager`: the code her authenticator app would show now (README).

For a demo, where nobody has the manager's phone: reads her confirmed device and writes
nothing (a real manager enrols through an invitation: accounts/two_factor.py).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.models import User
from accounts.two_factor import confirmed_device

NO_DEVICE = "{username} has no confirmed authenticator."


class Command(BaseCommand):
    help = "Print the current authenticator code of a staff member's confirmed device."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="manager")

    def handle(self, *args, **options):
        username = options["username"]
        user = User.objects.filter(username=username).first()
        device = confirmed_device(user) if user else None
        if device is None:
            raise CommandError(NO_DEVICE.format(username=username))
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(
            f"{totp.token():0{device.digits}d}  (valid {left} s more; a code is accepted once)"
        )
