"""The decision is the votes' (issue 15): tally, tie, quorum without recusals, amount, defer."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import Event
from committee import services
from committee.models import AgendaItem, Decision, Meeting
from committee.tests.factories import open_meeting, votes_for
from committee.voting import Ballot, item_result
from notifications.models import Message
from requests_app.models import SupportRequest

pytestmark = pytest.mark.django_db
State = SupportRequest.State
APPROVE = {"outcome": "approved", "approved_amount": Decimal(800), "support_type": "food_basket"}
REJECT = {
    "outcome": "rejected",
    "rejection_code": "income_above_threshold",
    "rejection_reason": "دخل الفرد أعلى من الحد",
}


def vote(item, member, choice, **fields):
    return services.vote_cast(actor=member, agenda_item=item, choice=choice, **fields)


def decide(item, fields):
    return services.decision_record(actor=item.meeting.committee.chair, agenda_item=item, **fields)


@pytest.fixture
def item(committee, before_committee):
    """The one item of an open meeting where the chair and three members are present."""
    meeting = open_meeting(committee=committee, requests=[before_committee()])
    return meeting.agenda_items.select_related("meeting__committee", "support_request").get()


# --- The rule, on its own --------------------------------------------------------------------
def test_the_rule_counts_approvals_against_rejections_and_leaves_abstentions_out():
    ballots = [
        Ballot(1, "approve"),
        Ballot(2, "abstain"),
        Ballot(3, "abstain"),
        Ballot(4, "reject"),
    ]
    result = item_result(ballots, present_ids={1, 2, 3, 4}, chair_id=4)
    assert result.outcome == "rejected"  # 1–1, the chair (4) rejected
    assert result.counted == 4
    assert item_result(ballots[1:3], present_ids={1, 2, 3, 4}, chair_id=1).outcome == ""


# --- Through the services ----------------------------------------------------------------------
def test_two_rejections_and_no_approval_cannot_be_recorded_as_an_approval(item, members):
    vote(item, members[0], "reject")
    vote(item, members[1], "reject")
    with pytest.raises(services.CommitteeError) as refused:
        decide(item, APPROVE)
    assert "2" in str(refused.value.message)
    assert str(refused.value.message) == str(
        services.NOT_THE_VOTES_OUTCOME
        % {"outcome": Decision.Outcome.REJECTED.label, "approve": 0, "reject": 2}
    )
    assert not Decision.objects.exists()

    decision = decide(item, REJECT)
    assert decision.tally == {"approve": 0, "reject": 2, "abstain": 0, "recuse": 0}
    item.support_request.refresh_from_db()
    assert item.support_request.state == State.REJECTED


def test_no_votes_no_decision_and_abstentions_alone_make_none(item, members):
    with pytest.raises(services.CommitteeError) as refused:
        decide(item, APPROVE)
    assert str(refused.value.message) == str(services.NO_OUTCOME_YET % {"approve": 0, "reject": 0})
    for member in members:
        vote(item, member, "abstain")
    with pytest.raises(services.CommitteeError):
        decide(item, REJECT)
    item.support_request.refresh_from_db()
    assert item.support_request.state == State.IN_COMMITTEE
    assert not Event.objects.for_subject(item.support_request).filter(verb="decide").exists()


def test_a_tie_goes_the_way_the_chair_voted(item, members):
    chair = item.meeting.committee.chair
    vote(item, members[0], "reject")
    vote(item, members[1], "reject")
    vote(item, members[2], "approve")
    vote(item, chair, "approve")
    with pytest.raises(services.CommitteeError):
        decide(item, REJECT)
    decision = decide(item, APPROVE)
    assert decision.tally["approve"] == decision.tally["reject"] == 2
    assert decision.outcome == "approved"


def test_a_tie_without_the_chairs_vote_decides_nothing(item, members):
    vote(item, members[0], "reject")
    vote(item, members[1], "approve")
    vote(item, item.meeting.committee.chair, "abstain")
    with pytest.raises(services.CommitteeError) as refused:
        decide(item, APPROVE)
    assert str(refused.value.message) == str(services.NO_OUTCOME_YET % {"approve": 1, "reject": 1})


def test_a_recusal_lowers_the_items_quorum_count(committee, members, before_committee):
    """Four members, a quorum of three; three present, one recuses: two count, no quorum."""
    support_request = before_committee()
    meeting = open_meeting(
        committee=committee, requests=[support_request], present=[committee.chair, *members[:2]]
    )
    item = meeting.agenda_items.get()
    vote(item, members[0], "recuse")
    vote(item, members[1], "approve")
    vote(item, committee.chair, "approve")
    with pytest.raises(services.CommitteeError) as refused:
        decide(item, APPROVE)
    assert str(refused.value.message) == str(
        services.NO_QUORUM % {"present": 3, "recused": 1, "counted": 2, "needed": 3}
    )
    # She changes her mind and votes: the item has its quorum again.
    vote(item, members[0], "abstain")
    assert decide(item, APPROVE).outcome == "approved"


def test_the_approved_amount_cannot_exceed_what_the_approving_members_voted_for(item, members):
    vote(item, members[0], "approve", amount=Decimal(600))
    vote(item, members[1], "approve", amount=Decimal(900))
    vote(item, members[2], "approve")
    with pytest.raises(services.CommitteeError) as refused:
        decide(item, APPROVE)  # 800
    assert str(refused.value.message) == str(services.AMOUNT_ABOVE_VOTES % {"cap": "600.00"})
    decision = decide(item, APPROVE | {"approved_amount": Decimal(600)})
    assert decision.approved_amount == Decimal(600)


def test_only_an_approving_vote_names_an_amount(item, members):
    with pytest.raises(services.CommitteeError) as refused:
        vote(item, members[0], "reject", amount=Decimal(100))
    assert refused.value.message == services.VOTE_AMOUNT_ONLY_APPROVE


def test_defer_moves_the_item_to_the_next_meeting_and_keeps_the_clock(
    item, members, researcher_user
):
    support_request = item.support_request
    due = support_request.decision_due_at
    chair = item.meeting.committee.chair
    vote(item, members[0], "approve")
    vote(item, members[1], "reject")

    services.agenda_item_defer(actor=chair, agenda_item=item, note="ننتظر تقرير الزيارة")

    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    assert support_request.decision_due_at == due  # the window keeps running
    event = Event.objects.for_subject(support_request).get(verb="committee_defer")
    assert (event.actor, event.extra["meeting"]) == (chair, item.meeting.number)
    message = Message.objects.get(template="item_deferred", subject_id=support_request.pk)
    assert message.idempotency_key.endswith(f":u{researcher_user.pk}")
    assert support_request.reference in message.context["reference"]
    # Nothing more happens to it at this meeting.
    with pytest.raises(services.CommitteeError) as refused:
        vote(item, members[2], "approve")
    assert refused.value.message == services.ITEM_DEFERRED
    with pytest.raises(services.CommitteeError):
        decide(item, APPROVE)

    # The next meeting the chair plans has it on its agenda, and decides it there.
    services.meeting_close(actor=chair, meeting=item.meeting)
    following = services.meeting_schedule(
        actor=chair, committee=item.meeting.committee, date=date.today() + timedelta(days=7)
    )
    assert [i.support_request for i in following.agenda_items.all()] == [support_request]
    following = services.meeting_open(actor=chair, meeting=following, present=[chair, *members])
    votes_for(following, support_request, "approve")
    decide(following.agenda_items.get(), APPROVE)
    support_request.refresh_from_db()
    assert support_request.state == State.APPROVED


def test_defer_puts_it_on_an_already_planned_meeting(item):
    chair = item.meeting.committee.chair
    planned = services.meeting_schedule(
        actor=chair, committee=item.meeting.committee, date=date.today() + timedelta(days=7)
    )
    services.agenda_item_defer(actor=chair, agenda_item=item)
    assert AgendaItem.objects.filter(meeting=planned, support_request=item.support_request)


def test_only_the_chair_defers(item, members):
    with pytest.raises(services.CommitteeError) as refused:
        services.agenda_item_defer(actor=members[0], agenda_item=item)
    assert refused.value.message == services.NOT_THE_CHAIR
    item.refresh_from_db()
    assert item.deferred_at is None


# --- The chair's form ------------------------------------------------------------------------
def test_the_decision_form_offers_only_the_votes_outcome_and_defer(client_as, item, members):
    vote(item, members[0], "reject")
    vote(item, members[1], "reject")
    client = client_as(item.meeting.committee.chair)
    response = client.get(item.meeting.get_absolute_url())
    row = response.context["rows"][0]
    choices = [value for value, _label in row["decision_form"].fields["outcome"].choices]
    assert choices == ["rejected", "deferred"]
    html = response.content.decode()
    assert 'value="approved"' not in html

    response = client.post(
        reverse("committee:decide", args=[item.pk]), {"outcome": "deferred"}, follow=True
    )
    item.refresh_from_db()
    assert item.deferred_at is not None
    assert response.context["rows"][0]["may_decide"] is False


def test_closing_a_meeting_asks_for_confirmation_that_it_approves_the_minutes(client_as, item):
    client = client_as(item.meeting.committee.chair)
    html = client.get(item.meeting.get_absolute_url()).content.decode()
    assert 'name="confirm"' in html
    response = client.post(reverse("committee:meeting_close", args=[item.meeting.pk]), follow=True)
    assert Meeting.objects.get().status == Meeting.Status.OPEN
    assert len(list(response.context["messages"])) == 1
