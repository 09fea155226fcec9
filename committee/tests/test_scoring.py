"""The eligibility score as a pure function: income against a threshold plus situation points."""

from decimal import Decimal

from committee.scoring import Facts, RuleValues, eligibility_score

RULE = RuleValues(
    income_threshold=Decimal(1500),
    income_points=40,
    points_per_dependant=5,
    max_dependant_points=20,
    no_income_support_points=10,
    disability_points=10,
    widow_points=10,
    elderly_points=5,
    debt_points=5,
    renting_points=10,
)


def points(score, key):
    return next(row["points"] for row in score.breakdown if row["key"] == key)


def test_income_at_the_threshold_earns_the_income_points():
    score = eligibility_score(RULE, Facts(per_capita_income=Decimal(1500)))
    assert points(score, "income") == 40
    assert score.total == 40


def test_income_above_the_threshold_earns_nothing_for_income():
    score = eligibility_score(RULE, Facts(per_capita_income=Decimal("1500.01")))
    assert points(score, "income") == 0
    assert score.total == 0


def test_dependants_earn_points_each_up_to_the_cap():
    assert points(eligibility_score(RULE, Facts(Decimal(9000), dependants=3)), "dependants") == 15
    assert points(eligibility_score(RULE, Facts(Decimal(9000), dependants=9)), "dependants") == 20


def test_every_situation_adds_its_points_and_the_breakdown_sums_to_the_total():
    facts = Facts(
        per_capita_income=Decimal(400),
        dependants=2,
        no_income_support=True,
        disability=True,
        widow=True,
        elderly=True,
        debt=True,
        renting=True,
    )
    score = eligibility_score(RULE, facts)
    assert score.total == 40 + 10 + 10 + 10 + 10 + 5 + 5 + 10
    assert sum(row["points"] for row in score.breakdown) == score.total
    assert [row["key"] for row in score.breakdown] == [
        "income",
        "dependants",
        "no_income_support",
        "disability",
        "widow",
        "elderly",
        "debt",
        "renting",
    ]


def test_a_higher_threshold_changes_the_score_of_the_same_facts():
    facts = Facts(per_capita_income=Decimal(1800))
    assert eligibility_score(RULE, facts).total == 0
    raised = RuleValues(**{**RULE.__dict__, "income_threshold": Decimal(2000)})
    assert eligibility_score(raised, facts).total == 40
