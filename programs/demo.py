"""Demo funds and a "Ramadan food basket" program (seed_demo; idempotent: skipped when the
funds exist). Enough for the Ramadan cycle to run on demo data: a zakat fund for the
categories that may receive zakat, a general fund, baskets in stock."""

from decimal import Decimal

from django.db import transaction

from accounts.models import User

from . import services, stock
from .models import Fund, Program, StockItem

ZAKAT_FUND = "صندوق الزكاة"
GENERAL_FUND = "صندوق التبرعات العامة"
RAMADAN_PROGRAM = "سلة رمضان الغذائية"
BASKET = "سلة غذائية رمضانية"
# The categories the demo manager set as receiving zakat (the poor and needy among them).
ZAKAT_CATEGORIES = ["orphans", "prisoner", "disability", "elderly", "chronic_illness"]


def seed(stdout, options: dict) -> None:
    if Fund.objects.filter(name__in=[ZAKAT_FUND, GENERAL_FUND]).exists():
        stdout.write("Programs: demo funds already present.")
        return
    manager = User.objects.filter(username="manager").first()
    with transaction.atomic():
        zakat = services.fund_create(
            actor=manager,
            name=ZAKAT_FUND,
            kind=Fund.Kind.ZAKAT,
            allowed_categories=ZAKAT_CATEGORIES,
        )
        services.fund_deposit(
            actor=manager, fund=zakat, amount=Decimal(150000), note="زكاة الأموال 1447"
        )
        general = services.fund_create(actor=manager, name=GENERAL_FUND, kind=Fund.Kind.GENERAL)
        services.fund_deposit(
            actor=manager, fund=general, amount=Decimal(250000), note="تبرعات عامة"
        )
        basket = StockItem.objects.filter(name=BASKET).first() or services.stock_item_create(
            actor=manager, name=BASKET, unit="سلة", unit_value=Decimal(350)
        )
        stock.stock_receive(actor=manager, item=basket, quantity=300, note="توريد رمضان")
        program = Program.objects.filter(name=RAMADAN_PROGRAM).first() or services.program_create(
            actor=manager,
            name=RAMADAN_PROGRAM,
            description="سلة غذائية لكل أسرة مستحقة في شهر رمضان.",
            status=Program.Status.ACTIVE,
            request_type="food_basket",
            max_per_capita_income=Decimal(2000),
            repeat_period_months=11,
            repeat_rule=Program.RepeatRule.ONCE,
        )
        services.program_fund_set(
            actor=manager, program=program, fund=general, budget=Decimal(100000), position=0
        )
        services.program_fund_set(
            actor=manager, program=program, fund=zakat, budget=Decimal(60000), position=1
        )
        services.entitlement_item_set(actor=manager, program=program, item=basket, quantity=1)
    stdout.write("Programs: a zakat fund, a general fund and the Ramadan food basket program.")
