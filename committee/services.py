"""Every write of the committee: research reports, meetings, votes, decisions, appeals.

Each function is one step of SPEC §4: atomic, locks what it changes, refuses with a
CommitteeError whose message is one of the constants below, and records one audit event. The
request's state is the requests app's: these services call its transitions, never assign it.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from audit.services import event_record
from beneficiaries.selectors import beneficiary_documents_valid, household_income_summary
from notifications.services import message_queue_to_staff
from programs import services as program_services
from programs.models import Cycle
from requests_app import services as request_services
from requests_app.models import SupportRequest

from .models import (
    AgendaItem,
    Appeal,
    Committee,
    CycleAgendaItem,
    CycleDecision,
    CycleVote,
    Decision,
    Meeting,
    Membership,
    ResearchReport,
    ScoringRule,
    Vote,
)
from .scoring import eligibility_score
from .selectors import beneficiary_facts, minutes_data
from .voting import Ballot, ItemResult, item_result

State = SupportRequest.State
APPEAL_DAYS = 30

REPORT_REQUIRED = _("A completed research report is needed before the committee can study it.")
REPORT_NOT_IN_RESEARCH = _("A research report is written while the request is in research.")
NOT_THE_CHAIR = _("Only the committee's chair may do this.")
NOT_A_MEMBER = _("Only members of this committee may attend its meetings.")
MEETING_NOT_PLANNED = _("Only a planned meeting can be opened.")
MEETING_NOT_OPEN = _("The meeting is not open.")
MEETING_CLOSED = _("The meeting is closed.")
NOT_IN_COMMITTEE = _("Only requests before the committee can be put on the agenda.")
NOT_PRESENT = _("Only members present at the open meeting may vote.")
AUTHOR_CANNOT_VOTE = _(
    "The researcher who wrote the report and the staff member who entered the request "
    "cannot vote on it."
)
ALREADY_DECIDED = _("This request has already been decided.")
NO_QUORUM = _(
    "No quorum for this item: %(present)s members present, %(recused)s recused, "
    "%(counted)s counted, %(needed)s needed."
)
NO_OUTCOME_YET = _(
    "The votes make no decision yet (%(approve)s approve, %(reject)s reject): wait for the "
    "members' votes, or defer the item to the next meeting."
)
NOT_THE_VOTES_OUTCOME = _(
    "The votes decide “%(outcome)s” (%(approve)s approve, %(reject)s reject): no other "
    "decision can be recorded."
)
AMOUNT_ABOVE_VOTES = _("The approving members voted for at most %(cap)s SAR.")
VOTE_AMOUNT_ONLY_APPROVE = _("Only an approving vote may name an amount.")
ITEM_DEFERRED = _("This item was deferred to the next meeting.")
CHAIR_ROLE_NEEDED = _("The chair must hold the committee chair role.")
MEMBER_ROLE_NEEDED = _("Members must hold the committee member role.")
QUORUM_ABOVE_MEMBERS = _("A quorum of %(quorum)s is more than the committee's %(members)s members.")
LARGE_AMOUNT_NEEDS_QUORUM = _("A large amount needs its quorum, and a quorum its amount.")
APPROVAL_NEEDS_AMOUNT = _("An approval needs the approved amount and the support type.")
REJECTION_NEEDS_REASON = _("A rejection needs a reason code and an explanation.")
APPEAL_ONLY_REJECTED = _("Only a rejected request can be appealed.")
APPEAL_ONCE = _("This request has already been appealed; an appeal is allowed once.")
APPEAL_TOO_LATE = _("An appeal must be filed within 30 days of the rejection.")


class CommitteeError(Exception):
    """A refused committee step; `message` is shown to the person as it is."""

    def __init__(self, message, **params):
        self.message = message % params if params else message
        super().__init__(str(self.message))


def _sorted_user_ids(users) -> list[int]:
    return sorted(user.pk for user in users)


# --- The scoring rule ------------------------------------------------------------------------
def scoring_rule_current() -> ScoringRule:
    """The newest version of the rule; version 1 with the defaults when there is none yet.

    Created on demand rather than by a data migration, which a transactional test's flush
    would wipe.
    """
    rule = ScoringRule.objects.order_by("-version").first()
    if rule is None:
        rule, _created = ScoringRule.objects.get_or_create(version=1)
    return rule


@transaction.atomic
def scoring_rule_update(*, actor, values: dict) -> ScoringRule:
    """Add a new version of the rule with `values` (fields of ScoringRule.POINT_FIELDS).

    Reports keep the version they were scored with; only reports written after this use it.
    """
    current = scoring_rule_current()
    # The unique version number serialises two managers saving at once.
    ScoringRule.objects.select_for_update().filter(pk=current.pk).first()
    old = {name: str(getattr(current, name)) for name in ScoringRule.POINT_FIELDS}
    new = {**{name: getattr(current, name) for name in ScoringRule.POINT_FIELDS}, **values}
    rule = ScoringRule.objects.create(version=current.version + 1, created_by=actor, **new)
    event_record(
        actor=actor,
        subject=rule,
        verb="scoring_rule_update",
        old_state=f"v{current.version}",
        new_state=f"v{rule.version}",
        extra={"old": old, "new": {name: str(value) for name, value in new.items()}},
    )
    return rule


# --- Research report -------------------------------------------------------------------------
REPORT_FIELDS = [
    "visit_type",
    "visit_date",
    "household_findings",
    "income_findings",
    "housing_findings",
    "health_findings",
    "needs",
    "recommendation",
    "recommended_amount",
    "recommended_support_type",
]


@transaction.atomic
def research_report_save(
    *, actor, support_request: SupportRequest, data: dict, complete: bool = False
) -> ResearchReport:
    """Write (or rewrite) the research report of a request in research, and score it.

    The score is computed now, with the current rule, and stored with the rule's version: a
    later change of the rule never moves it. `complete` marks the report ready for committee.
    """
    support_request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if support_request.state != State.IN_RESEARCH:
        raise CommitteeError(REPORT_NOT_IN_RESEARCH)
    rule = scoring_rule_current()
    facts = beneficiary_facts(support_request.beneficiary)
    score = eligibility_score(rule.values(), facts)
    now = timezone.now()
    fields = {name: data.get(name) for name in REPORT_FIELDS if name in data}
    fields.update(
        author=actor,
        score=score.total,
        score_breakdown=score.breakdown,
        score_facts=facts.as_json(),
        scoring_rule=rule,
        updated_at=now,
    )
    if complete:
        fields["completed_at"] = now
    report, created = ResearchReport.objects.update_or_create(
        support_request=support_request, defaults=fields
    )
    event_record(
        actor=actor,
        subject=support_request,
        verb="research_report_complete" if complete else "research_report_save",
        note=report.needs[:500],
        extra={"score": score.total, "rule_version": rule.version, "created": created},
    )
    return report


def research_send_to_committee(*, actor, support_request: SupportRequest, note: str = ""):
    """`send_to_committee`, once the request has a completed research report."""
    with transaction.atomic():
        # The request's lock is the one research_report_save takes: the report we check is
        # the report that goes.
        SupportRequest.objects.select_for_update().filter(pk=support_request.pk).first()
        report = ResearchReport.objects.filter(support_request=support_request).first()
        if report is None or not report.is_completed:
            raise CommitteeError(REPORT_REQUIRED)
        return request_services.support_request_send_to_committee(
            actor=actor, support_request=support_request, note=note
        )


# --- Committees and meetings -----------------------------------------------------------------
RULE_FIELDS = ["name", "quorum", "large_amount", "large_amount_quorum"]


def committee_state(committee: Committee) -> dict:
    """The composition and rules as plain JSON: the before and after of its audit events."""
    members = committee.members.order_by("pk")
    return {
        **{name: _plain(getattr(committee, name)) for name in RULE_FIELDS},
        "chair": committee.chair.username,
        "members": [user.username for user in members],
    }


def _plain(value):
    """Amounts as text with their two decimals, whether read from the database or a form."""
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def _check_composition(*, chair, members: list, fields: dict) -> None:
    if not chair.has_role(Role.CHAIR):
        raise CommitteeError(CHAIR_ROLE_NEEDED)
    if any(not user.has_role(Role.COMMITTEE) for user in members):
        raise CommitteeError(MEMBER_ROLE_NEEDED)
    count = len({chair.pk, *(user.pk for user in members)})
    for quorum in (fields.get("quorum"), fields.get("large_amount_quorum")):
        if quorum and quorum > count:
            raise CommitteeError(QUORUM_ABOVE_MEMBERS, quorum=quorum, members=count)
    if (fields.get("large_amount") is None) != (not fields.get("large_amount_quorum")):
        raise CommitteeError(LARGE_AMOUNT_NEEDS_QUORUM)


@transaction.atomic
def committee_create(
    *, actor, name: str, chair, members, quorum: int | None = None, **rules
) -> Committee:
    """A committee with its chair (a member too) and members; `rules`: the large amount and
    its quorum."""
    members = list(members)
    _check_composition(chair=chair, members=members, fields={"quorum": quorum, **rules})
    committee = Committee.objects.create(name=name, chair=chair, quorum=quorum, **rules)
    for user in {chair, *members}:
        Membership.objects.create(committee=committee, user=user)
    event_record(
        actor=actor,
        subject=committee,
        verb="committee_create",
        note=name,
        extra={"old": {}, "new": committee_state(committee)},
    )
    return committee


@transaction.atomic
def committee_update(*, actor, committee: Committee, chair, members, **fields) -> Committee:
    """Change a committee's chair, members, quorum or amount threshold (a managers' page and
    the admin). One audit event with what changed, before and after; none when nothing did.

    The chair is always a member. Meetings already held keep their minutes (frozen on closing).
    """
    committee = Committee.objects.select_for_update().select_related("chair").get(pk=committee.pk)
    members = list(members)
    fields = {name: fields.get(name, getattr(committee, name)) for name in RULE_FIELDS}
    _check_composition(chair=chair, members=members, fields=fields)
    before = committee_state(committee)
    for name, value in fields.items():
        setattr(committee, name, value)
    committee.chair = chair
    committee.save(update_fields=[*RULE_FIELDS, "chair"])
    wanted = {chair.pk, *(user.pk for user in members)}
    Membership.objects.filter(committee=committee).exclude(user_id__in=wanted).delete()
    have = set(Membership.objects.filter(committee=committee).values_list("user_id", flat=True))
    Membership.objects.bulk_create(
        Membership(committee=committee, user_id=pk) for pk in sorted(wanted - have)
    )
    after = committee_state(committee)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        event_record(
            actor=actor,
            subject=committee,
            verb="committee_update",
            note=committee.name,
            extra={
                "old": {key: before[key] for key in changed},
                "new": {key: after[key] for key in changed},
            },
        )
    return committee


def quorum_needed(committee: Committee, *, member_count: int, amount: Decimal | None = None) -> int:
    """Members present needed: the managers' number, else a majority of the members; more for
    approvals above the large amount when managers set one."""
    needed = committee.quorum or member_count // 2 + 1
    if (
        amount is not None
        and committee.large_amount is not None
        and committee.large_amount_quorum
        and amount > committee.large_amount
    ):
        needed = max(needed, committee.large_amount_quorum)
    return needed


def _require_chair(actor, committee: Committee) -> None:
    if actor.pk != committee.chair_id:
        raise CommitteeError(NOT_THE_CHAIR)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("committee").get(pk=meeting.pk)


@transaction.atomic
def meeting_schedule(*, actor, committee: Committee, date: date) -> Meeting:
    """A planned meeting with the committee's next number; the items deferred at earlier
    meetings and still waiting go on its agenda."""
    _require_chair(actor, committee)
    # Locking the committee serialises numbering; the unique constraint is the last word.
    Committee.objects.select_for_update().filter(pk=committee.pk).first()
    last = committee.meetings.aggregate(last=Max("number"))["last"] or 0
    meeting = Meeting.objects.create(committee=committee, number=last + 1, date=date)
    event_record(actor=actor, subject=meeting, verb="meeting_schedule", new_state=meeting.status)
    waiting = AgendaItem.objects.filter(
        meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.OPEN], deferred_at__isnull=True
    ).values("support_request_id")
    deferred = SupportRequest.objects.filter(
        state=State.IN_COMMITTEE,
        pk__in=AgendaItem.objects.filter(
            meeting__committee=committee, deferred_at__isnull=False
        ).values("support_request_id"),
    ).exclude(pk__in=waiting)
    _append_to_agenda(actor, meeting, list(deferred.order_by("decision_due_at", "pk")))
    return meeting


def _append_to_agenda(actor, meeting: Meeting, requests: list) -> list[AgendaItem]:
    """Add these requests at the end of the agenda, skipping those already on it."""
    on_agenda = set(meeting.agenda_items.values_list("support_request_id", flat=True))
    position = meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0
    items = []
    for support_request in requests:
        if support_request.pk in on_agenda:
            continue
        position += 1
        items.append(
            AgendaItem(meeting=meeting, support_request=support_request, position=position)
        )
    AgendaItem.objects.bulk_create(items)
    if items:
        event_record(
            actor=actor,
            subject=meeting,
            verb="meeting_add_to_agenda",
            extra={"references": [item.support_request.reference for item in items]},
        )
    return items


@transaction.atomic
def meeting_add_to_agenda(*, actor, meeting: Meeting, support_requests) -> list[AgendaItem]:
    """Put requests before the committee on a meeting's agenda (skipping those already on it)."""
    meeting = _locked_meeting(meeting)
    _require_chair(actor, meeting.committee)
    if meeting.status == Meeting.Status.CLOSED:
        raise CommitteeError(MEETING_CLOSED)
    ids = [sr.pk for sr in support_requests]
    requests = list(SupportRequest.objects.filter(pk__in=ids).order_by("decision_due_at", "pk"))
    if len(requests) != len(set(ids)) or any(sr.state != State.IN_COMMITTEE for sr in requests):
        raise CommitteeError(NOT_IN_COMMITTEE)
    return _append_to_agenda(actor, meeting, requests)


@transaction.atomic
def meeting_open(*, actor, meeting: Meeting, present) -> Meeting:
    """planned → open, with the members present (the quorum is counted from them)."""
    meeting = _locked_meeting(meeting)
    _require_chair(actor, meeting.committee)
    if meeting.status != Meeting.Status.PLANNED:
        raise CommitteeError(MEETING_NOT_PLANNED)
    present = list(present)
    member_ids = set(meeting.committee.members.values_list("pk", flat=True))
    if any(user.pk not in member_ids for user in present):
        raise CommitteeError(NOT_A_MEMBER)
    meeting.present.set(present)
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = timezone.now()
    meeting.save(update_fields=["status", "opened_at"])
    event_record(
        actor=actor,
        subject=meeting,
        verb="meeting_open",
        old_state=Meeting.Status.PLANNED,
        new_state=Meeting.Status.OPEN,
        extra={"present": _sorted_user_ids(present)},
    )
    return meeting


@transaction.atomic
def meeting_close(*, actor, meeting: Meeting) -> Meeting:
    """open → closed; the minutes are frozen as they stand."""
    meeting = _locked_meeting(meeting)
    _require_chair(actor, meeting.committee)
    if meeting.status != Meeting.Status.OPEN:
        raise CommitteeError(MEETING_NOT_OPEN)
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.minutes = minutes_data(meeting)
    meeting.save(update_fields=["status", "closed_at", "minutes"])
    event_record(
        actor=actor,
        subject=meeting,
        verb="meeting_close",
        old_state=Meeting.Status.OPEN,
        new_state=Meeting.Status.CLOSED,
    )
    return meeting


# --- Votes -----------------------------------------------------------------------------------
def _authors(support_request: SupportRequest) -> set[int]:
    """Who may not vote on a request: the report's researcher and whoever entered it."""
    authors = set(
        ResearchReport.objects.filter(support_request=support_request).values_list(
            "author_id", flat=True
        )
    )
    if support_request.created_by_id:
        authors.add(support_request.created_by_id)
    return authors


@transaction.atomic
def vote_cast(
    *,
    actor,
    agenda_item: AgendaItem,
    choice: str,
    comment: str = "",
    amount: Decimal | None = None,
) -> Vote:
    """One member, one vote: a second vote replaces the first while the meeting is open.

    A member may recuse herself (choice `recuse`); the report's author and the request's
    creator cannot vote on it. An approving vote may name the most she approves (`amount`).
    """
    if amount is not None and choice != Vote.Choice.APPROVE:
        raise CommitteeError(VOTE_AMOUNT_ONLY_APPROVE)
    agenda_item = AgendaItem.objects.select_related("support_request").get(pk=agenda_item.pk)
    meeting = Meeting.objects.select_for_update().get(pk=agenda_item.meeting_id)
    if meeting.status != Meeting.Status.OPEN:
        raise CommitteeError(MEETING_NOT_OPEN)
    if not meeting.present.filter(pk=actor.pk).exists():
        raise CommitteeError(NOT_PRESENT)
    if actor.pk in _authors(agenda_item.support_request):
        raise CommitteeError(AUTHOR_CANNOT_VOTE)
    if Decision.objects.filter(agenda_item=agenda_item).exists():
        raise CommitteeError(ALREADY_DECIDED)
    if agenda_item.deferred_at is not None:
        raise CommitteeError(ITEM_DEFERRED)
    vote = Vote.objects.select_for_update().filter(agenda_item=agenda_item, member=actor).first()
    old_choice = ""
    if vote is None:
        vote = Vote.objects.create(
            agenda_item=agenda_item, member=actor, choice=choice, comment=comment, amount=amount
        )
        verb = "vote_cast"
    else:
        if (vote.choice, vote.comment, vote.amount) == (choice, comment, amount):
            return vote
        old_choice = vote.choice
        vote.choice, vote.comment, vote.amount = choice, comment, amount
        vote.updated_at = timezone.now()
        vote.save(update_fields=["choice", "comment", "amount", "updated_at"])
        verb = "vote_change"
    # On the agenda item, not the request: her timeline shows the decision, the meeting page
    # shows the votes.
    event_record(
        actor=actor,
        subject=agenda_item,
        verb=verb,
        old_state=old_choice,
        new_state=choice,
        note=comment,
        extra={
            "meeting": meeting.number,
            "reference": agenda_item.support_request.reference,
            "amount": _plain(amount),
        },
    )
    return vote


# --- Decisions -------------------------------------------------------------------------------
def decision_snapshot(support_request: SupportRequest) -> dict:
    """The figures a decision rests on, as plain JSON copied from her file and the report."""
    beneficiary = support_request.beneficiary
    summary = household_income_summary(beneficiary)
    report = ResearchReport.objects.filter(support_request=support_request).first()
    documents = sorted(beneficiary_documents_valid(beneficiary))
    return {
        "household_size": summary["size"],
        "total_income": str(summary["total_income"]),
        "per_capita_income": str(summary["per_capita_income"]),
        "incomes": {
            source.source: str(source.amount) for source in beneficiary.income_sources.all()
        },
        "member_incomes": [str(m.monthly_income) for m in beneficiary.household.all()],
        "marital_status": beneficiary.marital_status,
        "housing": beneficiary.housing,
        "monthly_rent": str(beneficiary.monthly_rent),
        "debts": str(beneficiary.debts),
        "amount_requested": (
            str(support_request.amount_requested)
            if support_request.amount_requested is not None
            else None
        ),
        "score": report.score if report else None,
        "score_breakdown": report.score_breakdown if report else [],
        "rule_version": report.scoring_rule.version if report else None,
        "recommendation": report.recommendation if report else "",
        "documents_seen": documents,
    }


def item_result_of(agenda_item: AgendaItem, meeting: Meeting) -> ItemResult:
    """What this item's votes decide at this meeting (committee.voting)."""
    ballots = [
        Ballot(member_id, choice, amount)
        for member_id, choice, amount in agenda_item.votes.values_list(
            "member_id", "choice", "amount"
        )
    ]
    present_ids = set(meeting.present.values_list("pk", flat=True))
    return item_result(ballots, present_ids=present_ids, chair_id=meeting.committee.chair_id)


def _locked_item(actor, agenda_item: AgendaItem) -> tuple[SupportRequest, Meeting, AgendaItem]:
    """The request, the meeting and the item, locked in that order (as every decision locks
    them), after checking that the chair acts on an open meeting's undecided item."""
    support_request = SupportRequest.objects.select_for_update().get(
        pk=agenda_item.support_request_id
    )
    meeting = _locked_meeting(agenda_item.meeting)
    agenda_item = AgendaItem.objects.get(pk=agenda_item.pk)
    _require_chair(actor, meeting.committee)
    if meeting.status != Meeting.Status.OPEN:
        raise CommitteeError(MEETING_NOT_OPEN)
    if (
        support_request.state != State.IN_COMMITTEE
        or Decision.objects.filter(agenda_item=agenda_item).exists()
    ):
        raise CommitteeError(ALREADY_DECIDED)
    if agenda_item.deferred_at is not None:
        raise CommitteeError(ITEM_DEFERRED)
    return support_request, meeting, agenda_item


def _check_votes_decide(
    meeting: Meeting, result: ItemResult, outcome: str, amount: Decimal | None
) -> None:
    """Quorum on this item without its recusals, then the outcome and the amount the votes
    give; each refusal says the numbers."""
    needed = quorum_needed(
        meeting.committee,
        member_count=meeting.committee.members.count(),
        amount=amount if outcome == Decision.Outcome.APPROVED else None,
    )
    if result.counted < needed:
        raise CommitteeError(
            NO_QUORUM,
            present=result.present,
            recused=result.tally["recuse"],
            counted=result.counted,
            needed=needed,
        )
    counts = {"approve": result.tally["approve"], "reject": result.tally["reject"]}
    if not result.outcome:
        raise CommitteeError(NO_OUTCOME_YET, **counts)
    if outcome != result.outcome:
        label = Decision.Outcome(result.outcome).label
        raise CommitteeError(NOT_THE_VOTES_OUTCOME, outcome=label, **counts)
    if amount is not None and result.amount_cap is not None and amount > result.amount_cap:
        raise CommitteeError(AMOUNT_ABOVE_VOTES, cap=f"{result.amount_cap:,.2f}")


@transaction.atomic
def decision_record(
    *,
    actor,
    agenda_item: AgendaItem,
    outcome: str,
    approved_amount: Decimal | None = None,
    support_type: str = "",
    rejection_code: str = "",
    rejection_reason: str = "",
    note: str = "",
) -> Decision:
    """The chair records the decision the votes made, at an open meeting with quorum.

    The outcome must be the votes' (committee.voting): no votes, no decision; an approved
    amount no higher than any approving member named. Moves the request with
    `support_request_decide` in the same transaction (which stops the window clock and queues
    her notification). Two decisions at once: the request row is locked first, so the second
    waits, then finds it decided and is refused; the one-to-one on the agenda item is the
    database's last word.
    """
    support_request, meeting, agenda_item = _locked_item(actor, agenda_item)
    approved = outcome == Decision.Outcome.APPROVED
    if approved and (approved_amount is None or not support_type):
        raise CommitteeError(APPROVAL_NEEDS_AMOUNT)
    if not approved and (not rejection_code or not rejection_reason.strip()):
        raise CommitteeError(REJECTION_NEEDS_REASON)
    result = item_result_of(agenda_item, meeting)
    _check_votes_decide(meeting, result, outcome, approved_amount if approved else None)

    appeal = Appeal.objects.filter(support_request=support_request, decision__isnull=True).first()
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                support_request=support_request,
                agenda_item=agenda_item,
                appeal=appeal,
                outcome=outcome,
                approved_amount=approved_amount if approved else None,
                support_type=support_type if approved else "",
                rejection_code="" if approved else rejection_code,
                rejection_reason="" if approved else rejection_reason,
                decided_by=actor,
                snapshot=decision_snapshot(support_request),
                tally=result.tally,
            )
    except IntegrityError as exc:
        raise CommitteeError(ALREADY_DECIDED) from exc
    if approved:
        # Issue 21: the fund the request's type draws on must cover it, and support she
        # already received within a "once per period" program refuses it (with what and when).
        try:
            program_services.request_funding_commit(
                actor=actor, support_request=support_request, amount=decision.approved_amount
            )
        except program_services.ProgramError as error:
            raise CommitteeError(error.message) from error
    request_services.support_request_decide(
        actor=actor,
        support_request=support_request,
        outcome=outcome,
        approved_amount=decision.approved_amount,
        support_type=decision.support_type,
        rejection_code=decision.rejection_code,
        rejection_reason=decision.rejection_reason,
        note=note or _("Meeting no. %(number)s") % {"number": meeting.number},
    )
    return decision


@transaction.atomic
def agenda_item_defer(*, actor, agenda_item: AgendaItem, note: str = "") -> AgendaItem:
    """The chair defers an undecided item to the committee's next meeting.

    The request stays `in_committee` and its window keeps running (the overdue rules apply).
    It goes on the agenda of the next planned meeting, or of the next one scheduled. Audited
    on her request's timeline; the researcher who studied it is told (`item_deferred`).
    """
    support_request, meeting, agenda_item = _locked_item(actor, agenda_item)
    agenda_item.deferred_at = timezone.now()
    agenda_item.save(update_fields=["deferred_at"])
    event = event_record(
        actor=actor,
        subject=support_request,
        verb="committee_defer",
        note=note,
        extra={"meeting": meeting.number, "tally": item_result_of(agenda_item, meeting).tally},
    )
    following = (
        Meeting.objects.filter(committee=meeting.committee, status=Meeting.Status.PLANNED)
        .order_by("date", "number")
        .first()
    )
    if following is not None:
        _append_to_agenda(actor, following, [support_request])
    report = ResearchReport.objects.filter(support_request=support_request).first()
    researcher_id = support_request.researcher_id or (report.author_id if report else None)
    message_queue_to_staff(
        users=User.objects.filter(pk=researcher_id, is_active=True),
        template="item_deferred",
        context={
            "reference": support_request.reference,
            "meeting": meeting.number,
            "due_date": timezone.localtime(support_request.decision_due_at).date().isoformat()
            if support_request.decision_due_at
            else "",
            "url": settings.SITE_URL + support_request.get_absolute_url(),
        },
        idempotency_key=f"agenda-item-{agenda_item.pk}-{event.pk}-item_deferred",
        subject=support_request,
    )
    return agenda_item


# --- Appeals ---------------------------------------------------------------------------------
@transaction.atomic
def appeal_file(
    *, actor, support_request: SupportRequest, reason: str, via: str = Appeal.Via.STAFF
) -> Appeal:
    """Appeal a rejection once, within 30 days: the request returns to the committee's queue
    with a new window, linked to the decision it appeals."""
    support_request = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if support_request.state != State.REJECTED:
        raise CommitteeError(APPEAL_ONLY_REJECTED)
    if Appeal.objects.filter(support_request=support_request).exists():
        raise CommitteeError(APPEAL_ONCE)
    rejection = (
        Decision.objects.filter(support_request=support_request, outcome=Decision.Outcome.REJECTED)
        .order_by("-decided_at")
        .first()
    )
    if rejection is None:
        raise CommitteeError(APPEAL_ONLY_REJECTED)
    if timezone.now() > rejection.decided_at + timedelta(days=APPEAL_DAYS):
        raise CommitteeError(APPEAL_TOO_LATE)
    staff = actor if getattr(actor, "is_authenticated", False) else None
    appeal = Appeal.objects.create(
        support_request=support_request,
        rejection=rejection,
        reason=reason,
        filed_via=via,
        filed_by=staff,
    )
    request_services.support_request_reopen_for_appeal(
        actor=staff, support_request=support_request, note=reason
    )
    return appeal


# --- A program's cycle (issue 21) ------------------------------------------------------------
CYCLE_NOT_IN_COMMITTEE = _("Only a cycle sent to the committee can be put on the agenda.")
CYCLE_ALREADY_DECIDED = _("This cycle has already been decided.")


def cycle_snapshot(cycle: Cycle) -> dict:
    """The list's and the fund's figures a cycle decision rests on (plain JSON)."""
    needs = program_services.cycle_approval_needs(cycle)
    fund = cycle.fund
    return {
        "program": cycle.program.name,
        "cycle": cycle.name,
        "fund": fund.name,
        "eligible": cycle.eligible_count,
        "approved": needs["count"],
        "refused_repeat": needs["refused"],
        "flagged_repeat": needs["flagged"],
        "total": str(needs["total"]),
        "fund_balance": str(fund.balance),
        "fund_left": str(fund.left),
    }


@transaction.atomic
def meeting_add_cycle(*, actor, meeting: Meeting, cycle: Cycle) -> CycleAgendaItem:
    """Put a cycle sent to the committee on a meeting's agenda, as one item."""
    meeting = _locked_meeting(meeting)
    _require_chair(actor, meeting.committee)
    if meeting.status == Meeting.Status.CLOSED:
        raise CommitteeError(MEETING_CLOSED)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Cycle.Status.IN_COMMITTEE:
        raise CommitteeError(CYCLE_NOT_IN_COMMITTEE)
    item, created = CycleAgendaItem.objects.get_or_create(
        meeting=meeting,
        cycle=cycle,
        defaults={
            "position": (meeting.agenda_items.aggregate(last=Max("position"))["last"] or 0)
            + meeting.cycle_items.count()
            + 1
        },
    )
    if created:
        event_record(
            actor=actor,
            subject=meeting,
            verb="meeting_add_cycle",
            extra={"cycle": cycle.pk, "name": str(cycle)},
        )
    return item


def _cycle_item_open(item: CycleAgendaItem) -> tuple[Meeting, CycleAgendaItem]:
    meeting = _locked_meeting(item.meeting)
    item = CycleAgendaItem.objects.select_related("cycle__program", "cycle__fund").get(pk=item.pk)
    if meeting.status != Meeting.Status.OPEN:
        raise CommitteeError(MEETING_NOT_OPEN)
    if CycleDecision.objects.filter(item=item).exists():
        raise CommitteeError(CYCLE_ALREADY_DECIDED)
    return meeting, item


@transaction.atomic
def cycle_vote_cast(*, actor, item: CycleAgendaItem, choice: str, comment: str = "") -> CycleVote:
    """One member, one vote on a cycle, while the meeting is open (a second replaces it)."""
    meeting, item = _cycle_item_open(item)
    if not meeting.present.filter(pk=actor.pk).exists():
        raise CommitteeError(NOT_PRESENT)
    vote = CycleVote.objects.select_for_update().filter(item=item, member=actor).first()
    old_choice = ""
    if vote is None:
        vote = CycleVote.objects.create(item=item, member=actor, choice=choice, comment=comment)
        verb = "cycle_vote_cast"
    else:
        if (vote.choice, vote.comment) == (choice, comment):
            return vote
        old_choice = vote.choice
        vote.choice, vote.comment, vote.updated_at = choice, comment, timezone.now()
        vote.save(update_fields=["choice", "comment", "updated_at"])
        verb = "cycle_vote_change"
    event_record(
        actor=actor,
        subject=item,
        verb=verb,
        old_state=old_choice,
        new_state=choice,
        note=comment,
        extra={"meeting": meeting.number, "cycle": item.cycle_id},
    )
    return vote


def cycle_item_result(item: CycleAgendaItem, meeting: Meeting) -> ItemResult:
    ballots = [Ballot(m, c) for m, c in item.votes.values_list("member_id", "choice")]
    present_ids = set(meeting.present.values_list("pk", flat=True))
    return item_result(ballots, present_ids=present_ids, chair_id=meeting.committee.chair_id)


@transaction.atomic
def cycle_decision_record(
    *, actor, item: CycleAgendaItem, outcome: str, note: str = ""
) -> CycleDecision:
    """The chair records the votes' decision on a cycle, at an open meeting with quorum (the
    large-amount quorum applies to the cycle's total). Approval goes through
    programs.services.cycle_decide, which refuses it — and with it this decision — when the
    fund cannot cover the list, saying the fund's balance."""
    meeting, item = _cycle_item_open(item)
    _require_chair(actor, meeting.committee)
    cycle = item.cycle
    result = cycle_item_result(item, meeting)
    total = program_services.cycle_approval_needs(cycle)["total"]
    _check_votes_decide(meeting, result, outcome, total if outcome == "approved" else None)
    decision = CycleDecision.objects.create(
        item=item,
        cycle=cycle,
        outcome=outcome,
        decided_by=actor,
        snapshot=cycle_snapshot(cycle),
        tally=result.tally,
        note=note,
    )
    try:
        program_services.cycle_decide(
            actor=actor,
            cycle=cycle,
            outcome=outcome,
            note=note or _("Meeting no. %(number)s") % {"number": meeting.number},
            extra={"meeting": meeting.number, "tally": result.tally},
        )
    except program_services.ProgramError as error:
        raise CommitteeError(error.message) from error
    return decision
