"""Issue 21 at the committee: the fund check on a request's approval, repeat support, and a
program's cycle as one agenda item (votes, decision, minutes)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import RegistrationStatus
from beneficiaries.tests.factories import BeneficiaryFactory
from committee import services
from committee.models import CycleDecision
from committee.selectors import minutes_data
from committee.tests.factories import open_meeting, votes_for
from programs import services as program_services
from programs.models import Cycle, CycleEntry, FundMovement, RequestFunding
from programs.selectors import repeat_support_for_request
from programs.tests.factories import basket_program, fund_with
from requests_app.models import SupportRequest
from requests_app.services import support_request_deliver
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def _approve(meeting, support_request, amount=Decimal(800)):
    votes_for(meeting, support_request, "approve")
    item = meeting.agenda_items.get(support_request=support_request)
    return services.decision_record(
        actor=meeting.committee.chair,
        agenda_item=item,
        outcome="approved",
        approved_amount=amount,
        support_type="food_basket",
    )


def test_an_approval_the_fund_cannot_cover_is_refused_with_the_balance(
    committee, before_committee, manager_user
):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="500")
    basket_program(actor=manager_user, fund=fund)
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])

    with pytest.raises(services.CommitteeError) as refused:
        _approve(meeting, support_request)

    assert "500.00" in refused.value.message
    assert "800.00" in refused.value.message
    support_request.refresh_from_db()
    fund.refresh_from_db()
    assert support_request.state == SupportRequest.State.IN_COMMITTEE
    assert not meeting.agenda_items.get().__class__.objects.filter(decision__isnull=False).exists()
    assert (fund.balance, fund.committed) == (Decimal("500.00"), Decimal("0.00"))


def test_an_approval_commits_the_fund_and_delivery_spends_it(
    committee, before_committee, manager_user
):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="5000")
    basket_program(actor=manager_user, fund=fund)
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    _approve(meeting, support_request)
    fund.refresh_from_db()
    assert (fund.committed, fund.left) == (Decimal("800.00"), Decimal("4200.00"))
    assert RequestFunding.objects.get(support_request=support_request).fund == fund

    support_request_deliver(
        actor=manager_user,
        support_request=support_request,
        delivery_note="سلة غذائية",
        delivered_amount=Decimal(800),
    )
    fund.refresh_from_db()
    assert (fund.balance, fund.committed, fund.spent) == (
        Decimal("4200.00"),
        Decimal("0.00"),
        Decimal("800.00"),
    )
    assert list(
        FundMovement.objects.filter(support_request=support_request)
        .order_by("pk")
        .values_list("kind", flat=True)
    ) == ["commit", "spend"]
    assert Event.objects.filter(verb="fund_spend", object_id=fund.pk).exists()


def test_a_request_type_without_a_program_is_approved_as_before(committee, before_committee):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    _approve(meeting, support_request)
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.APPROVED
    assert not RequestFunding.objects.exists()


def test_a_second_basket_within_the_period_is_flagged_and_refused_once_per_period(
    committee, before_committee, manager_user
):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="5000")
    program = basket_program(actor=manager_user, fund=fund)  # 11 months, once per period
    support_request = before_committee()
    earlier = request_in_state(
        SupportRequest.State.DELIVERED,
        beneficiary=support_request.beneficiary,
        delivered_at=timezone.now() - timedelta(days=40),
        delivered_amount=Decimal(700),
    )

    flagged = repeat_support_for_request(support_request)
    assert [row["what"] for row in flagged] == [
        f"{earlier.get_request_type_display()} {earlier.reference}"
    ]
    assert flagged[0]["amount"] == Decimal(700)

    meeting = open_meeting(committee=committee, requests=[support_request])
    with pytest.raises(services.CommitteeError) as refused:
        _approve(meeting, support_request)
    assert earlier.reference in refused.value.message
    assert str(program.repeat_period_months) in refused.value.message

    # Under a "flag" rule the committee sees it and may still approve.
    program_services.program_update(actor=manager_user, program=program, repeat_rule="flag")
    _approve(meeting, support_request)
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.APPROVED


def _cycle_in_committee(manager_user, fund, program, women=2):
    for _ in range(women):
        BeneficiaryFactory(registration_status=RegistrationStatus.ACTIVE)
    cycle = program_services.cycle_create(
        actor=manager_user, program=program, name="رمضان 1448", fund=fund
    )
    program_services.cycle_generate(actor=manager_user, cycle=cycle)
    return program_services.cycle_send_to_committee(actor=manager_user, cycle=cycle)


def _cycle_votes(meeting, item, choice):
    for member in meeting.present.order_by("pk"):
        services.cycle_vote_cast(actor=member, item=item, choice=choice)


def test_a_cycle_goes_to_the_committee_as_one_item_voted_and_approved(committee, manager_user):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="5000")
    program = basket_program(actor=manager_user, fund=fund)
    cycle = _cycle_in_committee(manager_user, fund, program)
    meeting = open_meeting(committee=committee, requests=[])
    item = services.meeting_add_cycle(actor=committee.chair, meeting=meeting, cycle=cycle)
    _cycle_votes(meeting, item, "approve")

    decision = services.cycle_decision_record(actor=committee.chair, item=item, outcome="approved")

    cycle.refresh_from_db()
    fund.refresh_from_db()
    assert cycle.status == Cycle.Status.APPROVED
    assert decision.tally["approve"] == 4
    assert decision.snapshot["total"] == "1000.00"
    assert cycle.entries.filter(status=CycleEntry.Status.APPROVED).count() == 2
    assert fund.committed == Decimal("1000.00")
    assert Event.objects.filter(verb="cycle_decide", object_id=cycle.pk).exists()
    minutes = minutes_data(meeting)
    assert minutes["cycles"][0]["outcome"] == "approved"
    assert minutes["cycles"][0]["tally"]["approve"] == 4


def test_a_cycle_approval_beyond_the_fund_is_refused_and_leaves_no_decision(
    committee, manager_user
):
    fund = fund_with(actor=manager_user, name="صندوق صغير", balance="600")
    program = basket_program(actor=manager_user, fund=fund)
    cycle = _cycle_in_committee(manager_user, fund, program)
    meeting = open_meeting(committee=committee, requests=[])
    item = services.meeting_add_cycle(actor=committee.chair, meeting=meeting, cycle=cycle)
    _cycle_votes(meeting, item, "approve")

    with pytest.raises(services.CommitteeError) as refused:
        services.cycle_decision_record(actor=committee.chair, item=item, outcome="approved")

    assert "600.00" in refused.value.message
    assert not CycleDecision.objects.exists()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.IN_COMMITTEE


def test_a_cycle_decision_needs_the_votes(committee, manager_user):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="5000")
    program = basket_program(actor=manager_user, fund=fund)
    cycle = _cycle_in_committee(manager_user, fund, program)
    meeting = open_meeting(committee=committee, requests=[])
    item = services.meeting_add_cycle(actor=committee.chair, meeting=meeting, cycle=cycle)
    _cycle_votes(meeting, item, "reject")
    with pytest.raises(services.CommitteeError):
        services.cycle_decision_record(actor=committee.chair, item=item, outcome="approved")
    services.cycle_decision_record(actor=committee.chair, item=item, outcome="rejected")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.REJECTED


def test_the_meeting_page_flags_support_she_received_within_the_period(
    committee, before_committee, manager_user, client_as
):
    fund = fund_with(actor=manager_user, name="التبرعات العامة", balance="5000")
    basket_program(actor=manager_user, fund=fund, repeat_rule="flag")
    support_request = before_committee()
    earlier = request_in_state(
        SupportRequest.State.DELIVERED,
        beneficiary=support_request.beneficiary,
        delivered_at=timezone.now() - timedelta(days=40),
        delivered_amount=Decimal(700),
    )
    meeting = open_meeting(committee=committee, requests=[support_request])

    page = client_as(committee.chair).get(meeting.get_absolute_url()).content.decode()

    assert 'data-testid="received-within-period"' in page
    assert earlier.reference in page
