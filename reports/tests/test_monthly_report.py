"""The board's monthly report: its figures, printable, and as a PDF."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

from .conftest import at

State = SupportRequest.State
pytestmark = pytest.mark.django_db
REPORT = reverse("reports:monthly")


@pytest.fixture
def june(frozen_now):
    request_in_state(
        State.APPROVED,
        channel="website",
        submitted_at=at(6, 1),
        decision_due_at=at(6, 15),
        decided_at=at(6, 10),
        approved_amount=Decimal("1200.00"),
    )
    request_in_state(
        State.DELIVERED,
        request_type="rent",
        submitted_at=at(6, 2),
        decision_due_at=at(6, 16),
        decided_at=at(6, 18),
        approved_amount=Decimal("3000.00"),
        delivered_at=at(6, 19),
        delivered_amount=Decimal("2500.00"),
    )
    request_in_state(
        State.REJECTED,
        submitted_at=at(6, 3),
        decision_due_at=at(6, 17),
        decided_at=at(6, 5),
        rejection_code="not_eligible",
    )
    request_in_state(State.SUBMITTED, submitted_at=at(5, 30), decision_due_at=at(6, 13))


def test_the_monthly_report_adds_up_the_month(client_as, manager_user, june):
    response = client_as(manager_user).get(REPORT, {"month": "2026-06"})
    report = response.context["report"]
    assert report.intake_total == 3  # the May submission is not June's intake
    assert {value: n for value, _label, n in report.intake_by_channel} == {
        "website": 1,
        "interview": 2,
    }
    assert (report.approved, report.rejected) == (2, 1)
    assert report.amount_approved == Decimal("4200.00")
    assert (report.delivered, report.amount_delivered) == (1, Decimal("2500.00"))
    assert (report.decided, report.decided_in_window, report.window_share) == (3, 2, 66.7)
    by_type = {row["type"]: row for row in report.by_type}
    assert by_type["rent"]["approved"] == 1
    assert by_type["food_basket"]["rejected"] == 1
    page = response.content.decode()
    assert "التقرير الشهري — يونيو 2026 — ذو الحجة 1447 – محرم 1448 هـ" in page


def test_another_month_is_chosen_in_the_query(client_as, manager_user, june):
    report = client_as(manager_user).get(REPORT, {"month": "2026-05"}).context["report"]
    assert report.intake_total == 1
    assert report.decided == 0


def test_the_report_is_a_pdf_too(client_as, manager_user, june):
    response = client_as(manager_user).get(reverse("reports:monthly_pdf"), {"month": "2026-06"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="wahaj-report-2026-06.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["reports:monthly", "reports:monthly_pdf"])
def test_the_report_is_for_managers_only(client, client_as, make_staff, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for role in (Role.INTAKE, Role.RESEARCHER, Role.CHAIR):
        assert client_as(make_staff(role)).get(url).status_code == 403
