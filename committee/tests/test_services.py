"""The committee's rules, service by service: reports, meetings, votes, decisions, appeals."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from committee import services
from committee.models import Appeal, Decision, Meeting, ResearchReport, Vote
from committee.tests.factories import (
    REPORT,
    committee_with,
    open_meeting,
    request_in_research,
    votes_for,
)
from notifications.models import Message
from requests_app.models import SupportRequest

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def verbs(subject) -> list[str]:
    return list(Event.objects.for_subject(subject).values_list("verb", flat=True))


def approve(meeting, support_request, **fields):
    """Every member present approves, then the chair records the approval."""
    if meeting.status == Meeting.Status.OPEN:
        votes_for(meeting, support_request, "approve")
    item = meeting.agenda_items.get(support_request=support_request)
    values = {"outcome": "approved", "approved_amount": Decimal(800), "support_type": "food_basket"}
    return services.decision_record(
        actor=meeting.committee.chair, agenda_item=item, **values | fields
    )


def reject(meeting, support_request):
    """Every member present rejects, then the chair records the rejection."""
    votes_for(meeting, support_request, "reject")
    item = meeting.agenda_items.get(support_request=support_request)
    return services.decision_record(
        actor=meeting.committee.chair,
        agenda_item=item,
        outcome="rejected",
        rejection_code="income_above_threshold",
        rejection_reason="دخل الفرد أعلى من الحد",
    )


# --- Research report and send_to_committee ---------------------------------------------------
def test_a_request_without_a_completed_report_cannot_go_to_committee(researcher_user, intake_user):
    support_request = request_in_research(researcher=researcher_user, intake=intake_user)
    with pytest.raises(services.CommitteeError) as refused:
        services.research_send_to_committee(actor=researcher_user, support_request=support_request)
    assert refused.value.message == services.REPORT_REQUIRED

    services.research_report_save(
        actor=researcher_user, support_request=support_request, data=REPORT
    )
    with pytest.raises(services.CommitteeError):
        services.research_send_to_committee(actor=researcher_user, support_request=support_request)
    support_request.refresh_from_db()
    assert support_request.state == State.IN_RESEARCH


def test_a_completed_report_is_scored_and_lets_the_request_go_to_committee(
    researcher_user, intake_user
):
    support_request = request_in_research(researcher=researcher_user, intake=intake_user)
    report = services.research_report_save(
        actor=researcher_user, support_request=support_request, data=REPORT, complete=True
    )
    # 1200 SAR for a household of four: 300 per head, a widow renting, three dependants.
    assert report.score_facts["per_capita_income"] == "300.00"
    assert report.score == 40 + 15 + 10 + 10
    assert report.scoring_rule.version == 1
    services.research_send_to_committee(actor=researcher_user, support_request=support_request)
    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    assert verbs(support_request)[-2:] == ["research_report_complete", "send_to_committee"]


def test_changing_the_thresholds_scores_new_reports_and_leaves_old_ones_as_they_were(
    researcher_user, intake_user, manager_user
):
    old = request_in_research(researcher=researcher_user, intake=intake_user)
    old_report = services.research_report_save(
        actor=researcher_user, support_request=old, data=REPORT, complete=True
    )
    rule = services.scoring_rule_update(
        actor=manager_user, values={"income_threshold": Decimal(200), "widow_points": 25}
    )
    assert rule.version == 2
    assert Event.objects.for_subject(rule).get().verb == "scoring_rule_update"

    new = request_in_research(researcher=researcher_user, intake=intake_user)
    new_report = services.research_report_save(
        actor=researcher_user, support_request=new, data=REPORT, complete=True
    )
    assert new_report.score == 0 + 15 + 25 + 10  # 300 per head is now above the threshold
    assert new_report.scoring_rule.version == 2

    old_report.refresh_from_db()
    assert old_report.score == 75
    assert old_report.scoring_rule.version == 1


# --- Meetings --------------------------------------------------------------------------------
def test_meetings_are_numbered_in_sequence_per_committee(committee):
    first = services.meeting_schedule(
        actor=committee.chair, committee=committee, date=timezone.localdate()
    )
    second = services.meeting_schedule(
        actor=committee.chair, committee=committee, date=timezone.localdate()
    )
    assert (first.number, second.number) == (1, 2)
    assert verbs(first) == ["meeting_schedule"]


def test_only_the_chair_opens_a_meeting_and_only_with_members(committee, members, make_staff):
    meeting = services.meeting_schedule(
        actor=committee.chair, committee=committee, date=timezone.localdate()
    )
    with pytest.raises(services.CommitteeError) as refused:
        services.meeting_open(actor=members[0], meeting=meeting, present=members)
    assert refused.value.message == services.NOT_THE_CHAIR
    with pytest.raises(services.CommitteeError) as refused:
        services.meeting_open(
            actor=committee.chair, meeting=meeting, present=[make_staff(Role.COMMITTEE)]
        )
    assert refused.value.message == services.NOT_A_MEMBER
    services.meeting_open(actor=committee.chair, meeting=meeting, present=members)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN
    assert verbs(meeting)[-1] == "meeting_open"


# --- Votes -----------------------------------------------------------------------------------
def test_one_member_one_vote_a_second_vote_replaces_the_first_and_is_audited(
    committee, members, before_committee
):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    item = meeting.agenda_items.get()
    services.vote_cast(actor=members[0], agenda_item=item, choice="approve")
    services.vote_cast(actor=members[0], agenda_item=item, choice="reject", comment="راجعت")
    vote = Vote.objects.get(agenda_item=item)
    assert (vote.member, vote.choice, vote.comment) == (members[0], "reject", "راجعت")
    changed = Event.objects.for_subject(item).filter(verb__startswith="vote_")
    assert [(e.verb, e.old_state, e.new_state) for e in changed] == [
        ("vote_cast", "", "approve"),
        ("vote_change", "approve", "reject"),
    ]


def test_the_author_of_the_report_cannot_vote_on_it(make_staff, chair_user, intake_user):
    author = make_staff(Role.RESEARCHER, Role.COMMITTEE)
    others = [make_staff(Role.COMMITTEE) for _ in range(2)]
    committee = committee_with(chair=chair_user, members=[author, *others])
    support_request = request_in_research(researcher=author, intake=intake_user)
    services.research_report_save(
        actor=author, support_request=support_request, data=REPORT, complete=True
    )
    services.research_send_to_committee(actor=author, support_request=support_request)
    meeting = open_meeting(committee=committee, requests=[support_request])
    with pytest.raises(services.CommitteeError) as refused:
        services.vote_cast(actor=author, agenda_item=meeting.agenda_items.get(), choice="approve")
    assert refused.value.message == services.AUTHOR_CANNOT_VOTE
    assert not Vote.objects.exists()


def test_the_staff_member_who_entered_the_request_cannot_vote_on_it(
    make_staff, chair_user, researcher_user
):
    entered_by = make_staff(Role.INTAKE, Role.COMMITTEE)
    committee = committee_with(chair=chair_user, members=[entered_by])
    support_request = request_in_research(researcher=researcher_user, intake=entered_by)
    services.research_report_save(
        actor=researcher_user, support_request=support_request, data=REPORT, complete=True
    )
    services.research_send_to_committee(actor=researcher_user, support_request=support_request)
    meeting = open_meeting(committee=committee, requests=[support_request])
    with pytest.raises(services.CommitteeError) as refused:
        services.vote_cast(
            actor=entered_by, agenda_item=meeting.agenda_items.get(), choice="approve"
        )
    assert refused.value.message == services.AUTHOR_CANNOT_VOTE


def test_a_member_absent_from_the_meeting_cannot_vote_but_a_present_one_may_recuse(
    committee, members, before_committee
):
    support_request = before_committee()
    meeting = open_meeting(
        committee=committee, requests=[support_request], present=[committee.chair, *members[:2]]
    )
    item = meeting.agenda_items.get()
    with pytest.raises(services.CommitteeError) as refused:
        services.vote_cast(actor=members[2], agenda_item=item, choice="approve")
    assert refused.value.message == services.NOT_PRESENT
    services.vote_cast(actor=members[1], agenda_item=item, choice="recuse")
    assert Vote.objects.get().choice == "recuse"


# --- Decisions -------------------------------------------------------------------------------
def test_no_decision_without_quorum(committee, members, before_committee):
    support_request = before_committee()
    meeting = open_meeting(
        committee=committee, requests=[support_request], present=[committee.chair, members[0]]
    )
    with pytest.raises(services.CommitteeError) as refused:
        approve(meeting, support_request)
    assert str(refused.value.message) == str(
        services.NO_QUORUM % {"present": 2, "recused": 0, "counted": 2, "needed": 3}
    )
    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    assert not Decision.objects.exists()


def test_managers_may_set_another_quorum(chair_user, members, before_committee):
    committee = committee_with(chair=chair_user, members=members, quorum=2)
    support_request = before_committee()
    meeting = open_meeting(
        committee=committee, requests=[support_request], present=[chair_user, members[0]]
    )
    approve(meeting, support_request)
    support_request.refresh_from_db()
    assert support_request.state == State.APPROVED


def test_approvals_above_the_large_amount_need_the_larger_quorum(
    chair_user, members, before_committee
):
    committee = committee_with(
        chair=chair_user, members=members, large_amount=Decimal(5000), large_amount_quorum=4
    )
    large, small = before_committee(), before_committee()
    meeting = open_meeting(
        committee=committee, requests=[large, small], present=[chair_user, *members[:2]]
    )
    with pytest.raises(services.CommitteeError) as refused:
        approve(meeting, large, approved_amount=Decimal(9000))
    assert "4" in str(refused.value.message)
    approve(meeting, small, approved_amount=Decimal(5000))
    small.refresh_from_db()
    assert small.state == State.APPROVED


def test_the_chairs_approval_moves_the_request_stops_the_clock_and_tells_her(
    committee, members, before_committee
):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    item = meeting.agenda_items.get()
    for member in members:
        services.vote_cast(actor=member, agenda_item=item, choice="approve")
    decision = approve(meeting, support_request)

    support_request.refresh_from_db()
    assert support_request.state == State.APPROVED
    assert support_request.decided_at is not None
    assert support_request.approved_amount == Decimal(800)
    assert decision.tally == {"approve": 4, "reject": 0, "abstain": 0, "recuse": 0}
    event = Event.objects.for_subject(support_request).get(verb="decide")
    assert (event.old_state, event.new_state, event.actor) == (
        "in_committee",
        "approved",
        committee.chair,
    )
    assert Message.objects.filter(template="request_decided", subject_id=support_request.pk)


def test_a_rejection_needs_its_coded_reason_and_is_recorded(committee, before_committee):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    item = meeting.agenda_items.get()
    with pytest.raises(services.CommitteeError) as refused:
        services.decision_record(actor=committee.chair, agenda_item=item, outcome="rejected")
    assert refused.value.message == services.REJECTION_NEEDS_REASON
    reject(meeting, support_request)
    support_request.refresh_from_db()
    assert (support_request.state, support_request.rejection_code) == (
        State.REJECTED,
        "income_above_threshold",
    )


def test_a_request_is_decided_once_and_not_on_a_closed_meeting(committee, before_committee):
    first, second = before_committee(), before_committee()
    meeting = open_meeting(committee=committee, requests=[first, second])
    approve(meeting, first)
    with pytest.raises(services.CommitteeError) as refused:
        reject(meeting, first)
    assert refused.value.message == services.ALREADY_DECIDED
    services.meeting_close(actor=committee.chair, meeting=meeting)
    with pytest.raises(services.CommitteeError) as refused:
        approve(meeting, second)
    assert refused.value.message == services.MEETING_NOT_OPEN
    assert Decision.objects.count() == 1


def test_editing_her_income_after_the_decision_leaves_the_snapshot_unchanged(
    committee, before_committee
):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    decision = approve(meeting, support_request)
    assert decision.snapshot["per_capita_income"] == "300.00"
    assert decision.snapshot["household_size"] == 4
    assert decision.snapshot["score"] == 75

    income = support_request.beneficiary.income_sources.get()
    income.amount = Decimal(9000)
    income.save()
    support_request.beneficiary.household.first().delete()

    decision.refresh_from_db()
    assert decision.snapshot["per_capita_income"] == "300.00"
    assert decision.snapshot["household_size"] == 4
    assert decision.snapshot["incomes"] == {"social_security": "1200.00"}


def test_closing_a_meeting_freezes_its_minutes(committee, before_committee):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    approve(meeting, support_request)
    meeting = services.meeting_close(actor=committee.chair, meeting=meeting)
    assert meeting.minutes["items"][0]["outcome"] == "approved"
    committee.chair.first_name = "اسم آخر"
    committee.chair.save()
    meeting.refresh_from_db()
    assert committee.chair.first_name not in meeting.minutes["attendees"][0]["name"]


# --- Appeals ---------------------------------------------------------------------------------
def test_a_rejection_is_appealed_once_back_to_the_queue_with_a_new_window(
    committee, before_committee, intake_user
):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    rejection = reject(meeting, support_request)
    appeal = services.appeal_file(
        actor=intake_user, support_request=support_request, reason="تغيّر دخل الأسرة"
    )
    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    assert support_request.decision_due_at > timezone.now() + timedelta(days=13)
    assert appeal.rejection == rejection
    with pytest.raises(services.CommitteeError):
        services.appeal_file(actor=intake_user, support_request=support_request, reason="مرة أخرى")

    services.meeting_close(actor=committee.chair, meeting=meeting)
    second = open_meeting(committee=committee, requests=[support_request])
    decision = approve(second, support_request)
    assert decision.appeal == appeal


def test_an_appeal_after_30_days_is_refused(committee, before_committee, intake_user):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    reject(meeting, support_request)
    later = timezone.now() + timedelta(days=31)
    with time_machine.travel(later), pytest.raises(services.CommitteeError) as refused:
        services.appeal_file(actor=intake_user, support_request=support_request, reason="متأخر")
    assert refused.value.message == services.APPEAL_TOO_LATE
    assert not Appeal.objects.exists()
    support_request.refresh_from_db()
    assert support_request.state == State.REJECTED


def test_report_rows_keep_the_breakdown_that_sums_to_the_score(researcher_user, intake_user):
    support_request = request_in_research(researcher=researcher_user, intake=intake_user)
    report = services.research_report_save(
        actor=researcher_user, support_request=support_request, data=REPORT
    )
    report = ResearchReport.objects.get(pk=report.pk)
    assert sum(row["points"] for row in report.breakdown_rows()) == report.score


def test_she_may_appeal_from_the_portal(committee, before_committee):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    reject(meeting, support_request)
    appeal = services.appeal_file(
        actor=None, support_request=support_request, reason="لدي مستند جديد", via="portal"
    )
    assert (appeal.filed_via, appeal.filed_by) == ("portal", None)
    event = Event.objects.for_subject(support_request).get(verb="reopen_for_appeal")
    assert event.actor_kind == "beneficiary"
