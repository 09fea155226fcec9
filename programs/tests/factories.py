"""Funds, programs and cycles for tests, built through the programs services."""

from decimal import Decimal

from programs import services
from programs.models import Fund, Program


def fund_with(
    *, actor=None, balance=Decimal("10000"), kind=Fund.Kind.GENERAL, name="", **fields
) -> Fund:
    fund = services.fund_create(
        actor=actor, name=name or f"صندوق {kind} {Fund.objects.count() + 1}", kind=kind, **fields
    )
    if balance:
        services.fund_deposit(actor=actor, fund=fund, amount=Decimal(balance), note="seed")
    fund.refresh_from_db()
    return fund


def basket_program(*, actor=None, fund: Fund, budget=Decimal("100000"), **fields) -> Program:
    """A "Ramadan food basket" program: 500 SAR per household, active, serving food baskets."""
    values = {
        "name": "سلة رمضان الغذائية",
        "status": Program.Status.ACTIVE,
        "request_type": "food_basket",
        "amount": Decimal("500"),
        "repeat_period_months": 11,
        "repeat_rule": Program.RepeatRule.ONCE,
    }
    values.update(fields)
    program = services.program_create(actor=actor, **values)
    services.program_fund_set(actor=actor, program=program, fund=fund, budget=Decimal(budget))
    return program


def programs_world(*, manager) -> dict:
    """One of each for the page and access walks: a fund, a program, a listed cycle with her
    entry, and a cycle before the committee (to put on a meeting's agenda)."""
    from beneficiaries.models import RegistrationStatus
    from beneficiaries.tests.factories import BeneficiaryFactory
    from programs.tests.delivery_factories import delivery_world

    fund = fund_with(actor=manager, name="صندوق التبرعات العامة", balance="20000")
    program = basket_program(actor=manager, fund=fund, name="سلة رمضان الغذائية")
    woman = BeneficiaryFactory(registration_status=RegistrationStatus.ACTIVE)
    listed = services.cycle_create(actor=manager, program=program, name="رمضان 1448", fund=fund)
    services.cycle_generate(actor=manager, cycle=listed)
    before = services.cycle_create(actor=manager, program=program, name="العيد 1448", fund=fund)
    services.cycle_generate(actor=manager, cycle=before)
    services.cycle_send_to_committee(actor=manager, cycle=before)
    return {
        "fund": fund,
        "program": program,
        "cycle": listed,
        "entry": listed.entries.get(beneficiary=woman),
        "cycle_before_committee": before,
        **delivery_world(manager=manager, fund=fund),  # h7: the delivery pages' objects
    }
