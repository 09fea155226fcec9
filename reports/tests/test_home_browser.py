"""Issue 16, acceptance: each role logs in, and the first item of her home queue leads to the
page where she acts on it — in headless Chromium, through the real login form."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from beneficiaries.models import Referral
from beneficiaries.tests.factories import BeneficiaryFactory
from committee import services as committee_services
from committee.tests.factories import committee_with, open_meeting, request_before_committee
from requests_app.models import HomeVisit, SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
State = SupportRequest.State


def follow_the_first_item(page) -> None:
    """From `/`: the first line's first row when it lists some, else the line's own link."""
    page.goto("/")
    first_line = page.locator("[data-queue-line]").first
    rows = first_line.locator("[data-testid=queue-row]")
    target = rows.first if rows.count() else first_line.locator("[data-testid=queue-link]")
    target.click()
    page.wait_for_load_state()


def test_intake_goes_from_her_home_to_the_new_beneficiary_form(page, browser_login, intake_user):
    browser_login(intake_user)
    follow_the_first_item(page)
    assert page.url.endswith("/beneficiaries/new/")
    assert page.locator("main form input[name=full_name]").is_visible()


def test_the_researcher_goes_from_her_home_to_the_referral_she_answers(
    page, browser_login, intake_user, researcher_user
):
    beneficiary = BeneficiaryFactory(full_name="هند سالم عبدالله الحربي")
    Referral.objects.create(
        beneficiary=beneficiary,
        reason="لم تتضح لها الإجراءات",
        referred_by=intake_user,
        assigned_to=researcher_user,
    )
    browser_login(researcher_user)
    follow_the_first_item(page)
    assert f"/beneficiaries/{beneficiary.pk}/" in page.url
    answer = page.locator("#referrals form textarea[name=answer]")
    assert answer.is_visible()


def test_the_researcher_sees_her_visit_of_the_week_and_starts_its_report(
    page, browser_login, researcher_user
):
    support_request = request_in_state(
        State.IN_RESEARCH,
        researcher=researcher_user,
        beneficiary=BeneficiaryFactory(full_name="نورة سعد محمد القحطاني"),
    )
    visit = HomeVisit.objects.create(
        support_request=support_request,
        researcher=researcher_user,
        date=timezone.localdate(),
        window_start=time(10),
        window_end=time(12),
        address="النسيم، الرياض",
    )
    browser_login(researcher_user)
    page.goto("/")
    page.locator("[data-queue-line=home_visits] [data-testid=queue-link]").click()
    page.locator("[data-testid=home-visit] a.btn").click()
    page.wait_for_load_state()
    assert page.locator("input[name=visit_type][value=home]").is_checked()
    assert page.locator("input[name=visit_date]").input_value() == visit.date.isoformat()


def test_a_member_goes_from_her_home_to_the_meeting_where_she_votes(page, browser_login, personas):
    member_user, chair_user = personas["committee"], personas["chair"]
    committee = committee_with(chair=chair_user, members=[chair_user, member_user])
    support_request = request_before_committee(
        researcher=personas["researcher"], intake=personas["intake"]
    )
    meeting = open_meeting(committee=committee, requests=[support_request])
    browser_login(member_user)
    follow_the_first_item(page)
    assert page.url.endswith(meeting.get_absolute_url())
    assert page.locator("[data-testid=vote-form]").first.is_visible()


def test_the_chair_goes_from_her_home_to_the_agenda_of_her_next_meeting(
    page, browser_login, personas
):
    chair_user = personas["chair"]
    committee = committee_with(chair=chair_user, members=[chair_user, personas["committee"]])
    request_before_committee(researcher=personas["researcher"], intake=personas["intake"])
    meeting = committee_services.meeting_schedule(
        actor=chair_user, committee=committee, date=date.today() + timedelta(days=3)
    )
    browser_login(chair_user)
    follow_the_first_item(page)
    assert page.url.endswith(meeting.get_absolute_url())
    assert page.locator("[data-testid=agenda-form]").is_visible()


def test_the_manager_goes_from_her_home_to_the_overdue_request(page, browser_login, manager_user):
    overdue = request_in_state(State.IN_RESEARCH, due_in_days=-2)
    browser_login(manager_user)
    follow_the_first_item(page)
    assert page.url.endswith(overdue.get_absolute_url())
    assert page.locator("[data-testid=overdue]").first.is_visible()
    # Her dashboard's figures follow the queue on the same page.
    page.goto("/")
    assert page.locator("[data-testid=manager-figures]").is_visible()
