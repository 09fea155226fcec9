"""CSAT, NPS, averages and the under-5 rule, on answers whose results are known by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys import selectors
from surveys.aggregates import MIN_ANSWERS, Scores, csat, mean, nps

from .factories import answered, satisfied_answers


def test_csat_is_the_share_of_ratings_of_four_or_five():
    assert csat([5, 4, 3, 2, 1]) == 40.0
    assert csat([5, 5, 4]) == 100.0
    assert csat([]) is None


def test_nps_is_promoters_minus_detractors_in_percent():
    # promoters 10, 9 · passives 8, 7 · detractors 6, 0
    assert nps([10, 9, 8, 7, 6, 0]) == 0
    assert nps([10, 10, 10, 9, 5]) == 60
    assert nps([0, 1, 2]) == -100
    assert nps([]) is None


def test_mean_ignores_missing_values():
    assert mean([5, 4, None, 3]) == 4.0
    assert mean([]) is None


def test_a_group_of_fewer_than_five_answers_shows_no_figures():
    counts = {"satisfied": 4, "rated": 4, "promoters": 4, "detractors": 0, "recommended": 4}
    few = Scores.from_counts({**counts, "responses": MIN_ANSWERS - 1})
    enough = Scores.from_counts({**counts, "responses": MIN_ANSWERS})
    assert few.too_few
    assert few.csat is None
    assert few.nps is None
    assert not enough.too_few
    assert enough.csat == 100.0
    assert enough.nps == 100


# Six answered surveys: every rating of a survey is the same number, so the counts are easy.
KNOWN = [
    # (rating of the five 1–5 questions, yes/no, recommend 0–10)
    (5, 1, 10),
    (4, 1, 9),
    (3, 0, 7),
    (2, 1, 6),
    (1, 0, 0),
    (5, 1, 10),
]


@pytest.fixture
def known_answers(db):
    for rating, yes, recommend in KNOWN:
        values = satisfied_answers(rating=rating, recommend=recommend)
        values["answered"] = yes
        answered(values)


def this_year():
    today = timezone.localdate()
    return selectors.Period(start=today - timedelta(days=365), end=today)


def test_results_on_a_known_set_of_answers(known_answers):
    results = selectors.results(this_year())
    # 30 ratings, of which 15 are 4 or 5 (the surveys rated 5, 4 and 5).
    assert results.overall.responses == 6
    assert results.overall.csat == 50.0
    # recommend: 10, 9, 10 promoters; 6, 0 detractors; 6 answers → (3 − 2) / 6 = 17 %.
    assert results.overall.nps == 17
    by_key = {row.question.key: row for row in results.questions}
    assert by_key["reception"].average == pytest.approx(20 / 6, abs=0.01)
    assert by_key["answered"].yes_share == pytest.approx(66.7)
    assert by_key["answered"].average is None
    assert by_key["recommend"].average == 7.0
    assert "comments" not in by_key  # free text has no average


def test_breakdowns_hide_groups_under_five_answers(db):
    for _ in range(5):
        answered(satisfied_answers(), request_channel="interview")
    for _ in range(4):
        answered(satisfied_answers(rating=1, recommend=0), request_channel="website")
    # The hidden rows must hold five answers together, or the total would reveal them.
    answered(satisfied_answers(rating=1, recommend=0), request_channel="phone")
    by_channel = selectors.results(this_year()).breakdowns["request_channel"]
    assert by_channel["interview"].csat == 100.0
    assert by_channel["interview"].nps == 100
    assert by_channel["website"].too_few
    assert by_channel["website"].csat is None


def test_the_monthly_trend_hides_a_month_with_four_answers(db):
    now = timezone.now()
    last_month = now - timedelta(days=40)
    for _ in range(4):
        answered(satisfied_answers(), submitted_at=last_month)
    for _ in range(5):
        answered(satisfied_answers(rating=4, recommend=8), submitted_at=now)
    months = selectors.results(this_year()).months
    assert [cell.too_few for _month, cell in months] == [True, False]
    assert months[-1][1].csat == 100.0
    assert months[-1][1].nps == 0


def test_the_response_rate_counts_answered_invitations(db):
    from .factories import InvitationFactory

    answered(satisfied_answers())
    InvitationFactory()
    InvitationFactory()
    sent, answered_count, rate = selectors.response_rate(this_year())
    assert (sent, answered_count, rate) == (3, 1, 33.3)
