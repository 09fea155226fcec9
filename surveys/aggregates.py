"""The satisfaction measures as pure functions (no database): CSAT, NPS, means, the under-5 rule.

surveys.selectors counts answers in the database and passes the counts here, so the definitions
live in one place and are tested on known answers.

- CSAT: the share (%) of 1–5 ratings that are 4 or 5.
- NPS: % promoters (9–10) − % detractors (0–6) of the 0–10 recommendation answers.
- A group of fewer than MIN_ANSWERS responses shows no result at all ("too few answers"):
  results are for improvement, and a small group could point at one woman or one employee.
"""

from collections.abc import Iterable
from dataclasses import dataclass

MIN_ANSWERS = 5
SATISFIED_FROM = 4
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6


def csat_from_counts(*, satisfied: int, rated: int) -> float | None:
    return round(100 * satisfied / rated, 1) if rated else None


def nps_from_counts(*, promoters: int, detractors: int, answered: int) -> int | None:
    return round(100 * (promoters - detractors) / answered) if answered else None


def mean(values: Iterable[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def csat(ratings: Iterable[int]) -> float | None:
    ratings = list(ratings)
    return csat_from_counts(
        satisfied=sum(1 for r in ratings if r >= SATISFIED_FROM), rated=len(ratings)
    )


def nps(scores: Iterable[int]) -> int | None:
    scores = list(scores)
    return nps_from_counts(
        promoters=sum(1 for s in scores if s >= PROMOTER_FROM),
        detractors=sum(1 for s in scores if s <= DETRACTOR_UP_TO),
        answered=len(scores),
    )


@dataclass(frozen=True)
class Scores:
    """The result of one group (a month, a channel…). `too_few` hides the figures."""

    responses: int
    csat: float | None
    nps: int | None
    # Withheld although the group has enough answers: other shown figures minus this one
    # would leave fewer than MIN_ANSWERS (surveys.selectors.publishable).
    withheld: bool = False

    @property
    def too_few(self) -> bool:
        return self.withheld or self.responses < MIN_ANSWERS

    def withhold(self) -> "Scores":
        return Scores(responses=self.responses, csat=None, nps=None, withheld=True)

    @classmethod
    def from_counts(cls, counts: dict) -> "Scores":
        responses = counts.get("responses") or 0
        if responses < MIN_ANSWERS:
            return cls(responses=responses, csat=None, nps=None)
        return cls(
            responses=responses,
            csat=csat_from_counts(satisfied=counts["satisfied"], rated=counts["rated"]),
            nps=nps_from_counts(
                promoters=counts["promoters"],
                detractors=counts["detractors"],
                answered=counts["recommended"],
            ),
        )
