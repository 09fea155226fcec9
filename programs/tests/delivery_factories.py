"""An approved cycle ready for delivery, built through the services (as staff would)."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from beneficiaries.models import RegistrationStatus
from beneficiaries.tests.factories import BeneficiaryFactory, IncomeSourceFactory
from programs import services
from programs.models import Cycle, Fund, Program, StockItem
from programs.tests.factories import basket_program, fund_with

PLACE = "مقر الجمعية، حي النسيم"
BRING = "الهوية الوطنية"


def woman(**fields):
    beneficiary = BeneficiaryFactory(registration_status=RegistrationStatus.ACTIVE, **fields)
    IncomeSourceFactory(beneficiary=beneficiary, amount=900)
    return beneficiary


def basket_item(actor, *, on_hand: int = 0, unit_value=Decimal("250")) -> StockItem:
    from programs.stock import stock_receive

    item = services.stock_item_create(
        actor=actor, name="سلة غذائية", unit="سلة", unit_value=unit_value
    )
    if on_hand:
        stock_receive(actor=actor, item=item, quantity=on_hand, note="seed")
    item.refresh_from_db()
    return item


def approved_cycle(
    actor,
    *,
    fund: Fund | None = None,
    program: Program | None = None,
    item: StockItem | None = None,
    quantity: int = 1,
    amount=Decimal("0"),
    name: str = "رمضان 1448",
    starts=None,
    ends=None,
) -> Cycle:
    """A program giving `item` × `quantity` (in kind) or only `amount` (cash), its cycle listed
    over the women on file, sent to the committee and approved."""
    fund = fund or fund_with(actor=actor, name="التبرعات العامة", balance="100000")
    if program is None:
        program = basket_program(actor=actor, fund=fund, amount=Decimal(amount))
    if item is not None:
        services.entitlement_item_set(actor=actor, program=program, item=item, quantity=quantity)
    starts = starts or timezone.make_aware(datetime(2027, 2, 20, 9, 0))  # Riyadh time
    cycle = services.cycle_create(
        actor=actor,
        program=program,
        name=name,
        fund=fund,
        delivery_place=PLACE,
        delivery_starts=starts,
        delivery_ends=ends or starts + timedelta(hours=4),
        what_to_bring=BRING,
    )
    cycle = services.cycle_generate(actor=actor, cycle=cycle)
    cycle = services.cycle_send_to_committee(actor=actor, cycle=cycle)
    return services.cycle_decide(actor=actor, cycle=cycle, outcome=Cycle.Status.APPROVED)


def delivery_world(*, manager, fund: Fund) -> dict:
    """For the page and access walks: an in-kind cycle approved with an entry at the desk, the
    store's item, and a cash cycle with a transfer file."""
    from programs import bank

    item = basket_item(manager, on_hand=50, unit_value=Decimal("50"))
    bags = basket_program(
        actor=manager, fund=fund, name="الحقيبة المدرسية", request_type="", amount=Decimal("0")
    )
    in_kind = approved_cycle(manager, fund=fund, program=bags, item=item, name="العام الدراسي")
    rent = basket_program(
        actor=manager, fund=fund, name="إعانة الإيجار", request_type="", amount=Decimal("300")
    )
    cash = approved_cycle(manager, fund=fund, program=rent, name="الربع الأول")
    made = bank.transfer_batch_create(actor=manager, cycle=cash)
    return {
        "handover_entry": in_kind.entries.filter(status="approved").order_by("pk").first(),
        "stock_item": item,
        "cash_cycle": cash,
        "transfer_batch": made.batch,
    }
