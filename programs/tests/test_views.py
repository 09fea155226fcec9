"""The funds, programs and cycles pages: who may open them, and the flow they carry."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Event
from beneficiaries.models import RegistrationStatus
from beneficiaries.tests.factories import BeneficiaryFactory
from programs import services
from programs.models import Cycle, CycleEntry, Fund, Program

pytestmark = pytest.mark.django_db


def test_manager_creates_a_fund_deposits_and_sees_the_figures(client_as, manager_user):
    client = client_as(manager_user)
    response = client.post(
        reverse("programs:funds"),
        {
            "name": "صندوق الزكاة",
            "kind": "zakat",
            "allowed_categories": ["orphans"],
            "is_active": "on",
        },
    )
    fund = Fund.objects.get(name="صندوق الزكاة")
    assert response.status_code == 302
    assert fund.allowed_categories == ["orphans"]
    client.post(
        reverse("programs:fund_move", args=[fund.pk]),
        {"kind": "deposit", "amount": "٥٠٠٠", "note": "زكاة رمضان"},
    )
    fund.refresh_from_db()
    assert fund.balance == Decimal("5000.00")
    page = client.get(reverse("programs:fund", args=[fund.pk]))
    assert "5,000.00" in page.content.decode() or "٥٬٠٠٠" in page.content.decode()
    assert Event.objects.filter(verb="fund_deposit", object_id=fund.pk).exists()


def test_a_withdrawal_above_what_is_free_is_refused_with_the_figures(client_as, manager_user):
    fund = services.fund_create(actor=manager_user, name="عام", kind="general")
    services.fund_deposit(actor=manager_user, fund=fund, amount=Decimal(100))
    client = client_as(manager_user)
    response = client.post(
        reverse("programs:fund_move", args=[fund.pk]),
        {"kind": "withdrawal", "amount": "150", "note": "تجربة"},
        follow=True,
    )
    assert "100.00" in response.content.decode()
    fund.refresh_from_db()
    assert fund.balance == Decimal("100.00")


def test_funds_are_the_managers(client_as, intake_user, chair_user):
    assert client_as(intake_user).get(reverse("programs:funds")).status_code == 403
    assert client_as(chair_user).get(reverse("programs:programs")).status_code == 403


def test_program_form_keeps_what_was_typed_and_says_what_is_wrong(client_as, manager_user):
    client = client_as(manager_user)
    response = client.post(
        reverse("programs:program_new"),
        {
            "name": "كسوة العيد",
            "status": "active",
            "min_household_size": "5",
            "max_household_size": "2",
            "amount": "300",
            "amount_per_member": "0",
            "repeat_rule": "flag",
            "cities": "الرياض\nالخرج",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "كسوة العيد" in html
    assert "الخرج" in html
    assert not Program.objects.exists()


def test_cycle_flow_through_the_pages(client_as, manager_user, intake_user):
    fund = services.fund_create(actor=manager_user, name="عام", kind="general")
    services.fund_deposit(actor=manager_user, fund=fund, amount=Decimal(5000))
    client = client_as(manager_user)
    client.post(
        reverse("programs:program_new"),
        {
            "name": "سلة رمضان",
            "status": "active",
            "request_type": "food_basket",
            "amount": "500",
            "amount_per_member": "0",
            "repeat_rule": "once",
            "repeat_period_months": "11",
            "cities": "",
        },
    )
    program = Program.objects.get()
    client.post(
        reverse("programs:program_fund", args=[program.pk]),
        {"fund": fund.pk, "budget": "4000", "position": "0"},
    )
    women = [BeneficiaryFactory(registration_status=RegistrationStatus.ACTIVE) for _ in range(2)]
    response = client.post(
        reverse("programs:cycle_new", args=[program.pk]),
        {
            "name": "رمضان 1448",
            "fund": fund.pk,
            "delivery_place": "مقر الجمعية",
            "what_to_bring": "الهوية",
        },
    )
    cycle = Cycle.objects.get()
    assert response.url == cycle.get_absolute_url()
    client.post(reverse("programs:cycle_generate", args=[cycle.pk]))
    page = client.get(cycle.get_absolute_url())
    assert page.status_code == 200
    assert women[0].full_name in page.content.decode()

    entry = cycle.entries.get(beneficiary=women[0])
    staff = client_as(intake_user)
    staff.post(reverse("programs:entry_exclude", args=[cycle.pk, entry.pk]), {"reason": "متوفاة"})
    entry.refresh_from_db()
    assert entry.status == CycleEntry.Status.EXCLUDED
    # Another cycle's number for the same entry: not found.
    other = services.cycle_create(actor=manager_user, program=program, name="العيد", fund=fund)
    assert (
        staff.post(reverse("programs:entry_include", args=[other.pk, entry.pk])).status_code == 404
    )
    client = client_as(manager_user)
    client.post(reverse("programs:cycle_send", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.IN_COMMITTEE
    assert client.get(reverse("programs:cycle_report", args=[cycle.pk])).status_code == 200
    csv = client.get(reverse("programs:cycle_report_csv", args=[cycle.pk]))
    assert csv.status_code == 200
    assert women[0].full_name not in csv.content.decode()
