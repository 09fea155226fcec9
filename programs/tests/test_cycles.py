"""A cycle's list: who is in, who is out and why; exclusions; the committee's approval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import BeneficiaryCategory, RegistrationStatus
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
)
from programs import services
from programs.models import Cycle, CycleEntry, FundMovement
from programs.tests.factories import fund_with

pytestmark = pytest.mark.django_db
Status = CycleEntry.Status


def _woman(*, income=1000, members=2, city="الرياض", categories=(), **fields):
    beneficiary = BeneficiaryFactory(
        registration_status=RegistrationStatus.ACTIVE, city=city, **fields
    )
    IncomeSourceFactory(beneficiary=beneficiary, amount=income)
    HouseholdMemberFactory.create_batch(members, beneficiary=beneficiary)
    for category in categories:
        BeneficiaryCategory.objects.create(beneficiary=beneficiary, category=category)
    return beneficiary


def _cycle(program, fund, actor, name="رمضان 1448"):
    return services.cycle_create(actor=actor, program=program, name=name, fund=fund)


def test_list_says_why_each_woman_is_in_or_out(manager_user, program, fund):
    services.program_update(
        actor=manager_user,
        program=program,
        max_per_capita_income=Decimal("500"),
        cities=["الرياض"],
        categories=["orphans"],
        min_household_size=2,
    )
    eligible = _woman(income=900, members=2, categories=["orphans"])  # 300 per head
    rich = _woman(income=6000, members=2, categories=["orphans"])  # 2000 per head
    far = _woman(income=300, members=1, city="جدة", categories=["orphans"])
    no_category = _woman(income=300, members=1)
    alone = _woman(income=100, members=0, categories=["orphans"])
    incomplete = _woman(income=100, members=1, categories=["orphans"])
    incomplete.registration_status = RegistrationStatus.INCOMPLETE
    incomplete.save()

    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))

    entries = {e.beneficiary_id: e for e in cycle.entries.all()}
    assert entries[eligible.pk].status == Status.ELIGIBLE
    assert entries[eligible.pk].reasons == {"out": []}
    assert entries[eligible.pk].household_size == 3
    assert entries[eligible.pk].per_capita_income == Decimal("300.00")
    assert entries[eligible.pk].value == Decimal("500.00")
    assert entries[rich.pk].reasons == {"out": ["income"]}
    assert entries[far.pk].reasons == {"out": ["city"]}
    assert entries[no_category.pk].reasons == {"out": ["category"]}
    assert entries[alone.pk].reasons == {"out": ["household_small"]}
    assert entries[incomplete.pk].reasons == {"out": ["file_incomplete"]}
    assert all(e.status == Status.INELIGIBLE for k, e in entries.items() if k != eligible.pk)
    assert cycle.status == Cycle.Status.LISTED
    assert (cycle.eligible_count, cycle.total_amount) == (1, Decimal("500.00"))
    assert cycle.rules["max_per_capita_income"] == "500.00"
    assert Event.objects.filter(verb="cycle_generate", object_id=cycle.pk).exists()


def test_entitlement_per_member_and_items(manager_user, program, fund):
    item = services.stock_item_create(
        actor=manager_user, name="سلة غذائية", unit="سلة", unit_value=Decimal("150")
    )
    services.entitlement_item_set(actor=manager_user, program=program, item=item, quantity=1)
    services.program_update(
        actor=manager_user, program=program, amount=Decimal("100"), amount_per_member=Decimal("50")
    )
    woman = _woman(members=3)
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    entry = cycle.entries.get(beneficiary=woman)
    assert entry.amount == Decimal("300.00")  # 100 + 4 × 50
    assert entry.value == Decimal("450.00")  # and one basket of 150
    assert entry.item_quantities() == [{"item_id": item.pk, "name": "سلة غذائية", "quantity": 1}]


def test_staff_exclude_with_a_reason_and_the_totals_follow(
    manager_user, intake_user, program, fund
):
    first, second = _woman(), _woman()
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    entry = cycle.entries.get(beneficiary=first)
    with pytest.raises(services.ProgramError) as refused:
        services.cycle_entry_exclude(actor=intake_user, entry=entry, reason="  ")
    assert refused.value.message == str(services.EXCLUDE_NEEDS_REASON)
    services.cycle_entry_exclude(actor=intake_user, entry=entry, reason="انتقلت إلى مدينة أخرى")
    entry.refresh_from_db()
    cycle.refresh_from_db()
    assert entry.status == Status.EXCLUDED
    assert entry.excluded_reason == "انتقلت إلى مدينة أخرى"
    assert (cycle.eligible_count, cycle.total_amount) == (1, Decimal("500.00"))
    event = Event.objects.get(verb="cycle_entry_exclude")
    assert event.note == "انتقلت إلى مدينة أخرى"
    assert cycle.entries.get(beneficiary=second).status == Status.ELIGIBLE


def test_approval_that_would_take_the_fund_below_zero_is_refused_with_the_balance(
    manager_user, program
):
    small = fund_with(actor=manager_user, name="صندوق صغير", balance="700")
    services.program_fund_set(
        actor=manager_user, program=program, fund=small, budget=Decimal("5000")
    )
    _woman(), _woman()
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, small, manager_user))
    services.cycle_send_to_committee(actor=manager_user, cycle=cycle)

    with pytest.raises(services.ProgramError) as refused:
        services.cycle_decide(actor=manager_user, cycle=cycle, outcome="approved")

    assert "700.00" in refused.value.message  # her balance, in the message
    assert "1,000.00" in refused.value.message  # what the cycle needs
    small.refresh_from_db()
    cycle.refresh_from_db()
    assert (small.balance, small.committed) == (Decimal("700.00"), Decimal("0.00"))
    assert cycle.status == Cycle.Status.IN_COMMITTEE
    assert not cycle.entries.filter(status=Status.APPROVED).exists()


def test_approval_commits_the_fund_and_gives_each_her_reference(manager_user, program, fund):
    _woman(), _woman()
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    services.cycle_send_to_committee(actor=manager_user, cycle=cycle)
    services.cycle_decide(actor=manager_user, cycle=cycle, outcome="approved")
    fund.refresh_from_db()
    assert (fund.balance, fund.committed, fund.left) == (
        Decimal("10000.00"),
        Decimal("1000.00"),
        Decimal("9000.00"),
    )
    refs = sorted(cycle.entries.values_list("reference", flat=True))
    assert refs == [
        f"C{cycle.pk}-{pk:06d}" for pk in sorted(cycle.entries.values_list("pk", flat=True))
    ]
    movement = FundMovement.objects.get(kind="commit", cycle=cycle)
    assert movement.amount == Decimal("1000.00")
    assert Event.objects.filter(verb="fund_commit", object_id=fund.pk).exists()
    assert program.program_funds.get().used == Decimal("1000.00")


def test_program_budget_caps_the_approval_too(manager_user, fund):
    from programs.tests.factories import basket_program

    program = basket_program(actor=manager_user, fund=fund, budget="600", name="برنامج محدود")
    _woman(), _woman()
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    services.cycle_send_to_committee(actor=manager_user, cycle=cycle)
    with pytest.raises(services.ProgramError) as refused:
        services.cycle_decide(actor=manager_user, cycle=cycle, outcome="approved")
    assert "600.00" in refused.value.message


def test_second_basket_within_the_period_is_flagged_and_refused_once_per_period(
    manager_user, program, fund
):
    served, fresh = _woman(), _woman()
    earlier = _cycle(program, fund, manager_user, name="رمضان 1447")
    services.cycle_generate(actor=manager_user, cycle=earlier)
    earlier.entries.filter(beneficiary=served).update(
        status=Status.DELIVERED, delivered_at=timezone.now() - timedelta(days=60)
    )
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    flagged = cycle.entries.get(beneficiary=served)
    assert flagged.repeat_flagged
    assert flagged.status == Status.ELIGIBLE
    assert not cycle.entries.get(beneficiary=fresh).repeat_flagged

    services.cycle_send_to_committee(actor=manager_user, cycle=cycle)
    services.cycle_decide(actor=manager_user, cycle=cycle, outcome="approved")
    flagged.refresh_from_db()
    assert flagged.status == Status.REFUSED
    assert cycle.entries.get(beneficiary=fresh).status == Status.APPROVED
    fund.refresh_from_db()
    assert fund.committed == Decimal("500.00")


def test_not_served_rule_puts_her_out(manager_user, program, fund):
    services.program_update(actor=manager_user, program=program, not_served_months=6)
    served = _woman()
    earlier = _cycle(program, fund, manager_user, name="رمضان 1447")
    services.cycle_generate(actor=manager_user, cycle=earlier)
    earlier.entries.update(
        status=Status.DELIVERED, delivered_at=timezone.now() - timedelta(days=30)
    )
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, fund, manager_user))
    assert cycle.entries.get(beneficiary=served).reasons == {"out": ["served_recently"]}


def test_zakat_fund_only_pays_for_the_categories_the_manager_set(manager_user, program):
    zakat = fund_with(
        actor=manager_user, name="الزكاة", kind="zakat", allowed_categories=["orphans"]
    )
    services.program_fund_set(
        actor=manager_user, program=program, fund=zakat, budget=Decimal("5000")
    )
    orphans, other = _woman(categories=["orphans"]), _woman(categories=["elderly"])
    cycle = services.cycle_generate(actor=manager_user, cycle=_cycle(program, zakat, manager_user))
    assert cycle.entries.get(beneficiary=orphans).status == Status.ELIGIBLE
    assert cycle.entries.get(beneficiary=other).reasons == {"out": ["fund_category"]}


def test_the_list_costs_the_same_queries_for_few_and_many_files(manager_user, program, fund):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def generate(name):
        cycle = _cycle(program, fund, manager_user, name=name)
        with CaptureQueriesContext(connection) as queries:
            services.cycle_generate(actor=manager_user, cycle=cycle)
        return len(queries), cycle.entries.count()

    for _ in range(3):
        _woman()
    few = generate("الدورة الأولى")
    for _ in range(30):
        _woman(members=1)
    many = generate("الدورة الثانية")
    assert (few[1], many[1]) == (3, 33)
    assert few[0] == many[0]
