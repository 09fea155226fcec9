"""`manage.py breach_drill [--files N]`: the breach runbook (SECURITY.md) run end to end on the
demo data, timed step by step, in one transaction that is rolled back.

It acts as the demo manager (seed_demo's `manager`, e-mail on DEMO_EMAIL_DOMAIN) and refuses
to run without her, so it never runs on a database without demo data. Its incident is marked
`is_drill`; the rollback keeps nothing — incident, events, outbox rows — and, because the
outbox publishes only after commit, no message leaves.
"""

import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from beneficiaries.models import Beneficiary
from notifications.models import Message
from privacy import breach
from privacy.models import AUTHORITY_DEADLINE, Incident
from wahaj.management.commands.seed_demo import DEMO_EMAIL_DOMAIN

NO_DEMO = (
    "No demo manager (seed_demo's `manager`): the drill runs on demo data only. "
    "Run `manage.py seed_demo` first."
)
DRILL_MESSAGE_AR = (
    "تمرين: نود إعلامك بأن حادثة أمنية قد تكون مسّت بعض بياناتك لدى الجمعية. "
    "اتخذنا ما يلزم لإيقافها، ويسعدنا الرد على أسئلتك."
)
DRILL_MESSAGE_EN = (
    "Drill: we want to let you know that a security incident may have touched some of your "
    "data held by the association. We have acted to stop it and will answer your questions."
)


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Run the breach runbook on the demo data (record, approve the message, notify the "
        "women, warn the managers, notify the authority, close), report each step's time, "
        "and roll everything back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--files", type=int, default=5, help="demo files affected")

    def handle(self, *args, files: int, **options):
        manager = User.objects.filter(
            username="manager", email__endswith=f"@{DEMO_EMAIL_DOMAIN}", is_active=True
        ).first()
        if manager is None:
            raise CommandError(NO_DEMO)
        # One woman who reads English when the demo has one, so the drill shows both languages.
        english = list(Beneficiary.objects.filter(preferred_language="en").order_by("pk")[:1])
        others = Beneficiary.objects.exclude(pk__in=[b.pk for b in english]).order_by("pk")
        women = (english + list(others[: max(files, 1)]))[: max(files, 1)]
        if not women:
            raise CommandError(NO_DEMO)
        self.stdout.write(
            "Breach drill on the demo data (one transaction, rolled back: nothing is kept and "
            "no message leaves)"
        )
        self.total = 0.0
        self.step_number = 0
        try:
            with transaction.atomic():
                self._run(manager, women)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write(f"total {self.total:8.1f} ms")
        left = Incident.objects.filter(is_drill=True).count()
        self.stdout.write(f"rolled back: {left} drill incident(s) kept")

    def _step(self, label: str, action: Callable[[], str]) -> None:
        self.step_number += 1
        started = time.perf_counter()
        outcome = action()
        elapsed = (time.perf_counter() - started) * 1000
        self.total += elapsed
        self.stdout.write(f"{self.step_number}. {label:<44} {elapsed:8.1f} ms  {outcome}")

    def _run(self, manager: User, women: list[Beneficiary]) -> None:
        found_at = timezone.now()
        outbox_before = Message.objects.count()
        state: dict = {}

        def record() -> str:
            state["incident"] = breach.incident_record(
                actor=manager,
                found_at=found_at,
                what_happened="Drill: a laptop with an export of files was reported lost.",
                data_categories=[Incident.DataCategory.IDENTITY, Incident.DataCategory.CONTACT],
                people_affected=len(women),
                affected=women,
                is_drill=True,
            )
            due = timezone.localtime(state["incident"].authority_due_at)
            return f"incident {state['incident'].pk}, authority due {due:%Y-%m-%d %H:%M}"

        def approve() -> str:
            breach.incident_message_approve(
                actor=manager,
                incident=state["incident"],
                message_ar=DRILL_MESSAGE_AR,
                message_en=DRILL_MESSAGE_EN,
            )
            return "Arabic and English"

        def notify() -> str:
            queued = breach.incident_women_notify(actor=manager, incident=state["incident"])
            languages = Counter(
                Message.objects.filter(template="breach_notice").values_list("language", flat=True)
            )
            by_language = ", ".join(f"{lang}: {n}" for lang, n in sorted(languages.items()))
            return (
                f"{queued} of {len(women)} queued ({by_language or '-'}), "
                f"{len(women) - queued} withheld (consent withdrawn)"
            )

        def warn() -> str:
            # The beat's sweep, at the moment 24 hours are left (a simulated clock).
            warned = breach.incident_deadlines_warn(
                now=found_at + AUTHORITY_DEADLINE - timedelta(hours=23, minutes=59)
            )
            again = breach.incident_deadlines_warn(
                now=found_at + AUTHORITY_DEADLINE - timedelta(hours=1)
            )
            return f"{warned} incident warned, {again} on the second run"

        def authority() -> str:
            incident = breach.incident_authority_notified(
                actor=manager,
                incident=state["incident"],
                notified_at=timezone.now(),
                reference="DRILL",
            )
            took = incident.authority_notified_at - incident.found_at
            return f"{took.total_seconds():.1f} s after discovery (limit 72 h)"

        def close() -> str:
            breach.incident_close(actor=manager, incident=state["incident"])
            return f"{Message.objects.count() - outbox_before} outbox rows, none published"

        self._step("record the incident", record)
        self._step("approve the message to the women", approve)
        self._step("queue the women's notifications", notify)
        self._step("warn the managers (deadline sweep)", warn)
        self._step("record the authority's notification", authority)
        self._step("close the incident", close)
