"""seed_demo's committee part: one committee with the demo members, reports, meetings; twice
is once."""

import io

import pytest
from django.core.management import call_command

from committee.models import Committee, Decision, Meeting, ResearchReport
from committee.services import item_result_of
from requests_app.models import SupportRequest

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_the_committee_its_members_reports_and_meetings_once(settings):
    settings.WAHAJ_DEMO_PASSWORD = "demo-password-for-tests-2026"
    call_command("seed_demo", beneficiaries=40, stdout=io.StringIO())
    committee = Committee.objects.get()
    assert committee.chair.username == "chair"
    assert set(committee.members.values_list("username", flat=True)) == {
        "chair",
        "member1",
        "member2",
        "member3",
    }
    in_committee = SupportRequest.objects.filter(state="in_committee").count()
    assert ResearchReport.objects.count() == in_committee
    assert Meeting.objects.filter(status="closed").exists()
    assert Decision.objects.exists()
    counts = (ResearchReport.objects.count(), Meeting.objects.count(), Decision.objects.count())
    # The demo's decisions are what their votes decide (committee.voting).
    for decision in Decision.objects.select_related("agenda_item__meeting__committee"):
        meeting = decision.agenda_item.meeting
        assert decision.outcome == item_result_of(decision.agenda_item, meeting).outcome

    call_command("seed_demo", beneficiaries=40, stdout=io.StringIO())
    assert Committee.objects.count() == 1
    assert (
        ResearchReport.objects.count(),
        Meeting.objects.count(),
        Decision.objects.count(),
    ) == counts
