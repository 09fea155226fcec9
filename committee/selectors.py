"""Reads of the committee: the queue, who sees which meeting and request, the minutes."""

from datetime import date

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from beneficiaries.models import Beneficiary, Category, Housing, IncomeSource, MaritalStatus
from beneficiaries.selectors import household_income_summary
from programs.models import Cycle
from programs.selectors import repeat_support_for_entry, repeat_support_for_requests
from programs.services import cycle_approval_needs
from requests_app.models import RejectionCode, RequestType, SupportRequest
from requests_app.selectors import support_requests_with_clock

from .models import AgendaItem, CycleAgendaItem, CycleDecision, Decision, Meeting, Vote
from .scoring import Facts
from .voting import Ballot, ItemResult, item_result

State = SupportRequest.State

# --- Her situation, in the terms of the scoring rule ------------------------------------------
INCOME_SUPPORT = {IncomeSource.Source.SOCIAL_SECURITY, IncomeSource.Source.PENSION}


def beneficiary_facts(beneficiary: Beneficiary) -> Facts:
    """What her file says today, in the terms of the scoring rule."""
    summary = household_income_summary(beneficiary)
    members = list(beneficiary.household.all())
    categories = set(beneficiary.categories.values_list("category", flat=True))
    sources = set(beneficiary.income_sources.filter(amount__gt=0).values_list("source", flat=True))
    return Facts(
        per_capita_income=summary["per_capita_income"],
        # Dependants: members of her household without an income of their own.
        dependants=sum(1 for member in members if not member.monthly_income),
        no_income_support=not (sources & INCOME_SUPPORT),
        disability=Category.DISABILITY in categories or any(m.has_disability for m in members),
        widow=beneficiary.marital_status == MaritalStatus.WIDOW,
        elderly=Category.ELDERLY in categories,
        debt=bool(beneficiary.debts),
        renting=beneficiary.housing == Housing.RENTED,
    )


# --- Access: a member sees only what is on her committee's agenda ---------------------------
def sees_whole_queue(user) -> bool:
    """The chair builds agendas from the whole queue; managers oversee it."""
    return user.has_role(Role.CHAIR, Role.MANAGER)


def agenda_request_ids(user) -> QuerySet:
    """Ids of the requests on the agenda of any meeting of the committees she sits on."""
    return AgendaItem.objects.filter(meeting__committee__members=user).values("support_request_id")


def committee_request_rule(user) -> Q | None:
    """requests_app's access hook: a committee member reaches requests on her agenda."""
    if not user.has_role(Role.COMMITTEE):
        return None
    return Q(pk__in=agenda_request_ids(user))


def committee_file_rule(user) -> Q | None:
    """beneficiaries' access hook: her file and documents through a request on the agenda."""
    if not user.has_role(Role.COMMITTEE):
        return None
    return Q(support_requests__in=agenda_request_ids(user))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    if user.has_role(Role.MANAGER):
        return Meeting.objects.all()
    return Meeting.objects.filter(committee__members=user)


def meeting_for_staff(user, pk: int) -> Meeting:
    """The meeting of one of her committees, or 404."""
    return get_object_or_404(meetings_visible_to(user).select_related("committee__chair"), pk=pk)


def agenda_item_for_staff(user, pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.filter(meeting__in=meetings_visible_to(user)).select_related(
            "meeting__committee", "support_request"
        ),
        pk=pk,
    )


# --- The queue -------------------------------------------------------------------------------
def committee_queue(user) -> QuerySet[SupportRequest]:
    """Requests before the committee, overdue first, with score, recommendation and amount.

    One query whatever its length: the report and the appeal come by join.
    """
    queryset = SupportRequest.objects.filter(state=State.IN_COMMITTEE)
    if not sees_whole_queue(user):
        queryset = queryset.filter(pk__in=agenda_request_ids(user))
    queryset = queryset.select_related("beneficiary", "research_report", "appeal__rejection").only(
        "reference",
        "request_type",
        "amount_requested",
        "state",
        "decision_due_at",
        "paused_at",
        "beneficiary__full_name",
        "beneficiary__file_number",
        "research_report__score",
        "research_report__recommendation",
        "research_report__recommended_amount",
        "research_report__recommended_support_type",
        "appeal__filed_at",
        "appeal__rejection__decided_at",
    )
    return support_requests_with_clock(queryset).order_by(*QUEUE_ORDER)


# Overdue first. Every row is `in_committee`, whose days left follow the due date: ordering by
# the due date itself is the same order, and the (state, decision_due_at) index serves it
# instead of a sort of the whole queue by a computed value (make bench, 5,000 requests before
# the committee among 250,000: 105 ms → 0.2 ms for the first page).
QUEUE_ORDER = ("decision_due_at", "pk")


def committees_of(user):
    return user.committees.order_by("pk")


def upcoming_meetings(user) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .exclude(status=Meeting.Status.CLOSED)
        .select_related("committee")
        .annotate(item_count=Count("agenda_items"))
        .order_by("date", "number")
    )


def recent_meetings(user, limit: int = 10) -> QuerySet[Meeting]:
    return (
        meetings_visible_to(user)
        .filter(status=Meeting.Status.CLOSED)
        .select_related("committee")
        .annotate(item_count=Count("agenda_items"))
        .order_by("-date", "-number")[:limit]
    )


# --- One meeting -----------------------------------------------------------------------------
def meeting_agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    """The agenda with each request, its report, votes and decision, in a fixed few queries."""
    return (
        meeting.agenda_items.select_related(
            "support_request__beneficiary",
            "support_request__research_report__scoring_rule",
            "support_request__appeal__rejection",
            "decision",
        )
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.select_related("member").order_by("pk"))
        )
        .order_by("position", "pk")
    )


def queue_not_on_agenda(meeting: Meeting) -> QuerySet[SupportRequest]:
    """What the chair may still add to this meeting's agenda."""
    queryset = SupportRequest.objects.filter(state=State.IN_COMMITTEE).exclude(
        agenda_items__meeting=meeting
    )
    return support_requests_with_clock(
        queryset.select_related("beneficiary", "research_report")
    ).order_by(*QUEUE_ORDER)


def decision_for(support_request: SupportRequest) -> Decision | None:
    return Decision.objects.filter(support_request=support_request).order_by("-decided_at").first()


# --- Minutes ---------------------------------------------------------------------------------
def minutes_data(meeting: Meeting) -> dict:
    """The minutes as plain JSON (codes, names, figures), frozen into the meeting on closing.

    Labels are looked up when shown (minutes_display), so the record holds facts, not words.
    """
    committee = meeting.committee
    present = list(meeting.present.order_by("pk"))
    attendees = sorted(
        (
            {
                "name": user.display_name,
                "role": "chair" if user.pk == committee.chair_id else "member",
            }
            for user in present
        ),
        key=lambda row: row["role"] != "chair",
    )
    absent = [
        user.display_name
        for user in committee.members.order_by("pk")
        if user.pk not in {p.pk for p in present}
    ]
    present_ids = {user.pk for user in present}
    voters = sorted(present, key=lambda user: user.pk != committee.chair_id)  # the chair first
    agenda = list(meeting_agenda(meeting))
    results = item_results(meeting, agenda, present_ids)
    items = []
    for item in agenda:
        support_request = item.support_request
        decision = getattr(item, "decision", None)
        result = results[item.pk]
        ballots = {vote.member_id: vote for vote in item.votes.all()}
        items.append(
            {
                "reference": support_request.reference,
                "request_type": support_request.request_type,
                "file_number": support_request.beneficiary.file_number,
                "amount_requested": _money(support_request.amount_requested),
                "appeal": hasattr(support_request, "appeal"),
                # Every member present, with her vote, her recusal, or no vote ("").
                "votes": [
                    {
                        "name": user.display_name,
                        "choice": ballots[user.pk].choice if user.pk in ballots else "",
                        "amount": _money(ballots[user.pk].amount) if user.pk in ballots else None,
                    }
                    for user in voters
                ],
                "tally": result.tally,
                "counted": result.counted,
                "deferred": item.deferred_at is not None,
                "outcome": decision.outcome if decision else "",
                "approved_amount": _money(decision.approved_amount) if decision else None,
                "support_type": decision.support_type if decision else "",
                "rejection_code": decision.rejection_code if decision else "",
                "rejection_reason": decision.rejection_reason if decision else "",
            }
        )
    return {
        "association": settings.ASSOCIATION_NAME,
        "committee": committee.name,
        "number": meeting.number,
        "date": meeting.date.isoformat(),
        "attendees": attendees,
        "absent": absent,
        "items": items,
        "cycles": cycle_minutes(meeting, voters, present_ids),
        "frozen_at": timezone.now().isoformat()
        if meeting.status == Meeting.Status.CLOSED
        else None,
    }


def cycle_minutes(meeting: Meeting, voters: list, present_ids: set[int]) -> list[dict]:
    """A program cycle on the agenda, as the minutes record it: the list's figures, the votes,
    the decision (issue 21)."""
    rows = []
    items = meeting.cycle_items.select_related("cycle__program", "cycle__fund")
    for item in items.prefetch_related("votes"):
        ballots = {vote.member_id: vote for vote in item.votes.all()}
        result = item_result(
            [Ballot(v.member_id, v.choice) for v in ballots.values()],
            present_ids=present_ids,
            chair_id=meeting.committee.chair_id,
        )
        decision = CycleDecision.objects.filter(item=item).first()
        cycle = item.cycle
        rows.append(
            {
                "program": cycle.program.name,
                "cycle": cycle.name,
                "fund": cycle.fund.name,
                "eligible": cycle.eligible_count,
                "total": _money(cycle.total_amount),
                "votes": [
                    {
                        "name": user.display_name,
                        "choice": ballots[user.pk].choice if user.pk in ballots else "",
                    }
                    for user in voters
                ],
                "tally": result.tally,
                "outcome": decision.outcome if decision else "",
            }
        )
    return rows


def _money(value) -> str | None:
    return None if value is None else f"{value:,.2f}"


ROLE_LABELS = {"chair": Role.CHAIR.label, "member": Role.COMMITTEE.label}
# A vote as the minutes report it (the form's "Recuse myself" is her own voice).
VOTE_WORDS = {**dict(Vote.Choice.choices), Vote.Choice.RECUSE: _("Recused")}


def minutes_display(meeting: Meeting) -> dict:
    """The minutes to show: frozen when the meeting is closed, live before that."""
    data = dict(meeting.minutes) if meeting.status == Meeting.Status.CLOSED else None
    if not data:
        data = minutes_data(meeting)
    data["date"] = date.fromisoformat(data["date"])
    data["attendees"] = [
        {**row, "role_label": ROLE_LABELS.get(row["role"], "")} for row in data["attendees"]
    ]
    data["items"] = [
        {
            **row,
            "type_label": _label(RequestType, row["request_type"]),
            "outcome_label": _label(Decision.Outcome, row["outcome"]),
            "support_label": _label(RequestType, row["support_type"]),
            "rejection_label": _label(RejectionCode, row["rejection_code"]),
            "votes": [
                {**vote, "choice_label": VOTE_WORDS.get(vote["choice"], "")}
                for vote in row.get("votes", [])
            ],
            "tally_labels": [
                (VOTE_WORDS.get(key, key), count) for key, count in (row.get("tally") or {}).items()
            ],
        }
        for row in data["items"]
    ]
    data["cycles"] = [
        {
            **row,
            "outcome_label": _label(Decision.Outcome, row["outcome"]),
            "votes": [
                {**vote, "choice_label": VOTE_WORDS.get(vote["choice"], "")}
                for vote in row.get("votes", [])
            ],
        }
        for row in data.get("cycles", [])
    ]
    return data


def _label(choices, value: str) -> str:
    if not value:
        return ""
    try:
        return choices(value).label
    except ValueError:
        return value


def item_results(meeting: Meeting, items, present_ids: set[int]) -> dict[int, ItemResult]:
    """What each item's (prefetched) votes decide, by agenda item id (committee.voting)."""
    return {
        item.pk: item_result(
            [Ballot(v.member_id, v.choice, v.amount) for v in item.votes.all()],
            present_ids=present_ids,
            chair_id=meeting.committee.chair_id,
        )
        for item in items
    }


def agenda_rows(meeting: Meeting, user) -> list[dict]:
    """Each agenda item with its votes, what they decide, and what this person may do on it."""
    is_open = meeting.status == Meeting.Status.OPEN
    present_ids = {member.pk for member in meeting.present.all()}
    items = list(meeting_agenda(meeting))
    results = item_results(meeting, items, present_ids)
    # Issue 21: support of the same program she received within its period, per request.
    received = repeat_support_for_requests([item.support_request for item in items])
    rows = []
    for item in items:
        support_request = item.support_request
        report = getattr(support_request, "research_report", None)
        decision = getattr(item, "decision", None)
        votes = list(item.votes.all())
        authors = {support_request.created_by_id, report.author_id if report else None}
        result = results[item.pk]
        pending = is_open and decision is None and item.deferred_at is None
        rows.append(
            {
                "item": item,
                "support_request": support_request,
                "report": report,
                "decision": decision,
                "votes": votes,
                "result": result,
                "outcome_label": _label(Decision.Outcome, result.outcome),
                "received": received.get(support_request.pk, []),
                # Counts read "Recused: 1", not the form's first person "Recuse myself: 1".
                "tally": [(VOTE_WORDS.get(key, key), count) for key, count in result.tally.items()],
                "my_vote": next((v for v in votes if v.member_id == user.pk), None),
                "may_vote": pending and user.pk in present_ids and user.pk not in authors,
                "is_author": user.pk in authors,
                "may_decide": pending and user.pk == meeting.committee.chair_id,
            }
        )
    return rows


# --- Program cycles on the agenda (issue 21) ---------------------------------------------------
FLAGGED_SHOWN = 20


def cycles_not_on_agenda(meeting: Meeting):
    """Cycles sent to the committee that this meeting's agenda does not hold yet."""
    return (
        Cycle.objects.filter(status=Cycle.Status.IN_COMMITTEE)
        .exclude(agenda_items__meeting=meeting)
        .select_related("program")
        .order_by("submitted_at", "pk")
    )


def cycle_agenda_rows(meeting: Meeting, user) -> list[dict]:
    """Each cycle on the agenda: the list's figures, the fund check, the women flagged as
    having received this support within the period (what and when), the votes."""
    is_open = meeting.status == Meeting.Status.OPEN
    present_ids = {member.pk for member in meeting.present.all()}
    rows = []
    items = meeting.cycle_items.select_related("cycle__program", "cycle__fund").prefetch_related(
        "votes__member"
    )
    for item in items:
        cycle = item.cycle
        votes = list(item.votes.all())
        result = item_result(
            [Ballot(v.member_id, v.choice) for v in votes],
            present_ids=present_ids,
            chair_id=meeting.committee.chair_id,
        )
        decision = CycleDecision.objects.filter(item=item).first()
        pending = is_open and decision is None
        flagged = cycle.entries.filter(repeat_flagged=True, status="eligible").select_related(
            "beneficiary", "cycle__program"
        )
        rows.append(
            {
                "item": item,
                "cycle": cycle,
                "needs": cycle_approval_needs(cycle) if decision is None else None,
                "flagged": [
                    {"entry": entry, "received": repeat_support_for_entry(entry)}
                    for entry in flagged[:FLAGGED_SHOWN]
                ],
                "votes": votes,
                "result": result,
                "tally": [(VOTE_WORDS.get(k, k), n) for k, n in result.tally.items()],
                "outcome_label": _label(Decision.Outcome, result.outcome),
                "decision": decision,
                "my_vote": next((v for v in votes if v.member_id == user.pk), None),
                "may_vote": pending and user.pk in present_ids,
                "may_decide": pending and user.pk == meeting.committee.chair_id,
            }
        )
    return rows


def cycle_item_for_staff(user, pk: int):
    """A cycle's agenda item, through a meeting she may see (404 otherwise)."""
    return get_object_or_404(
        CycleAgendaItem.objects.select_related("meeting__committee", "cycle"),
        pk=pk,
        meeting__in=meetings_visible_to(user),
    )
