"""The manager dashboard's numbers equal independent queries on seeded data."""

import statistics
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports.selectors import DASHBOARD_CACHE_KEY
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.tests.factories import answered, in_last_month, satisfied_answers

from .conftest import at

State = SupportRequest.State
pytestmark = pytest.mark.django_db
DASHBOARD = reverse("reports:dashboard")


@pytest.fixture
def seeded(frozen_now):
    def decided(state, submitted, due, decided_at, paused=timedelta()):
        return request_in_state(
            state,
            submitted_at=submitted,
            decision_due_at=due,
            decided_at=decided_at,
            paused_total=paused,
        )

    # Decided in June: met, missed, met after a 3-day pause, met quickly.
    decided(State.APPROVED, at(6, 1), at(6, 15), at(6, 10))
    decided(State.REJECTED, at(5, 20), at(6, 3), at(6, 5))
    decided(State.DELIVERED, at(5, 25), at(6, 11), at(6, 9), paused=timedelta(days=3))
    decided(State.CLOSED, at(6, 2), at(6, 16), at(6, 4))
    # Decided in May: not this month's.
    decided(State.APPROVED, at(5, 1), at(5, 15), at(5, 28))
    # Open, one of them overdue.
    request_in_state(State.SUBMITTED, due_in_days=10)
    request_in_state(State.IN_RESEARCH, due_in_days=3, channel="website")
    request_in_state(State.IN_COMMITTEE, due_in_days=-2, request_type="rent")
    request_in_state(State.IN_COMMITTEE, due_in_days=1)
    request_in_state(State.RETURNED, due_in_days=5)
    request_in_state(State.DRAFT)
    request_in_state(State.WITHDRAWN)


def independent_figures(now):
    """The same figures computed in Python over every row, without the app's selectors."""
    rows = list(SupportRequest.objects.all())
    local = timezone.localtime(now)
    this_month = [
        r
        for r in rows
        if r.decided_at
        and r.state in ("approved", "rejected", "delivered", "closed")
        and (timezone.localtime(r.decided_at).year, timezone.localtime(r.decided_at).month)
        == (local.year, local.month)
    ]
    met = [r for r in this_month if r.decided_at <= r.decision_due_at]
    days = [
        (r.decided_at - r.submitted_at - r.paused_total).total_seconds() / 86400 for r in this_month
    ]
    open_rows = [r for r in rows if r.state in SupportRequest.OPEN]
    overdue = [
        r for r in rows if r.state in SupportRequest.CLOCK_RUNNING and r.decision_due_at < now
    ]
    return {
        "decided": len(this_month),
        "met": len(met),
        "share": round(100 * len(met) / len(this_month), 1),
        "median": round(statistics.median(days), 1),
        "open": len(open_rows),
        "overdue": len(overdue),
    }


def test_the_dashboard_numbers_equal_independent_queries(client_as, manager_user, seeded):
    response = client_as(manager_user).get(DASHBOARD)
    figures = response.context["manager"]
    expected = independent_figures(timezone.now())
    assert figures.decided == expected["decided"] == 4
    assert figures.decided_in_window == expected["met"] == 3
    assert figures.window_share == expected["share"] == 75.0
    # 9, 16, 12 (15 less the 3 days returned) and 2 days: the median is 10.5.
    assert figures.median_days == expected["median"] == 10.5
    assert figures.open_total == expected["open"] == 6
    assert figures.overdue == expected["overdue"] == 1
    states = {state: n for state, _label, n in figures.open_states}
    assert states["in_committee"] == SupportRequest.objects.filter(state="in_committee").count()
    channels = {value: n for value, _label, n in figures.by_channel}
    assert channels["website"] == SupportRequest.objects.filter(channel="website").count() == 1
    page = response.content.decode()
    assert 'data-testid="window-share">75.0%' in page
    assert 'data-testid="median-days">10.5' in page


def test_each_number_links_to_the_filtered_list_behind_it(client_as, manager_user, seeded):
    page = client_as(manager_user).get(DASHBOARD).content.decode()
    requests_list = reverse("requests_app:list")
    assert f'href="{requests_list}?state=open&amp;overdue=true" data-testid="overdue">1<' in page
    assert f'href="{requests_list}?state=in_committee">2<' in page
    assert f'href="{requests_list}?state=&amp;channel=website">1<' in page
    assert f'href="{requests_list}?state=&amp;request_type=rent">1<' in page


def test_the_charts_carry_their_data_as_json_and_no_inline_script(client_as, manager_user, seeded):
    page = client_as(manager_user).get(DASHBOARD).content.decode()
    assert '<script id="chart-states" type="application/json">' in page
    assert "/static/vendor/chartjs/chart.umd.min.js" in page
    assert "<script>" not in page


def test_satisfaction_shows_on_the_dashboard_from_five_answers(client_as, manager_user):
    for _ in range(5):
        answered(satisfied_answers(rating=4, recommend=9), submitted_at=in_last_month())
    figures = client_as(manager_user).get(DASHBOARD).context["manager"]
    assert figures.satisfaction.csat == 100.0
    assert figures.satisfaction.nps == 100


def test_this_months_answers_wait_for_the_month_to_end(client_as, manager_user):
    """Over a window ending today, one more answer tomorrow would show how she rated."""
    for _ in range(5):
        answered(satisfied_answers(rating=4, recommend=9), submitted_at=in_last_month())
    answered(satisfied_answers(rating=1, recommend=0))
    figures = client_as(manager_user).get(DASHBOARD).context["manager"]
    assert figures.satisfaction.responses == 5
    assert figures.satisfaction.csat == 100.0


@pytest.mark.parametrize("role", [Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR])
def test_other_roles_do_not_get_the_manager_figures(client_as, make_staff, role):
    response = client_as(make_staff(role)).get(DASHBOARD)
    assert response.status_code == 200
    assert "manager" not in response.context
    assert 'data-testid="manager-figures"' not in response.content.decode()


def test_the_dashboard_sends_anonymous_visitors_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_takes_a_constant_number_of_queries(
    client_as, manager_user, seeded, django_assert_max_num_queries
):
    client = client_as(manager_user)
    # 20 before issues 20 and 21; tickets add their queue's count and the month's two figure
    # queries, funds one sum.
    with django_assert_max_num_queries(23):
        client.get(DASHBOARD)
    for state in (State.SUBMITTED, State.APPROVED, State.REJECTED):
        request_in_state(state, decided_at=timezone.now())
    with django_assert_max_num_queries(23):
        client.get(DASHBOARD)


def test_the_figures_are_computed_once_per_freshness_period_and_say_when(
    client_as, manager_user, settings
):
    """A second manager's view within DASHBOARD_CACHE_SECONDS reads the figures from the
    cache (no aggregate query); the page says as of when; past the period they are fresh."""
    settings.DASHBOARD_CACHE_SECONDS = 300
    client = client_as(manager_user)
    request_in_state(State.SUBMITTED, due_in_days=10)
    first = client.get(DASHBOARD)
    assert first.context["manager"].open_total == 1
    assert 'data-testid="figures-as-of"' in first.content.decode()
    request_in_state(State.SUBMITTED, due_in_days=10)
    assert client.get(DASHBOARD).context["manager"].open_total == 1  # as of the first view
    cache.delete(DASHBOARD_CACHE_KEY)  # what the period's end does
    assert client.get(DASHBOARD).context["manager"].open_total == 2
