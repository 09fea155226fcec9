"""The managers' results page, and staff recording a survey she answered by phone or paper."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import Event
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.models import Invitation, Response

from .factories import answered, default_survey, in_last_month, satisfied_answers

State = SupportRequest.State
pytestmark = pytest.mark.django_db
RESULTS = reverse("surveys:results")


def test_results_send_anonymous_visitors_to_the_login_page(client):
    response = client.get(RESULTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR])
def test_results_are_for_managers_only(client_as, make_staff, role):
    assert client_as(make_staff(role)).get(RESULTS).status_code == 403


def test_results_show_the_figures_and_comments_but_never_who_served_her(
    client_as, manager_user, make_staff
):
    employee = make_staff(Role.INTAKE, first_name="هند", last_name="القرشي")
    for _ in range(5):
        response = answered(
            satisfied_answers(comment="الاستقبال كان لطيفًا"), submitted_at=in_last_month()
        )
        SupportRequest.objects.filter(pk=response.invitation.support_request_id).update(
            delivered_by=employee, created_by=employee
        )
    page = client_as(manager_user).get(RESULTS).content.decode()
    assert 'data-testid="csat">100.0%' in page
    assert 'data-testid="nps">100' in page
    assert "الاستقبال كان لطيفًا" in page
    assert "هند" not in page
    assert "القرشي" not in page
    assert employee.username not in page


def test_a_breakdown_of_four_answers_says_too_few_answers(client_as, manager_user):
    for _ in range(4):
        answered(satisfied_answers(), request_channel="website")
    page = client_as(manager_user).get(RESULTS).content.decode()
    assert "إجابات أقل من أن تُعرض" in page
    assert 'data-testid="csat">100.0%' not in page


def test_results_take_a_constant_number_of_queries(client_as, manager_user):
    client = client_as(manager_user)
    for _ in range(6):
        answered(satisfied_answers(comment="جيد"), submitted_at=in_last_month())
    with CaptureQueriesContext(connection) as few:
        client.get(RESULTS)
    for _ in range(20):
        answered(
            satisfied_answers(comment="جيد"),
            request_channel="phone",
            request_type="rent",
            submitted_at=in_last_month(),
        )
    with CaptureQueriesContext(connection) as more:
        client.get(RESULTS)
    assert len(few) == len(more) <= 20


# --- Staff record an answer given by phone or on paper ---------------------------------------
def record_data(channel: str = "phone") -> dict:
    data = {"channel": channel}
    for question in default_survey().questions.all():
        data[f"q{question.pk}"] = {"rating": "3", "yes_no": "0", "recommend": "5", "text": ""}[
            question.kind
        ]
    return data


def test_staff_record_a_survey_she_answered_by_phone(client_as, intake_user):
    support_request = request_in_state(State.DELIVERED)
    url = reverse("surveys:record", args=[support_request.pk])
    response = client_as(intake_user).post(url, record_data("phone"))
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.channel == Response.Channel.PHONE
    assert stored.recorded_by == intake_user
    assert stored.answers.count() == 7  # the empty comment is not stored
    invitation = Invitation.objects.get(support_request=support_request)
    assert invitation.used_at is not None
    event = Event.objects.for_subject(invitation).get(verb="survey_record")
    assert event.actor == intake_user
    assert event.extra == {"channel": "phone"}


def test_a_second_recording_of_the_same_survey_is_refused(client_as, intake_user):
    support_request = request_in_state(State.REJECTED)
    url = reverse("surveys:record", args=[support_request.pk])
    client = client_as(intake_user)
    client.post(url, record_data("paper"))
    client.post(url, record_data("phone"))
    assert Response.objects.count() == 1
    assert Response.objects.get().outcome == "rejected"


def test_recording_sends_anonymous_visitors_to_login_and_refuses_committee_members(
    client, client_as, member_user
):
    support_request = request_in_state(State.DELIVERED)
    url = reverse("surveys:record", args=[support_request.pk])
    assert client.get(url).status_code == 302
    assert client_as(member_user).get(url).status_code == 403


def test_a_request_not_yet_delivered_or_rejected_has_no_survey_to_record(client_as, intake_user):
    support_request = request_in_state(State.IN_COMMITTEE)
    url = reverse("surveys:record", args=[support_request.pk])
    assert client_as(intake_user).get(url).status_code == 404
    assert client_as(intake_user).post(url, record_data()).status_code == 404
    assert not Response.objects.exists()
