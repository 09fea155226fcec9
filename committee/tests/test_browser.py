"""Acceptance 1, in headless Chromium: from the research report to the minutes."""

import re

import pytest
from django.utils import translation

from accounts.roles import Role
from committee.models import Decision, Meeting, Vote
from committee.tests.factories import committee_with, request_in_research
from requests_app.models import SupportRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def arabic(label) -> str:
    with translation.override("ar"):
        return str(label)


@pytest.fixture
def people(make_staff, researcher_user, intake_user, chair_user):
    members = [make_staff(Role.COMMITTEE, username=f"member_b{i}") for i in (1, 2, 3)]
    committee_with(chair=chair_user, members=members)
    return {
        "researcher": researcher_user,
        "intake": intake_user,
        "chair": chair_user,
        "members": members,
    }


def login_as(page, browser_login, user):
    page.context.clear_cookies()
    browser_login(user)
    page.wait_for_url("**/")


def write_report_and_send(page, support_request, *, recommendation, amount):
    page.goto(f"/committee/requests/{support_request.pk}/report/")
    form = page.locator("[data-testid=report-form]")
    form.locator("input[name=visit_type][value=home]").check()
    form.locator("input[name=visit_date]").fill("2026-11-20")
    form.locator("textarea[name=household_findings]").fill("أرملة تعول ثلاثة أطفال")
    form.locator("textarea[name=needs]").fill("سلة غذائية شهرية")
    form.locator(f"input[name=recommendation][value={recommendation}]").check()
    form.locator("input[name=recommended_amount]").fill(amount)
    form.locator("select[name=recommended_support_type]").select_option("food_basket")
    form.locator("button[name=complete]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=report-status]").inner_text().strip() == "مكتمل"
    # The score is shown beside its breakdown.
    assert page.locator("[data-testid=score-total]").first.inner_text().strip() == "75"
    page.get_by_role("button", name="الإحالة إلى اللجنة").click()
    page.wait_for_url(f"**/requests/{support_request.pk}/")


def plan_and_open_meeting(page, references) -> str:
    """As the chair: plan a meeting from the queue, fill its agenda, open it with everyone."""
    page.goto("/committee/")
    queue = page.locator("[data-testid=queue]").inner_text()
    assert all(reference in queue for reference in references)
    page.locator("input[name=date]").fill("2026-11-25")
    page.get_by_role("button", name="جدولة اجتماع").click()
    page.wait_for_url(re.compile(r"/committee/meetings/\d+/$"))
    agenda = page.locator("[data-testid=agenda-form]")
    for box in agenda.locator("input[type=checkbox]").all():
        box.check()
    agenda.get_by_role("button", name="إضافة إلى جدول الأعمال").click()
    page.wait_for_load_state()
    opening = page.locator("[data-testid=open-form]")
    assert opening.locator("input[type=checkbox]:checked").count() == 4  # everyone present
    opening.get_by_role("button", name="افتتاح الاجتماع").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=meeting-status]").inner_text().strip() == "منعقد"
    return page.url


def vote(page, reference, choice):
    item = page.locator(f"article[data-reference='{reference}']")
    item.locator(f"input[name=choice][value={choice}]").check()
    item.locator("textarea[name=comment]").fill("بعد الاطلاع على التقرير")
    item.get_by_role("button", name="صوّتي").click()
    page.wait_for_load_state()
    assert "سُجّل تصويتك" in page.locator(".messages").inner_text()


def decide(page, reference, fields: dict):
    form = page.locator(f"article[data-reference='{reference}'] [data-testid=decision-form]")
    form.locator(f"input[name=outcome][value={fields.pop('outcome')}]").check()
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name="تسجيل القرار").click()
    page.wait_for_load_state()


def test_a_request_goes_from_research_report_to_decision_and_minutes(page, browser_login, people):
    first = request_in_research(researcher=people["researcher"], intake=people["intake"])
    second = request_in_research(researcher=people["researcher"], intake=people["intake"])

    # The researcher writes the reports and sends both requests to the committee.
    login_as(page, browser_login, people["researcher"])
    write_report_and_send(page, first, recommendation="approve", amount="800")
    write_report_and_send(page, second, recommendation="reject", amount="0")

    # The chair opens a meeting with quorum, both requests on its agenda.
    login_as(page, browser_login, people["chair"])
    meeting_url = plan_and_open_meeting(page, [first.reference, second.reference])

    # Three members vote: approve the first, reject the second.
    for member in people["members"]:
        login_as(page, browser_login, member)
        page.goto(meeting_url)
        vote(page, first.reference, "approve")
        vote(page, second.reference, "reject")

    # The chair approves one and rejects the other.
    login_as(page, browser_login, people["chair"])
    page.goto(meeting_url)
    tally = page.locator(f"article[data-reference='{first.reference}'] [data-testid=tally]")
    assert f"{arabic(Vote.Choice.APPROVE.label)}: 3" in tally.inner_text()
    # The form offers only what the votes decide, and defer.
    outcomes = page.locator(
        f"article[data-reference='{second.reference}'] input[name=outcome]"
    ).evaluate_all("inputs => inputs.map(input => input.value)")
    assert outcomes == ["rejected", "deferred"]
    decide(
        page,
        first.reference,
        {"outcome": "approved", "approved_amount": "800", "support_type": "food_basket"},
    )
    decide(
        page,
        second.reference,
        {
            "outcome": "rejected",
            "rejection_code": "income_above_threshold",
            "rejection_reason": "دخل الفرد أعلى من الحد",
        },
    )
    assert page.locator("[data-testid=decision]").count() == 2

    # Both requests' states and timelines show it.
    for support_request, state in ((first, "approved"), (second, "rejected")):
        word = arabic(SupportRequest.State(state).label)
        page.goto(f"/requests/{support_request.pk}/")
        assert page.locator("[data-state]").first.inner_text().strip() == word
        assert word in page.locator("[data-testid=timeline]").inner_text()
        support_request.refresh_from_db()
        assert support_request.state == state

    # The minutes list both decisions; closing the meeting freezes them.
    page.goto(meeting_url)
    closing = page.locator("[data-testid=close-form]")
    assert "يعتمد محضره" in closing.inner_text()  # it says that closing approves the minutes
    closing.locator("input[name=confirm]").check()
    closing.get_by_role("button", name="إغلاق الاجتماع واعتماد محضره").click()
    page.wait_for_load_state()
    assert Meeting.objects.get().status == Meeting.Status.CLOSED
    page.goto(f"{meeting_url}minutes/")
    minutes = page.locator("[data-testid=minutes-decisions]")
    for support_request, outcome in ((first, "approved"), (second, "rejected")):
        row = minutes.locator(f"tr[data-reference='{support_request.reference}']")
        assert arabic(Decision.Outcome(outcome).label) in row.inner_text()
    assert "800" in minutes.locator(f"tr[data-reference='{first.reference}']").inner_text()
