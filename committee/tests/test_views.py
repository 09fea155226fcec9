"""The committee's pages as each persona sees them: anonymous, wrong role, outsider, member."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from beneficiaries.tests.factories import DocumentFactory
from committee import services
from committee.models import Meeting, ResearchReport, ScoringRule, Vote
from committee.tests.factories import (
    REPORT,
    committee_with,
    open_meeting,
    request_in_research,
    votes_for,
)
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(committee, before_committee):
    """An open meeting of `committee` with one request on its agenda."""
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    return meeting, support_request


@pytest.fixture
def outsider(make_staff, chair_user):
    """A committee member of another committee."""
    member = make_staff(Role.COMMITTEE, username="outsider")
    committee_with(chair=chair_user, members=[member])
    return member


# --- Anonymous and wrong roles ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["committee:queue", "committee:scoring"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_anonymous_visitors_cannot_open_a_meeting_or_its_minutes(client, agenda):
    meeting, _ = agenda
    for url in (meeting.get_absolute_url(), reverse("committee:minutes", args=[meeting.pk])):
        response = client.get(url)
        assert response.status_code == 302


def test_intake_staff_may_not_open_the_committee_pages(client_as, intake_user, agenda):
    meeting, _ = agenda
    client = client_as(intake_user)
    assert client.get(reverse("committee:queue")).status_code == 403
    assert client.get(meeting.get_absolute_url()).status_code == 403


def test_only_managers_change_the_scoring_rule(client_as, chair_user, manager_user):
    assert client_as(chair_user).get(reverse("committee:scoring")).status_code == 403
    client = client_as(manager_user)
    response = client.post(
        reverse("committee:scoring"),
        {
            **{name: getattr(ScoringRule(), name) for name in ScoringRule.POINT_FIELDS},
            "debt_points": 9,
        },
    )
    assert response.status_code == 302
    assert services.scoring_rule_current().debt_points == 9


def test_a_committee_member_may_not_write_a_research_report(client_as, member_user, agenda):
    _, support_request = agenda
    url = reverse("committee:report", args=[support_request.pk])
    assert client_as(member_user).get(url).status_code == 403


# --- Outsiders get 404 ---------------------------------------------------------------------
def test_a_member_outside_the_committee_gets_404_on_the_meeting_the_request_and_its_documents(
    client_as, outsider, agenda
):
    meeting, support_request = agenda
    document = DocumentFactory(beneficiary=support_request.beneficiary)
    client = client_as(outsider)
    urls = [
        meeting.get_absolute_url(),
        reverse("committee:minutes", args=[meeting.pk]),
        reverse("committee:minutes_pdf", args=[meeting.pk]),
        reverse("requests_app:detail", args=[support_request.pk]),
        reverse("beneficiaries:detail", args=[support_request.beneficiary_id]),
        reverse(
            "beneficiaries:document_download", args=[support_request.beneficiary_id, document.pk]
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    item = meeting.agenda_items.get()
    assert (
        client.post(reverse("committee:vote", args=[item.pk]), {"choice": "approve"}).status_code
        == 404
    )
    assert not Vote.objects.exists()


def test_a_member_of_the_committee_sees_the_meeting_the_request_and_its_documents(
    client_as, members, agenda
):
    meeting, support_request = agenda
    document = DocumentFactory(beneficiary=support_request.beneficiary)
    client = client_as(members[0])
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(reverse("requests_app:detail", args=[support_request.pk])).status_code == 200
    assert (
        client.get(
            reverse("beneficiaries:detail", args=[support_request.beneficiary_id])
        ).status_code
        == 200
    )
    url = reverse(
        "beneficiaries:document_download", args=[support_request.beneficiary_id, document.pk]
    )
    assert client.get(url).status_code == 200


def test_a_member_sees_in_the_queue_only_the_requests_on_her_committees_agenda(
    client_as, members, agenda, before_committee
):
    _, on_agenda = agenda
    elsewhere = before_committee()
    response = client_as(members[0]).get(reverse("committee:queue"))
    assert list(response.context["queue"]) == [on_agenda]
    assert elsewhere.reference not in response.content.decode()


# --- The queue -------------------------------------------------------------------------------
def test_the_queue_puts_overdue_requests_first_with_score_and_recommendation(
    client_as, chair_user, before_committee
):
    later = before_committee(due_in_days=10)
    overdue = before_committee(due_in_days=-2)
    response = client_as(chair_user).get(reverse("committee:queue"))
    rows = list(response.context["queue"])
    assert rows == [overdue, later]
    assert rows[0].is_overdue
    assert rows[1].days_left == 10
    html = response.content.decode()
    assert "75" in html
    assert "متأخر" in html or "Overdue" in html


def _queue_of(size, researcher):
    rule = services.scoring_rule_current()
    requests = [
        request_in_state(SupportRequest.State.IN_COMMITTEE, researcher=researcher)
        for _ in range(size)
    ]
    ResearchReport.objects.bulk_create(
        ResearchReport(
            support_request=sr,
            author=researcher,
            visit_type="home",
            visit_date=REPORT["visit_date"],
            recommendation="approve",
            recommended_amount=500,
            score=50,
            scoring_rule=rule,
        )
        for sr in requests
    )


def test_the_queue_issues_the_same_number_of_queries_with_5_and_60_requests(
    client_as, chair_user, researcher_user, django_assert_max_num_queries
):
    client = client_as(chair_user)
    url = reverse("committee:queue")
    client.get(url)  # the session and the user are loaded once before measuring
    counts = {}
    for size, more in ((5, 5), (60, 55)):
        _queue_of(more, researcher_user)
        with django_assert_max_num_queries(12) as queries:
            response = client.get(url)
        assert response.context["page"].paginator.count == size
        assert len(response.context["queue"]) == min(size, 50)
        counts[size] = len(queries.captured_queries)
    assert counts[5] == counts[60]


# --- Pages of one meeting --------------------------------------------------------------------
def test_a_member_votes_from_the_meeting_page(client_as, members, agenda):
    meeting, _ = agenda
    item = meeting.agenda_items.get()
    client = client_as(members[0])
    response = client.post(
        reverse("committee:vote", args=[item.pk]), {"choice": "reject", "comment": "دخل كاف"}
    )
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert (vote.member, vote.choice) == (members[0], "reject")


def test_a_refused_decision_is_shown_as_a_message(client_as, committee, members, before_committee):
    support_request = before_committee()
    meeting = open_meeting(
        committee=committee, requests=[support_request], present=[committee.chair]
    )
    item = meeting.agenda_items.get()
    response = client_as(committee.chair).post(
        reverse("committee:decide", args=[item.pk]),
        {"outcome": "approved", "approved_amount": "800", "support_type": "food_basket"},
        follow=True,
    )
    refusal = services.NO_QUORUM % {"present": 1, "recused": 0, "counted": 1, "needed": 3}
    assert str(refusal) in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.IN_COMMITTEE


def test_the_chair_plans_opens_and_closes_a_meeting_through_the_pages(
    client_as, committee, members, before_committee
):
    support_request = before_committee()
    client = client_as(committee.chair)
    response = client.post(
        reverse("committee:meeting_schedule"), {"committee": committee.pk, "date": "2026-11-29"}
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    client.post(
        reverse("committee:meeting_agenda_add", args=[meeting.pk]),
        {"support_requests": [support_request.pk]},
    )
    client.post(
        reverse("committee:meeting_open", args=[meeting.pk]),
        {"present": [m.pk for m in committee.members.all()]},
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN
    assert meeting.agenda_items.get().support_request == support_request
    # Closing approves the minutes: without the confirmation the meeting stays open.
    client.post(reverse("committee:meeting_close", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.OPEN
    client.post(reverse("committee:meeting_close", args=[meeting.pk]), {"confirm": "on"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CLOSED


def test_the_researcher_writes_the_report_and_sends_the_request_from_its_page(
    client_as, researcher_user, intake_user
):
    support_request = request_in_research(researcher=researcher_user, intake=intake_user)
    client = client_as(researcher_user)
    url = reverse("committee:report", args=[support_request.pk])
    assert client.get(url).status_code == 200
    data = REPORT | {"visit_date": "2026-11-20", "complete": "1"}
    assert client.post(url, data).status_code == 302
    assert ResearchReport.objects.get().is_completed
    client.post(reverse("committee:send_to_committee", args=[support_request.pk]))
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.IN_COMMITTEE


def test_staff_file_her_appeal_and_a_member_may_not(
    client_as, intake_user, members, committee, before_committee
):
    support_request = before_committee()
    meeting = open_meeting(committee=committee, requests=[support_request])
    votes_for(meeting, support_request, "reject")
    services.decision_record(
        actor=committee.chair,
        agenda_item=meeting.agenda_items.get(),
        outcome="rejected",
        rejection_code="other",
        rejection_reason="—",
    )
    url = reverse("committee:appeal", args=[support_request.pk])
    assert client_as(members[0]).post(url, {"reason": "x"}).status_code == 403
    response = client_as(intake_user).post(url, {"reason": "تغيّر دخلها"})
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.IN_COMMITTEE
    assert support_request.appeal.reason == "تغيّر دخلها"
