"""What an agenda item's votes decide (SPEC §4, issue 15), as a pure function of the votes.

Kept free of the ORM, like scoring.py, so that the meeting page, the decision service and the
minutes count the same way: the page shows the outcome the service will accept.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

APPROVED, REJECTED = "approved", "rejected"
CHOICES = ("approve", "reject", "abstain", "recuse")


@dataclass(frozen=True)
class Ballot:
    member_id: int
    choice: str
    amount: Decimal | None = None


@dataclass(frozen=True)
class ItemResult:
    tally: dict[str, int]
    present: int
    # Present members minus those who recused from this item: what the quorum is counted on.
    counted: int
    # "approved", "rejected", or "" while the votes make no decision.
    outcome: str
    # The lowest amount an approving member named: every approving member who named an amount
    # agreed to at least this much. None when none named one.
    amount_cap: Decimal | None


def item_result(ballots: Iterable[Ballot], *, present_ids: set[int], chair_id: int) -> ItemResult:
    """Among the members present who did not recuse: approve when approvals outnumber
    rejections, reject when rejections outnumber approvals; on a tie the chair's own vote
    decides. Abstentions count for the quorum, not for the outcome; no votes, no outcome."""
    ballots = [ballot for ballot in ballots if ballot.member_id in present_ids]
    tally = dict.fromkeys(CHOICES, 0)
    for ballot in ballots:
        tally[ballot.choice] += 1
    approve, reject = tally["approve"], tally["reject"]
    if approve > reject:
        outcome = APPROVED
    elif reject > approve:
        outcome = REJECTED
    else:
        chair = next((b.choice for b in ballots if b.member_id == chair_id), "")
        outcome = {"approve": APPROVED, "reject": REJECTED}.get(chair, "") if approve else ""
    amounts = [b.amount for b in ballots if b.choice == "approve" and b.amount is not None]
    return ItemResult(
        tally=tally,
        present=len(present_ids),
        counted=len(present_ids) - tally["recuse"],
        outcome=outcome,
        amount_cap=min(amounts) if amounts else None,
    )
