"""Demo data of the committee for `seed_demo`: the committee, the scoring rule, research
reports for the requests before it, a closed meeting with its votes, decisions and minutes,
and a planned one with the oldest of the queue on its agenda.

Idempotent: the committee is found by its chair, reports are added only where missing, and
the meetings only once. Reports go in with COPY, their facts read from prefetched rows.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from beneficiaries.models import Beneficiary, Category, Housing, MaritalStatus
from requests_app.models import SupportRequest
from wahaj.lib.bulk import copy_rows

from .models import AgendaItem, Committee, Decision, Meeting, Membership, ResearchReport, Vote
from .scoring import Facts, eligibility_score
from .selectors import INCOME_SUPPORT, minutes_data
from .services import decision_snapshot, scoring_rule_current

State = SupportRequest.State
BATCH = 2000
MEMBERS = ["member1", "member2", "member3"]
FINDINGS = {
    "household_findings": "تعول أطفالها وتسكن معهم، والأسرة بحاجة إلى دعم منتظم.",
    "income_findings": "الدخل من الضمان الاجتماعي وحساب المواطن ولا يكفي النفقات الأساسية.",
    "housing_findings": "شقة صغيرة مستأجرة بعقد إلكتروني.",
    "health_findings": "لا أمراض مزمنة مذكورة.",
    "needs": "سلة غذائية شهرية وسداد جزء من الإيجار.",
}


REPORT_COLUMNS = [
    "support_request_id", "author_id", "visit_type", "visit_date", "recommendation",
    "recommended_amount", "recommended_support_type", "score", "score_breakdown", "score_facts",
    "scoring_rule_id", "completed_at", "created_at", "updated_at", *FINDINGS,
]  # fmt: skip


def _facts(beneficiary: Beneficiary) -> Facts:
    """The scoring facts from prefetched rows (no query per beneficiary)."""
    members = list(beneficiary.household.all())
    sources = list(beneficiary.income_sources.all())
    categories = {c.category for c in beneficiary.categories.all()}
    total = sum((s.amount for s in sources), Decimal(0)) + sum(
        (m.monthly_income for m in members), Decimal(0)
    )
    return Facts(
        per_capita_income=(total / (1 + len(members))).quantize(Decimal("0.01")),
        dependants=sum(1 for m in members if not m.monthly_income),
        no_income_support=not ({s.source for s in sources if s.amount} & INCOME_SUPPORT),
        disability=Category.DISABILITY in categories or any(m.has_disability for m in members),
        widow=beneficiary.marital_status == MaritalStatus.WIDOW,
        elderly=Category.ELDERLY in categories,
        debt=bool(beneficiary.debts),
        renting=beneficiary.housing == Housing.RENTED,
    )


def _committee(staff: dict[str, User]) -> Committee:
    committee = Committee.objects.filter(chair=staff["chair"]).first()
    if committee is None:
        committee = Committee.objects.create(name="لجنة البحث الاجتماعي", chair=staff["chair"])
    Membership.objects.bulk_create(
        [Membership(committee=committee, user=staff[name]) for name in ["chair", *MEMBERS]],
        ignore_conflicts=True,
    )
    return committee


def _reports(staff: dict[str, User], states, rng: random.Random) -> int:
    """A completed report for every request of these states that has none."""
    rule = scoring_rule_current()
    values = rule.values()
    waiting = SupportRequest.objects.filter(state__in=states, research_report__isnull=True)
    created = 0
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        rows = SupportRequest.objects.filter(pk__in=ids[start : start + BATCH]).prefetch_related(
            Prefetch(
                "beneficiary",
                queryset=Beneficiary.objects.prefetch_related(
                    "household", "income_sources", "categories"
                ),
            )
        )
        reports = []
        for sr in rows:  # `researcher_id`, not `researcher`: a query per report
            facts = _facts(sr.beneficiary)
            score = eligibility_score(values, facts)
            approve = score.total >= 40
            when = (sr.submitted_at or timezone.now()) + timedelta(days=rng.uniform(1, 4))
            reports.append(
                (
                    sr.pk,
                    sr.researcher_id or staff["researcher"].pk,
                    rng.choice(["home", "home", "office", "phone"]),
                    timezone.localtime(when).date(),
                    "approve" if approve else "reject",
                    sr.amount_requested if approve else None,
                    sr.request_type if approve else "",
                    score.total,
                    score.breakdown,
                    facts.as_json(),
                    rule.pk,
                    when,
                    when,
                    when,
                    *FINDINGS.values(),
                )
            )
        copy_rows(ResearchReport, REPORT_COLUMNS, reports)
        created += len(reports)
    return created


def _closed_meeting(committee: Committee, staff: dict[str, User], rng: random.Random) -> None:
    """Meeting no. 1: the ten latest decided requests, with votes, decisions and minutes."""
    decided = list(
        SupportRequest.objects.filter(
            state__in=[State.APPROVED, State.REJECTED], decided_at__isnull=False
        )
        .select_related("beneficiary")
        .order_by("-decided_at")[:10]
    )
    if not decided:
        return
    day = timezone.localtime(min(sr.decided_at for sr in decided)).date()
    meeting = Meeting.objects.create(
        committee=committee,
        number=1,
        date=day,
        status=Meeting.Status.CLOSED,
        opened_at=min(sr.decided_at for sr in decided),
        closed_at=max(sr.decided_at for sr in decided),
    )
    present = [staff[name] for name in ["chair", *MEMBERS]]
    meeting.present.set(present)
    items = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, support_request=sr, position=i)
        for i, sr in enumerate(decided, start=1)
    )
    votes, decisions = [], []
    for item, sr in zip(items, decided, strict=True):
        approved = sr.state == State.APPROVED
        # The decision is the votes' (committee.voting): the chair and the first member vote
        # for it, the others mostly agree; a 2–2 tie goes the chair's way.
        for i, member in enumerate(present):
            agree = i < 2 or rng.random() < 0.85
            choice = "approve" if approved == agree else "reject"
            votes.append(Vote(agenda_item=item, member=member, choice=choice))
        tally = {"approve": 0, "reject": 0, "abstain": 0, "recuse": 0}
        for vote in votes[-len(present) :]:
            tally[vote.choice] += 1
        decisions.append(
            Decision(
                support_request=sr,
                agenda_item=item,
                outcome=sr.state,
                approved_amount=(sr.approved_amount or Decimal(0)) if approved else None,
                support_type=sr.request_type if approved else "",
                rejection_code="" if approved else sr.rejection_code or "other",
                rejection_reason="" if approved else "لا تنطبق معايير الدعم حاليًا.",
                decided_by=staff["chair"],
                decided_at=sr.decided_at,
                snapshot=decision_snapshot(sr),
                tally=tally,
            )
        )
    Vote.objects.bulk_create(votes)
    Decision.objects.bulk_create(decisions)
    meeting.minutes = minutes_data(meeting)
    meeting.save(update_fields=["minutes"])


def _planned_meeting(committee: Committee) -> None:
    """Meeting no. 2, planned for tomorrow, with the eight most urgent of the queue."""
    queue = list(
        SupportRequest.objects.filter(state=State.IN_COMMITTEE).order_by("decision_due_at")[:8]
    )
    meeting = Meeting.objects.create(
        committee=committee, number=2, date=timezone.localdate() + timedelta(days=1)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, support_request=sr, position=i)
        for i, sr in enumerate(queue, start=1)
    )


def seed(stdout, options: dict) -> None:
    names = ["chair", "researcher", *MEMBERS]
    staff = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(staff) < len(names):
        stdout.write("Committee: demo staff missing, nothing created.")
        return
    rng = random.Random(f"{options.get('seed', 2026)}:committee")
    with transaction.atomic():
        committee = _committee(staff)
        reports = _reports(staff, [State.IN_COMMITTEE], rng)
        meetings = 0
        if not committee.meetings.exists():
            _closed_meeting(committee, staff, rng)
            _planned_meeting(committee)
            meetings = committee.meetings.count()
    stdout.write(f"Committee: {reports} research reports, {meetings} meetings created.")
