"""seed_demo's support requests: every state, realistic clocks, some overdue, idempotent."""

import pytest
from django.core.management import call_command

from requests_app.models import ReferenceCounter, SupportRequest
from requests_app.selectors import support_requests_with_clock

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_requests_in_every_state_some_overdue_and_is_idempotent(settings):
    settings.WAHAJ_DEMO_PASSWORD = "demo-password-for-tests-2026"
    call_command("seed_demo", beneficiaries=40)
    count = SupportRequest.objects.count()
    assert 40 <= count <= 160
    assert set(SupportRequest.objects.values_list("state", flat=True)) == set(
        SupportRequest.State.values
    )
    assert support_requests_with_clock().filter(is_overdue=True).exists()
    references = [r for r in SupportRequest.objects.values_list("reference", flat=True) if r]
    assert len(references) == len(set(references))
    # The next real submission continues after the seeded numbers.
    for counter in ReferenceCounter.objects.all():
        prefix = f"WHJ-{counter.year}-"
        assert max(r for r in references if r.startswith(prefix)) == (
            f"{prefix}{counter.last_value:06d}"
        )

    call_command("seed_demo", beneficiaries=40)
    assert SupportRequest.objects.count() == count
