"""Issue 16, item 2: the researcher schedules a home visit, she is told by SMS the day before,
the researcher's week lists it, and the research report starts from it."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import Message
from requests_app import services
from requests_app.models import HomeVisit, SupportRequest
from requests_app.tasks import send_home_visit_reminders
from wahaj.celery import app as celery_app

from .factories import request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State


@pytest.fixture
def in_research(researcher_user) -> SupportRequest:
    beneficiary = BeneficiaryFactory(
        full_name="نورة سعد محمد القحطاني",
        city="الرياض",
        district="النسيم",
        national_address="RRRD2929",
    )
    return request_in_state(State.IN_RESEARCH, beneficiary=beneficiary, researcher=researcher_user)


def schedule(actor, support_request, day: date, start=time(10), end=time(12)) -> HomeVisit:
    return services.home_visit_schedule(
        actor=actor, support_request=support_request, date=day, window_start=start, window_end=end
    )


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


# --- Scheduling ----------------------------------------------------------------------------------
def test_the_researcher_schedules_a_visit_at_the_address_on_her_file(researcher_user, in_research):
    visit = schedule(researcher_user, in_research, tomorrow())

    assert visit.address == "النسيم، الرياض — RRRD2929"
    assert visit.researcher == researcher_user
    event = Event.objects.get(verb="home_visit_schedule")
    assert event.object_id == in_research.pk
    assert event.actor == researcher_user
    assert event.extra == {
        "visit": visit.pk,
        "date": tomorrow().isoformat(),
        "from": "10:00",
        "to": "12:00",
    }
    # She is told the day before, not now.
    assert not Message.objects.exists()


def test_intake_cannot_schedule_a_home_visit(intake_user, in_research):
    with pytest.raises(services.InvalidTransition) as refused:
        schedule(intake_user, in_research, tomorrow())
    assert refused.value.message == services.NOT_PERMITTED
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize(
    "case",
    [
        (-1, time(10), time(12), services.VISIT_DAY_PASSED),
        (1, time(12), time(10), services.VISIT_WINDOW_BACKWARDS),
    ],
)
def test_a_visit_in_the_past_or_ending_before_it_starts_is_refused(
    researcher_user, in_research, case
):
    days, start, end, error = case
    day = timezone.localdate() + timedelta(days=days)
    with pytest.raises(services.InvalidTransition) as refused:
        schedule(researcher_user, in_research, day, start, end)
    assert refused.value.message == error


def test_a_visit_is_refused_once_the_request_left_research(researcher_user):
    decided = request_in_state(State.APPROVED, researcher=researcher_user)
    with pytest.raises(services.InvalidTransition) as refused:
        schedule(researcher_user, decided, tomorrow())
    assert refused.value.message == services.VISIT_NOT_NOW


def test_a_visit_needs_her_address_on_file(researcher_user):
    beneficiary = BeneficiaryFactory(city="", district="", national_address="")
    support_request = request_in_state(State.SUBMITTED, beneficiary=beneficiary)
    with pytest.raises(services.InvalidTransition) as refused:
        schedule(researcher_user, support_request, tomorrow())
    assert refused.value.message == services.VISIT_NO_ADDRESS


# --- The SMS the day before ----------------------------------------------------------------------
def test_she_is_told_by_sms_the_day_before_once_however_often_the_job_runs(
    researcher_user, in_research
):
    visit = schedule(researcher_user, in_research, tomorrow(), time(9, 30), time(11))
    schedule(researcher_user, in_research, tomorrow() + timedelta(days=1))  # not yet

    assert send_home_visit_reminders() == 1
    assert send_home_visit_reminders() == 0

    message = Message.objects.get()
    assert message.template == "home_visit_reminder"
    assert message.channel == "sms"
    assert message.to == str(in_research.beneficiary.mobile)
    assert message.idempotency_key == f"home-visit-{visit.pk}-reminder"
    assert message.context["visit_date"] == tomorrow().isoformat()
    assert message.context["window_start"] == "09:30"
    assert message.context["address"] == visit.address
    event = Event.objects.get(verb="home_visit_reminder")
    assert event.object_id == in_research.pk
    assert event.actor is None
    visit.refresh_from_db()
    assert visit.reminded_at is not None


def test_the_reminder_reads_as_a_sentence_in_arabic(researcher_user, in_research):
    from notifications.rendering import render

    schedule(researcher_user, in_research, tomorrow(), time(9, 30), time(11))
    send_home_visit_reminders()
    message = Message.objects.get()
    body = render(message.template, "ar", message.context).body
    assert "عزيزتي نورة" in body
    assert "بين الساعة 09:30 والساعة 11:00" in body
    assert "النسيم، الرياض — RRRD2929" in body


def test_no_reminder_for_a_withdrawn_request(researcher_user, in_research):
    schedule(researcher_user, in_research, tomorrow())
    SupportRequest.objects.filter(pk=in_research.pk).update(state=State.WITHDRAWN)
    assert send_home_visit_reminders() == 0
    assert not Message.objects.exists()


def test_the_reminder_job_is_in_the_one_beat_schedule_and_runs_in_the_day():
    jobs = {job["task"]: job["schedule"] for job in celery_app.conf.beat_schedule.values()}
    hours = jobs["requests_app.tasks.send_home_visit_reminders"].hour
    assert 3 not in hours  # nobody is texted at night
    assert {9, 20} <= hours


# --- Pages ---------------------------------------------------------------------------------------
def test_the_researcher_schedules_through_the_page_and_finds_it_in_her_week(
    client_as, researcher_user, in_research
):
    client = client_as(researcher_user)
    page = client.get(reverse("requests_app:visit_new", args=[in_research.pk]))
    assert "RRRD2929" in page.content.decode()
    day = tomorrow()
    response = client.post(
        reverse("requests_app:visit_new", args=[in_research.pk]),
        {"date": day.isoformat(), "window_start": "16:00", "window_end": "17:30"},
    )
    assert response.status_code == 302
    assert HomeVisit.objects.get().window_start == time(16)

    week = client.get(response["Location"]).content.decode()
    assert "نورة سعد محمد القحطاني" in week
    assert "16:00" in week
    assert reverse("committee:report", args=[in_research.pk]) in week


def test_her_week_shows_only_her_visits(client_as, researcher_user, make_staff, in_research):
    colleague = make_staff("researcher", username="colleague")
    other = request_in_state(
        State.IN_RESEARCH, beneficiary=BeneficiaryFactory(full_name="ليست من زياراتها")
    )
    schedule(colleague, other, timezone.localdate())
    schedule(researcher_user, in_research, timezone.localdate())
    week = client_as(researcher_user).get(reverse("requests_app:visits")).content.decode()
    assert "نورة سعد محمد القحطاني" in week
    assert "ليست من زياراتها" not in week


@pytest.mark.parametrize("week", ["2026-02-31", "x" * 300, "2026-13-01\x00"])
def test_a_week_that_does_not_exist_shows_this_week(client_as, researcher_user, week):
    response = client_as(researcher_user).get(reverse("requests_app:visits"), {"week": week})
    assert response.status_code == 200


def test_intake_and_members_may_not_open_the_visit_pages(
    client_as, intake_user, member_user, in_research
):
    for user in (intake_user, member_user):
        client = client_as(user)
        assert client.get(reverse("requests_app:visits")).status_code == 403
        url = reverse("requests_app:visit_new", args=[in_research.pk])
        assert client.get(url).status_code == 403


def test_the_research_report_starts_from_the_visit(client_as, researcher_user, in_research):
    visit = schedule(researcher_user, in_research, timezone.localdate())
    form = client_as(researcher_user).get(reverse("committee:report", args=[in_research.pk]))
    bound = form.context["form"]
    assert bound["visit_type"].value() == "home"
    assert bound["visit_date"].value() == visit.date


def test_the_request_page_lists_its_visits_and_offers_the_researcher_to_schedule_one(
    client_as, researcher_user, intake_user, in_research
):
    schedule(researcher_user, in_research, tomorrow(), time(16), time(17, 30))
    url = reverse("requests_app:detail", args=[in_research.pk])
    schedule_url = reverse("requests_app:visit_new", args=[in_research.pk])

    page = client_as(researcher_user).get(url).content.decode()
    assert "16:00–17:30" in page
    assert schedule_url in page
    assert schedule_url not in client_as(intake_user).get(url).content.decode()
