"""The eligibility score of a research report, as a pure function of a rule and the facts.

Kept free of the ORM so that the arithmetic is tested on its own and the same function scores a
report, previews a rule change, and explains itself: every point comes with its line in the
breakdown shown beside the score.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

# The situations that earn points (SPEC §4), in the order the breakdown lists them.
SITUATION_LABELS = {
    "income": _("Per-capita monthly income at or below the threshold"),
    "dependants": _("Dependants"),
    "no_income_support": _("No income support (social security or pension)"),
    "disability": _("Disability in the household"),
    "widow": _("Widow"),
    "elderly": _("Elderly"),
    "debt": _("Debts"),
    "renting": _("Renting her home"),
}


@dataclass(frozen=True)
class RuleValues:
    """The numbers of one version of the scoring rule (a ScoringRule row, or a preview)."""

    income_threshold: Decimal
    income_points: int
    points_per_dependant: int
    max_dependant_points: int
    no_income_support_points: int
    disability_points: int
    widow_points: int
    elderly_points: int
    debt_points: int
    renting_points: int


@dataclass(frozen=True)
class Facts:
    """What the file says about her situation when the report is written."""

    per_capita_income: Decimal
    dependants: int = 0
    no_income_support: bool = False
    disability: bool = False
    widow: bool = False
    elderly: bool = False
    debt: bool = False
    renting: bool = False

    def as_json(self) -> dict:
        data = asdict(self)
        data["per_capita_income"] = str(self.per_capita_income)
        return data


@dataclass(frozen=True)
class Score:
    total: int
    # [{"key": "income", "points": 40}, ...] — JSON-ready; labels are looked up when shown, so
    # a stored breakdown reads in the reader's language.
    breakdown: list[dict]


def eligibility_score(rule: RuleValues, facts: Facts) -> Score:
    """Points for per-capita income at or below the threshold, plus points per situation.

    Dependants earn points each, capped; every other situation earns its points once.
    """
    earned = {
        "income": rule.income_points if facts.per_capita_income <= rule.income_threshold else 0,
        "dependants": min(
            max(facts.dependants, 0) * rule.points_per_dependant, rule.max_dependant_points
        ),
        "no_income_support": rule.no_income_support_points if facts.no_income_support else 0,
        "disability": rule.disability_points if facts.disability else 0,
        "widow": rule.widow_points if facts.widow else 0,
        "elderly": rule.elderly_points if facts.elderly else 0,
        "debt": rule.debt_points if facts.debt else 0,
        "renting": rule.renting_points if facts.renting else 0,
    }
    breakdown = [{"key": key, "points": points} for key, points in earned.items()]
    return Score(total=sum(earned.values()), breakdown=breakdown)


def breakdown_rows(breakdown: list[dict]) -> list[dict]:
    """A stored breakdown with its labels, for templates."""
    return [{**row, "label": SITUATION_LABELS.get(row["key"], row["key"])} for row in breakdown]
