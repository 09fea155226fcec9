"""Committees, reports and agenda items for tests, built through the committee's services."""

from datetime import date

from beneficiaries.tests.factories import HouseholdMemberFactory, IncomeSourceFactory
from committee import services
from committee.models import Committee, Meeting
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

REPORT = {
    "visit_type": "home",
    "visit_date": date(2026, 11, 20),
    "household_findings": "أرملة تعول ثلاثة أطفال",
    "income_findings": "الضمان الاجتماعي فقط",
    "housing_findings": "شقة مستأجرة",
    "health_findings": "",
    "needs": "سلة غذائية شهرية",
    "recommendation": "approve",
    "recommended_amount": 800,
    "recommended_support_type": "food_basket",
}


def request_in_research(*, researcher, intake, **fields) -> SupportRequest:
    """A request in research, entered by `intake`, her household with an income on file."""
    support_request = request_in_state(
        SupportRequest.State.IN_RESEARCH, researcher=researcher, created_by=intake, **fields
    )
    beneficiary = support_request.beneficiary
    IncomeSourceFactory(beneficiary=beneficiary, amount=1200)
    HouseholdMemberFactory.create_batch(3, beneficiary=beneficiary)
    return support_request


def request_before_committee(*, researcher, intake, **fields) -> SupportRequest:
    """A request with a completed research report, sent to the committee by the services."""
    support_request = request_in_research(researcher=researcher, intake=intake, **fields)
    services.research_report_save(
        actor=researcher, support_request=support_request, data=REPORT, complete=True
    )
    return services.research_send_to_committee(actor=researcher, support_request=support_request)


def committee_with(*, chair, members, **fields) -> Committee:
    committee = services.committee_create(
        actor=None, name="لجنة البحث الاجتماعي", chair=chair, members=members
    )
    if fields:
        Committee.objects.filter(pk=committee.pk).update(**fields)
        committee.refresh_from_db()
    return committee


def open_meeting(*, committee, requests, present=None) -> Meeting:
    """A meeting with these requests on its agenda, opened with `present` (default: all)."""
    meeting = services.meeting_schedule(
        actor=committee.chair, committee=committee, date=date(2026, 11, 25)
    )
    services.meeting_add_to_agenda(
        actor=committee.chair, meeting=meeting, support_requests=requests
    )
    present = list(committee.members.all()) if present is None else present
    return services.meeting_open(actor=committee.chair, meeting=meeting, present=present)


def votes_for(meeting: Meeting, support_request: SupportRequest, choice: str, **fields) -> None:
    """Every member present votes `choice` on the request, as members would before the chair
    records the decision (the report's author and the request's creator cannot vote)."""
    item = meeting.agenda_items.get(support_request=support_request)
    for member in meeting.present.order_by("pk"):
        try:
            services.vote_cast(actor=member, agenda_item=item, choice=choice, **fields)
        except services.CommitteeError as refused:
            if refused.message != services.AUTHOR_CANNOT_VOTE:
                raise
