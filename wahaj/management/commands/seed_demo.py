"""`manage.py seed_demo [--beneficiaries N]`: realistic synthetic demo data, idempotent.

Each app contributes its part through a `demo.py` module with `seed(stdout, options)`; this
command runs them in dependency order. The staff users come first.
"""

import importlib
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import TwoFactorDevice, User
from accounts.roles import Role
from accounts.two_factor import base32_secret

DEMO_STAFF = [
    # username, role, first name, last name
    ("intake", Role.INTAKE, "نورة", "القحطاني"),
    ("researcher", Role.RESEARCHER, "هيفاء", "العتيبي"),
    ("chair", Role.CHAIR, "لطيفة", "الدوسري"),
    ("member1", Role.COMMITTEE, "منيرة", "الشهري"),
    ("member2", Role.COMMITTEE, "أمل", "الغامدي"),
    ("member3", Role.COMMITTEE, "ريم", "الزهراني"),
    ("manager", Role.MANAGER, "سارة", "المطيري"),
]
# Marks the demo accounts: `manage.py demo_password` changes only these.
DEMO_EMAIL_DOMAIN = "wahaj.invalid"

ALREADY_PRESENT = (
    "Demo staff already present. A new password: .venv/bin/python manage.py demo_password; "
    "the manager's authenticator code now: .venv/bin/python manage.py demo_totp manager"
)

# Apps that add demo data after the staff, in dependency order (missing modules are skipped
# so that the command works while an app has no demo data yet).
DEMO_MODULES = [
    "beneficiaries.demo",
    "requests_app.demo",
    "committee.demo",
    "programs.demo",
    "notifications.demo",
    "surveys.demo",
]


class Command(BaseCommand):
    help = "Create demo staff users and synthetic Arabic data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--beneficiaries", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026, help="random seed (repeatable data)")

    def handle(self, *args, **options):
        password = settings.WAHAJ_DEMO_PASSWORD
        with transaction.atomic():
            created = self._staff(password or None)
        if created and not password:
            self.stdout.write(self.style.WARNING(f"Demo staff password (shown once): {created}"))
        elif created:
            self.stdout.write("Demo staff created with WAHAJ_DEMO_PASSWORD.")
        else:
            self.stdout.write(ALREADY_PRESENT)
        self._demo_manager_device()
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(stdout=self.stdout, options=options)

    def _demo_manager_device(self) -> None:
        """The demo manager's authenticator, already confirmed: a real manager enrols only with
        an invitation (accounts/two_factor.py), a demo has nobody to issue one. The key is
        printed once, for an authenticator app."""
        manager = User.objects.get(username="manager")
        if TwoFactorDevice.objects.filter(user=manager, confirmed=True).exists():
            return
        device = TwoFactorDevice.objects.create(user=manager, name="demo", confirmed=True)
        self.stdout.write(
            self.style.WARNING(
                f"Demo manager's authenticator key (shown once): {base32_secret(device)}"
            )
        )

    def _staff(self, password: str | None) -> str | None:
        """Create missing demo users; return the password used if any user was created."""
        if User.objects.filter(username__in=[u for u, *_ in DEMO_STAFF]).count() == len(DEMO_STAFF):
            return None
        password = password or secrets.token_urlsafe(12)
        # One hash for the seven: each costs a deliberate ~0.5 s (Argon2), and they share the
        # password anyway.
        encoded = make_password(password)
        for username, role, first, last in DEMO_STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": role == Role.MANAGER,
                    "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                },
            )
            if created:
                user.password = encoded
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=role))
        return password
