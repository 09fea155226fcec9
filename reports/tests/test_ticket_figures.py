"""Tickets in the reports (issue 20, part 2): by channel, category, state, time to answer; on
the dashboard, in the monthly report, exported."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.selectors import ticket_figures
from feedback.tests.factories import ticket
from reports.selectors import Month

pytestmark = pytest.mark.django_db
SECRET = "نص الشكوى لا يُصدَّر"


@pytest.fixture
def tickets(intake_user, settings):
    settings.FEEDBACK_ANSWER_DAYS = {"inquiry": 3, "complaint": 7, "suggestion": 14, "thanks": 14}
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        fast = ticket(actor=intake_user, kind="inquiry", channel="phone", category="support")
        slow = ticket(actor=intake_user, kind="inquiry", channel="website", category="delay")
        ticket(kind="complaint", channel="website", category="staff", text=SECRET)
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        services.ticket_answer(actor=intake_user, ticket=fast, answer="نعم")
    with time_machine.travel(start + timedelta(days=5), tick=False):  # past its 3 days
        services.ticket_answer(actor=intake_user, ticket=slow, answer="تأخرنا")
    return fast, slow


def test_the_figures_count_by_channel_category_state_and_time_to_answer(tickets):
    figures = ticket_figures()
    assert figures.total == 3
    assert [(v, n) for v, _label, n in figures.by_channel] == [("phone", 1), ("website", 2)]
    assert {v: n for v, _label, n in figures.by_state} == {"new": 1, "answered": 2}
    assert {v for v, _label, _n in figures.by_category} == {"support", "delay", "staff"}
    assert (figures.answered, figures.answered_in_time, figures.in_time_share) == (2, 1, 50.0)
    assert figures.median_hours == (10 + 120) / 2
    assert figures.open_overdue == 1  # the complaint: 7 days passed, unanswered


def test_the_dashboard_and_the_monthly_report_show_them(client_as, manager_user, tickets):
    client = client_as(manager_user)
    dashboard = client.get("/")
    assert dashboard.context["manager"].tickets is not None
    assert 'data-testid="ticket-figures"' in dashboard.content.decode()
    month = Month.of(timezone.localdate() - timedelta(days=10))
    report = client.get(reverse("reports:monthly"), {"month": str(month)})
    assert report.status_code == 200
    page = report.content.decode()
    assert 'data-testid="ticket-figures"' in page
    assert report.context["report"].tickets.total >= 1


def test_the_export_has_the_figures_never_the_text(client_as, manager_user, tickets):
    response = client_as(manager_user).get(
        reverse("reports:export", args=["tickets", "csv"]) + "?kind=complaint"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, *body = rows
    assert len(header) == 10
    assert len(body) == 1
    assert SECRET not in "".join(",".join(r) for r in rows)
