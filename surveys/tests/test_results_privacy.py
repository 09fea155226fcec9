"""Issue 18, item 10: results over whole months, quarters and years only; no figure that,
subtracted from another shown, leaves fewer than five answers; comments for five or more,
masked."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from surveys import selectors
from surveys.forms import PeriodForm
from surveys.selectors import Period, publishable

from .factories import answered, satisfied_answers

pytestmark = pytest.mark.django_db
RESULTS = reverse("surveys:results")
TODAY = date(2026, 6, 20)


def on(day: date):
    return timezone.make_aware(datetime.combine(day, time(12)))


def answers(count: int, day: date, *, values: dict | None = None, **fields) -> None:
    for _ in range(count):
        answered(satisfied_answers(**(values or {})), submitted_at=on(day), **fields)


# --- fixed periods ----------------------------------------------------------------------------
@time_machine.travel(datetime(2026, 6, 20, 12), tick=False)
def test_the_page_offers_whole_months_quarters_and_years_already_over():
    form = PeriodForm()
    offered = {kind: [p.key for p in periods] for kind, periods in form.periods.items()}
    assert offered["month"][:2] == ["2026-05", "2026-04"]
    assert "2026-06" not in offered["month"]  # this month still grows, day by day
    assert offered["quarter"][:2] == ["2026-Q1", "2025-Q4"]
    assert offered["year"] == ["2025", "2024", "2023"]
    assert form.chosen() == Period.month(2026, 5)


@time_machine.travel(datetime(2026, 6, 20, 12), tick=False)
@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-03-01", "date_to": "2026-03-14"},
        {"period": "2026-03-01/2026-03-14"},
        {"period": "2026-06"},  # the month still running
        {"period": "2026-13"},
    ],
)
def test_a_range_of_days_or_a_running_period_cannot_be_asked_for(query):
    assert PeriodForm(query).chosen() == Period.month(2026, 5)


def test_two_looks_at_the_same_period_differ_by_nothing_but_a_day_range_did(
    client_as, manager_user
):
    """The reviewers' case: 5 answers on 1–14 March, 13 on 1–15 March. Now March is one
    figure; the page has no way to ask for 1–14 March."""
    answers(5, date(2026, 3, 5))
    answers(8, date(2026, 3, 15), values={"rating": 1, "recommend": 0})
    with time_machine.travel(datetime(2026, 6, 20, 12), tick=False):
        client = client_as(manager_user)
        page = client.get(RESULTS, {"period": "2026-03"}).content.decode()
        ranged = client.get(RESULTS, {"date_from": "2026-03-01", "date_to": "2026-03-14"})
    assert 'data-testid="responses">13<' in page
    assert 'data-testid="responses">13<' not in ranged.content.decode()  # May: the default


# --- nothing subtractable ---------------------------------------------------------------------
def test_a_quarter_is_withheld_when_subtracting_its_months_leaves_fewer_than_five():
    answers(5, date(2025, 1, 10))
    answers(6, date(2025, 2, 10))
    answers(3, date(2025, 3, 10), values={"rating": 1, "recommend": 0})
    quarter = selectors.results(Period.quarter(2025, 1))
    assert quarter.overall.responses == 14
    assert quarter.overall.too_few  # Q1 − January − February = March's three
    assert quarter.overall.csat is None
    assert all(row.average is None for row in quarter.questions)
    assert quarter.comments == []
    assert selectors.results(Period.month(2025, 1)).overall.csat == 100.0
    assert selectors.results(Period.month(2025, 3)).overall.too_few


def test_a_quarter_whose_small_months_add_up_to_five_is_shown():
    answers(5, date(2025, 1, 10))
    answers(3, date(2025, 2, 10))
    answers(2, date(2025, 3, 10))
    quarter = selectors.results(Period.quarter(2025, 1))
    assert not quarter.overall.too_few
    assert quarter.overall.csat == 100.0


def test_a_year_is_withheld_when_its_hidden_quarters_leave_fewer_than_five():
    answers(5, date(2025, 1, 10))
    answers(5, date(2025, 4, 10))
    answers(5, date(2025, 7, 10))
    answers(2, date(2025, 10, 10))  # Q4: two answers, hidden, and Q4 = year − Q1 − Q2 − Q3
    assert selectors.results(Period.year(2025)).overall.too_few
    answers(3, date(2025, 11, 10))
    assert not selectors.results(Period.year(2025)).overall.too_few


@pytest.mark.parametrize(
    ("kind", "counts", "shown"),
    [
        ("month", {1: 4}, False),
        ("month", {1: 0}, True),
        ("quarter", {1: 5, 2: 5, 3: 1}, False),
        ("quarter", {1: 5, 2: 4, 3: 1}, True),
        ("year", {1: 9, 4: 9, 7: 9, 10: 4}, False),
        ("year", {1: 9, 4: 9, 7: 2, 10: 3}, True),
    ],
)
def test_publishable_on_month_counts(kind, counts, shown):
    period = {"month": Period.month(2025, 1), "quarter": Period.quarter(2025, 1)}.get(
        kind, Period.year(2025)
    )
    per_month = {date(2025, month, 1): n for month, n in counts.items()}
    assert publishable(period, per_month) is shown


def test_a_breakdown_hiding_fewer_than_five_answers_is_withheld_whole():
    answers(5, date(2025, 1, 10), request_channel="interview")
    answers(4, date(2025, 1, 11), request_channel="website", values={"rating": 1})
    by_channel = selectors.results(Period.month(2025, 1)).breakdowns["request_channel"]
    # Shown, "interview" would give "website" by subtraction from the total of 9.
    assert by_channel["interview"].responses == 5
    assert by_channel["interview"].too_few
    assert by_channel["interview"].csat is None


def test_a_breakdown_row_is_withheld_when_its_months_could_be_subtracted():
    answers(5, date(2025, 1, 10), request_type="rent")
    answers(5, date(2025, 1, 10), request_type="food_basket")
    answers(5, date(2025, 2, 10), request_type="food_basket")
    answers(2, date(2025, 2, 10), request_type="rent", values={"rating": 1})
    answers(3, date(2025, 2, 10), request_type="school_bag", values={"rating": 2})
    rows = selectors.results(Period.quarter(2025, 1)).breakdowns["request_type"]
    assert rows["food_basket"].csat == 100.0
    assert rows["rent"].too_few  # rent in Q1 − rent in January = February's two


# --- comments ---------------------------------------------------------------------------------
def test_comments_are_shown_for_five_answers_or_more_and_masked(
    client_as, manager_user, make_staff
):
    make_staff(Role.INTAKE, first_name="هند", last_name="القرشي", username="hind.q")
    answered(
        satisfied_answers(
            comment="شكرا للأستاذة هند القرشي، جوالي 0501234567 وهويتي ١٠١٢٣٤٥٦٧٨ a@b.sa"
        ),
        submitted_at=on(date(2025, 1, 10)),
    )
    answers(3, date(2025, 1, 11))
    client = client_as(manager_user)
    few = client.get(RESULTS, {"period": "2025-01"}).content.decode()
    assert "شكرا" not in few
    answers(1, date(2025, 1, 12))
    page = client.get(RESULTS, {"period": "2025-01"}).content.decode()
    assert "شكرا" in page
    for secret in ("هند", "القرشي", "0501234567", "١٠١٢٣٤٥٦٧٨", "a@b.sa"):
        assert secret not in page
    assert "•••" in page


def test_her_own_name_typed_in_her_comment_is_masked():
    response = answered(satisfied_answers(comment="أنا نورة وأشكركم"))
    response.invitation.support_request.beneficiary.__class__.objects.filter(
        pk=response.invitation.support_request.beneficiary_id
    ).update(full_name="نورة محمد عبدالله العتيبي")
    [comment] = selectors.comments(selectors.Response.objects.all())
    assert comment == "أنا ••• وأشكركم"
