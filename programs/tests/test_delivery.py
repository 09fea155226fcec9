"""Delivery of an approved cycle: her SMS, the handover with her code, stock, not collected."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import Consent, ConsentPurpose
from notifications.models import Message
from notifications.rendering import render
from programs import delivery
from programs.models import CycleEntry, FundMovement, StockMovement
from programs.stock import STOCK_SHORT, StockError, stock_issue, stock_receive
from programs.tests.delivery_factories import approved_cycle, basket_item, woman
from programs.tests.factories import basket_program, fund_with

pytestmark = pytest.mark.django_db
Status = CycleEntry.Status


@pytest.fixture
def basket(manager_user):
    return basket_item(manager_user, on_hand=10)


def _code_sent_to(entry) -> str:
    """The code as it sits in the outbox before the worker sends it (then it is blanked)."""
    message = Message.objects.filter(template="phone_code").latest("pk")
    assert message.to == str(entry.beneficiary.mobile)
    return message.context["code"]


# --- Telling her -----------------------------------------------------------------------------
def test_an_approved_cycle_tells_each_woman_once_by_sms_in_her_language(manager_user, basket):
    noura = woman(full_name="نورة سعد عبدالله القحطاني", preferred_language="ar")
    sarah = woman(full_name="سارة علي محمد الشهري", preferred_language="en")
    cycle = approved_cycle(manager_user, item=basket)

    assert delivery.cycle_notify(cycle_id=cycle.pk) == 2
    assert delivery.cycle_notify(cycle_id=cycle.pk) == 0  # a second run queues nothing

    messages = {m.to: m for m in Message.objects.filter(template="entitlement_notice")}
    assert set(messages) == {str(noura.mobile), str(sarah.mobile)}
    assert messages[str(noura.mobile)].language == "ar"
    assert messages[str(sarah.mobile)].language == "en"
    entries = CycleEntry.objects.filter(cycle=cycle)
    assert {e.status for e in entries} == {Status.NOTIFIED}
    assert all(e.notified_at for e in entries)
    assert Event.objects.filter(verb="cycle_notified").get().extra == {"entries": 2}


def test_her_sms_reads_short_and_clear_in_arabic(manager_user, basket):
    woman(full_name="نورة سعد عبدالله القحطاني")
    cycle = approved_cycle(manager_user, item=basket, quantity=2)
    delivery.cycle_notify(cycle_id=cycle.pk)
    message = Message.objects.get(template="entitlement_notice")
    entry = CycleEntry.objects.get(cycle=cycle)

    text = render(message.template, message.language, message.context)

    assert text.subject == "موعد استلام سلة رمضان الغذائية"
    assert text.body == (
        "جمعية وهج النسائية الخيرية: عزيزتي نورة، اعتُمد لك من سلة رمضان الغذائية: "
        "سلة غذائية × 2. الاستلام في مقر الجمعية، حي النسيم يوم 20 فبراير 2027 "
        "(13 رمضان 1448 هـ)، من الساعة 09:00 إلى 13:00. أحضري معك الهوية الوطنية. "
        f"رقم الاستلام {entry.reference}."
    )
    assert len(text.body) <= 4 * 67  # four SMS parts at most (Arabic: 67 characters a part)


def test_a_cash_cycle_tells_her_the_amount_and_the_transfer(manager_user):
    woman(full_name="نورة سعد عبدالله القحطاني")
    cycle = approved_cycle(manager_user, amount=Decimal("750"))
    delivery.cycle_notify(cycle_id=cycle.pk)
    message = Message.objects.get(template="entitlement_notice")

    body = render(message.template, "ar", message.context).body

    assert "مبلغ 750.00 ريال، يُحوَّل إلى حسابك البنكي المسجَّل لدينا" in body


def test_a_woman_who_withdrew_contact_consent_gets_no_sms_and_her_entry_says_so(
    manager_user, basket
):
    her = woman()
    Consent.objects.create(
        beneficiary=her,
        purpose=ConsentPurpose.CONTACT,
        notice_version="1",
        withdrawn_at=timezone.now(),
    )
    other = woman()
    cycle = approved_cycle(manager_user, item=basket)

    delivery.cycle_notify(cycle_id=cycle.pk)

    assert list(Message.objects.values_list("to", flat=True)) == [str(other.mobile)]
    entry = CycleEntry.objects.get(cycle=cycle, beneficiary=her)
    withheld = Event.objects.for_subject(entry).get(verb="message_withheld_no_consent")
    assert withheld.extra == {"template": "entitlement_notice"}
    assert entry.status == Status.NOTIFIED  # done: staff tell her in person


def test_telling_a_cycle_costs_the_same_queries_for_few_and_many(manager_user, basket):
    def queries_for(count: int, name: str) -> int:
        for _ in range(count):
            woman()
        fund = fund_with(actor=manager_user, name=f"صندوق {name}", balance="100000")
        program = basket_program(actor=manager_user, fund=fund, name=name, request_type="")
        cycle = approved_cycle(manager_user, fund=fund, program=program, item=basket, name=name)
        with CaptureQueriesContext(connection) as captured:
            assert delivery.cycle_notify(cycle_id=cycle.pk) > 0
        return len(captured)

    assert queries_for(3, "أ") == queries_for(40, "ب")


def test_the_sweep_finishes_a_cycle_left_half_told(manager_user, basket):
    for _ in range(5):
        woman()
    cycle = approved_cycle(manager_user, item=basket)
    delivery._notify_chunk(cycle, 2)  # a worker killed after its first chunk

    assert delivery.cycles_notify_pending() == 3

    assert Message.objects.filter(template="entitlement_notice").count() == 5
    assert not CycleEntry.objects.filter(cycle=cycle, status=Status.APPROVED).exists()


# --- Handing over ----------------------------------------------------------------------------
def test_handover_with_her_code_delivers_takes_the_stock_and_charges_the_fund(
    manager_user, intake_user, basket
):
    woman()
    cycle = approved_cycle(manager_user, item=basket, quantity=2)
    entry = CycleEntry.objects.get(cycle=cycle)
    fund = cycle.fund
    fund.refresh_from_db()
    balance, committed = fund.balance, fund.committed

    delivery.cycle_entry_code_send(actor=intake_user, entry=entry)
    delivery.cycle_entry_deliver(actor=intake_user, entry=entry, code=_code_sent_to(entry))

    entry.refresh_from_db()
    assert (entry.status, entry.delivered_by, entry.confirmed_by) == (
        Status.DELIVERED,
        intake_user,
        "code",
    )
    assert entry.value == Decimal("500.00")  # 2 baskets × 250
    basket.refresh_from_db()
    assert basket.on_hand == 8
    out = StockMovement.objects.get(cycle_entry=entry)
    assert (out.kind, out.quantity, out.on_hand_after) == ("out", -2, 8)
    fund.refresh_from_db()
    assert fund.balance == balance - entry.value
    assert fund.committed == committed - entry.value
    assert FundMovement.objects.get(cycle_entry=entry, kind="spend").amount == entry.value
    event = Event.objects.for_subject(entry).get(verb="cycle_entry_delivered")
    assert (event.actor, event.old_state, event.new_state) == (
        intake_user,
        Status.APPROVED,
        Status.DELIVERED,
    )
    assert Event.objects.for_subject(entry).filter(verb="handover_code_sent").exists()


def test_a_wrong_code_is_refused_and_nothing_is_delivered(manager_user, intake_user, basket):
    woman()
    entry = CycleEntry.objects.get(cycle=approved_cycle(manager_user, item=basket))
    delivery.cycle_entry_code_send(actor=intake_user, entry=entry)
    right = _code_sent_to(entry)
    wrong = "000000" if right != "000000" else "111111"

    with pytest.raises(delivery.DeliveryError) as refused:
        delivery.cycle_entry_deliver(actor=intake_user, entry=entry, code=wrong)

    assert refused.value.message == str(delivery.CODE_REFUSED)
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED
    basket.refresh_from_db()
    assert basket.on_hand == 10


def test_no_code_sent_no_handover(manager_user, intake_user, basket):
    woman()
    entry = CycleEntry.objects.get(cycle=approved_cycle(manager_user, item=basket))
    with pytest.raises(delivery.DeliveryError) as refused:
        delivery.cycle_entry_deliver(actor=intake_user, entry=entry, code="123456")
    assert refused.value.message == str(delivery.CODE_FIRST)


def test_a_delivered_entry_cannot_be_handed_over_twice(manager_user, intake_user, basket):
    woman()
    entry = CycleEntry.objects.get(cycle=approved_cycle(manager_user, item=basket))
    delivery.cycle_entry_code_send(actor=intake_user, entry=entry)
    delivery.cycle_entry_deliver(actor=intake_user, entry=entry, code=_code_sent_to(entry))

    with pytest.raises(delivery.DeliveryError) as refused:
        delivery.cycle_entry_code_send(actor=intake_user, entry=entry)

    assert refused.value.message == str(delivery.NOT_FOR_HANDOVER) % {"status": "تم التسليم"}


def test_short_stock_refuses_the_handover_with_the_quantity_available(manager_user, intake_user):
    basket = basket_item(manager_user, on_hand=1)
    woman()
    entry = CycleEntry.objects.get(cycle=approved_cycle(manager_user, item=basket, quantity=3))

    with pytest.raises(delivery.DeliveryError) as refused:
        delivery.cycle_entry_code_send(actor=intake_user, entry=entry)

    assert refused.value.message == str(STOCK_SHORT) % {
        "item": "سلة غذائية",
        "available": 1,
        "needed": 3,
    }
    assert not Message.objects.filter(template="phone_code").exists()


def test_stock_records_what_came_in_and_refuses_what_is_not_there(manager_user):
    basket = basket_item(manager_user)
    stock_receive(actor=manager_user, item=basket, quantity=5, note="تبرع عيني")
    stock_issue(actor=manager_user, item=basket, quantity=4)

    with pytest.raises(StockError) as refused:
        stock_issue(actor=manager_user, item=basket, quantity=2)

    assert refused.value.params == {"item": "سلة غذائية", "available": 1, "needed": 2}
    basket.refresh_from_db()
    assert basket.on_hand == 1
    assert list(
        basket.movements.order_by("pk").values_list("kind", "quantity", "on_hand_after")
    ) == [
        ("in", 5, 5),
        ("out", -4, 1),
    ]
    assert [e.verb for e in Event.objects.for_subject(basket).order_by("pk")][-2:] == [
        "stock_in",
        "stock_out",
    ]


def test_stock_short_message_is_translated(manager_user):
    from django.utils import translation

    basket = basket_item(manager_user)
    with translation.override("ar"), pytest.raises(StockError) as refused:
        stock_issue(actor=manager_user, item=basket, quantity=1)
    assert "المتوفر 0" in refused.value.message


# --- Not collected ---------------------------------------------------------------------------
def test_after_the_window_what_was_not_collected_is_released_to_the_fund(
    manager_user, intake_user, basket
):
    woman()
    woman()
    cycle = approved_cycle(manager_user, item=basket)
    collected, missed = CycleEntry.objects.filter(cycle=cycle).order_by("pk")
    delivery.cycle_entry_code_send(actor=intake_user, entry=collected)
    delivery.cycle_entry_deliver(actor=intake_user, entry=collected, code=_code_sent_to(collected))

    assert delivery.cycles_close_ended(now=cycle.delivery_ends + timedelta(hours=2)) == 0
    assert delivery.cycles_close_ended(now=cycle.delivery_ends + timedelta(days=2)) == 1
    assert delivery.cycles_close_ended(now=cycle.delivery_ends + timedelta(days=2)) == 0

    missed.refresh_from_db()
    collected.refresh_from_db()
    assert (collected.status, missed.status) == (Status.DELIVERED, Status.NOT_COLLECTED)
    fund = cycle.fund
    fund.refresh_from_db()
    assert fund.committed == Decimal(0)
    assert FundMovement.objects.get(cycle=cycle, kind="release").amount == missed.value
