"""Issue 21's acceptance, in headless Chromium: a Ramadan cycle on demo data — rules → list →
committee approval → SMS in the outbox → handover with a code → the report shows it delivered
and the fund's balance reduced. Here, outside programs/, because it drives the committee too."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.roles import Role
from committee.tests.factories import committee_with, open_meeting
from notifications.models import Message
from programs.demo import GENERAL_FUND, RAMADAN_PROGRAM
from programs.models import Cycle, CycleEntry, Fund, Program
from programs.tasks import cycle_notify_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login_as(page, browser_login, user):
    page.context.clear_cookies()
    browser_login(user)
    page.wait_for_url("**/")


def messages_text(page) -> str:
    return page.locator(".messages").inner_text()


@pytest.fixture
def ramadan(settings, manager_user, intake_user, chair_user, make_staff) -> dict:
    """Demo data (funds, the Ramadan program, baskets in stock, files) and an open meeting."""
    settings.WAHAJ_DEMO_PASSWORD = "demo-only-password-123"
    call_command("seed_demo", beneficiaries=30)
    members = [make_staff(Role.COMMITTEE, username=f"member_r{i}") for i in (1, 2, 3)]
    meeting = open_meeting(committee=committee_with(chair=chair_user, members=members), requests=[])
    return {
        "program": Program.objects.get(name=RAMADAN_PROGRAM),
        "fund": Fund.objects.get(name=GENERAL_FUND),
        "manager": manager_user,
        "intake": intake_user,
        "chair": chair_user,
        "members": members,
        "meeting": meeting,
    }


def open_cycle_and_list(page, program, fund) -> Cycle:
    """As the manager: the program's rules, a new cycle with its delivery details, its list,
    sent to the committee."""
    page.goto(f"/programs/{program.pk}/")
    assert page.locator("[data-testid=rules]").is_visible()
    page.goto(f"/programs/{program.pk}/cycles/new/")
    form = page.locator("[data-testid=cycle-form]")
    form.locator("input[name=name]").fill("رمضان 1448")
    form.locator("select[name=fund]").select_option(str(fund.pk))
    form.locator("input[name=delivery_place]").fill("مقر الجمعية، حي النسيم")
    form.locator("input[name=delivery_starts]").fill("2027-02-20T09:00")
    form.locator("input[name=delivery_ends]").fill("2027-02-20T13:00")
    form.locator("input[name=what_to_bring]").fill("الهوية الوطنية")
    form.get_by_role("button", name="حفظ").click()
    page.wait_for_url(re.compile(r"/programs/cycles/\d+/$"))
    cycle = Cycle.objects.get(program=program, name="رمضان 1448")
    page.locator("[data-testid=generate]").click()
    page.wait_for_load_state()
    cycle.refresh_from_db()
    assert cycle.eligible_count > 0
    assert page.locator("[data-testid=entries]").is_visible()
    page.locator("[data-testid=send]").click()
    page.wait_for_load_state()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.IN_COMMITTEE
    return cycle


def approve_in_committee(page, browser_login, ramadan, cycle) -> None:
    """The chair puts the cycle on the open meeting's agenda, the members approve, the chair
    records the decision."""
    meeting_url = f"/committee/meetings/{ramadan['meeting'].pk}/"
    login_as(page, browser_login, ramadan["chair"])
    page.goto(meeting_url)
    adding = page.locator("[data-testid=cycle-add-form]")
    adding.locator("select[name=cycle]").select_option(str(cycle.pk))
    adding.get_by_role("button").click()
    page.wait_for_load_state()
    item = page.locator(f"article[data-cycle='{cycle.pk}']")
    assert item.locator("[data-testid=cycle-fund-check]").is_visible()
    for member in ramadan["members"]:
        login_as(page, browser_login, member)
        page.goto(meeting_url)
        voting = page.locator(f"article[data-cycle='{cycle.pk}'] [data-testid=cycle-vote-form]")
        voting.locator("input[name=choice][value=approve]").check()
        voting.get_by_role("button").click()
        page.wait_for_load_state()
    login_as(page, browser_login, ramadan["chair"])
    page.goto(meeting_url)
    deciding = page.locator(f"article[data-cycle='{cycle.pk}'] [data-testid=cycle-decision-form]")
    deciding.locator("input[name=outcome][value=approved]").check()
    deciding.get_by_role("button").click()
    page.wait_for_load_state()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.APPROVED


def sms_in_the_outbox(cycle) -> CycleEntry:
    """The approval published the task that tells them; the test runs it, as the worker
    would: one SMS per approved entry in the outbox. Returns the first woman's entry."""
    approved = CycleEntry.objects.filter(cycle=cycle, status=CycleEntry.Status.APPROVED).count()
    assert approved > 0
    assert cycle_notify_task(cycle.pk) == approved
    notices = Message.objects.filter(template="entitlement_notice")
    assert notices.count() == approved  # (a woman who withdrew contact consent would get none)
    entry = (
        CycleEntry.objects.filter(cycle=cycle, status=CycleEntry.Status.NOTIFIED)
        .select_related("beneficiary")
        .order_by("pk")
        .first()
    )
    sms = notices.get(idempotency_key=f"cycle-entry-notice-{entry.pk}")
    assert sms.to == str(entry.beneficiary.mobile)
    assert sms.context["reference"] == entry.reference
    assert sms.context["place"] == "مقر الجمعية، حي النسيم"
    return entry


def hand_over_with_her_code(page, entry) -> None:
    """At the desk: type her reference, send her the code, type the code she reads out."""
    page.goto("/programs/handover/")
    page.locator("input[name=reference]").fill(entry.reference)
    page.locator("input[name=reference]").press("Enter")
    page.wait_for_url(f"**/programs/handover/{entry.pk}/")
    page.locator("[data-testid=send-code]").click()
    page.wait_for_load_state()
    assert "أُرسل الرمز إلى جوالها" in messages_text(page)
    code = Message.objects.filter(template="phone_code").latest("pk").context["code"]
    confirm = page.locator("[data-testid=confirm-form]")
    confirm.locator("input[name=code]").fill(code)
    confirm.get_by_role("button", name="تأكيد التسليم").click()
    page.wait_for_url("**/programs/handover/")
    assert "تم التسليم" in messages_text(page)


def test_a_ramadan_cycle_from_its_rules_to_a_basket_handed_over(page, browser_login, ramadan):
    fund = ramadan["fund"]
    login_as(page, browser_login, ramadan["manager"])
    cycle = open_cycle_and_list(page, ramadan["program"], fund)
    approve_in_committee(page, browser_login, ramadan, cycle)
    fund.refresh_from_db()
    balance_before = fund.balance
    entry = sms_in_the_outbox(cycle)

    login_as(page, browser_login, ramadan["intake"])
    hand_over_with_her_code(page, entry)
    entry.refresh_from_db()
    assert entry.status == CycleEntry.Status.DELIVERED

    # The report shows it delivered, and the fund's balance is lower by its value.
    login_as(page, browser_login, ramadan["manager"])
    page.goto(f"/programs/cycles/{cycle.pk}/report/")
    assert page.locator("[data-testid=total-delivered]").inner_text().strip() == "1"
    fund.refresh_from_db()
    assert entry.value > Decimal(0)
    assert fund.balance == balance_before - entry.value
    shown = page.locator("[data-testid=fund-balance]").inner_text().strip()
    assert shown == f"{fund.balance:,.2f}"
