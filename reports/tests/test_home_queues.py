"""Issue 16, item 1: at `/` each role sees the work in front of her, counts first, oldest or most
urgent first, every item a link — in a number of queries that does not grow with the data."""

import re
from datetime import time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Referral
from beneficiaries.tests.factories import BeneficiaryFactory
from committee import services as committee_services
from committee.tests.factories import committee_with, open_meeting, request_before_committee
from feedback.models import Ticket
from feedback.tests.factories import ticket
from notifications.models import Message
from portal.models import CorrectionRequest
from reports.queues import queues_for
from requests_app.models import HomeVisit, SupportRequest
from requests_app.tests.factories import request_in_state
from wahaj.lib.choices import Channel

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def lines_of(user) -> dict:
    """{line key: line} over every queue she sees."""
    return {line.key: line for queue in queues_for(user) for line in queue.lines}


def titles(line) -> list[str]:
    return [row.title for row in line.rows]


def named(name: str, state: str, **fields) -> SupportRequest:
    return request_in_state(state, beneficiary=BeneficiaryFactory(full_name=name), **fields)


# --- What each role sees -------------------------------------------------------------------------
def test_intake_sees_her_buttons_and_the_requests_waiting_for_her_oldest_first(intake_user):
    # Oldest first: submitted first, so due first (request_in_state: submitted 14 days before).
    now = timezone.now()
    online = {"created_by": None, "channel": Channel.WEBSITE}
    named("أمل", State.SUBMITTED, due_in_days=14, **online)
    named("بشرى", State.SUBMITTED, due_in_days=12, **online)
    named("جميلة", State.SUBMITTED)  # entered by staff: verified at the desk already
    named("دانة", State.RETURNED, due_in_days=9)
    named("هيفاء", State.RETURNED, due_in_days=5)
    named("وفاء", State.SUBMITTED, paused_total=timedelta(days=2))
    named("زينب", State.APPROVED, due_in_days=2, decided_at=now)
    named("حنان", State.APPROVED, due_in_days=-3, decided_at=now - timedelta(days=3))
    named("طيبة", State.IN_RESEARCH)
    CorrectionRequest.objects.create(
        beneficiary=BeneficiaryFactory(full_name="ياسمين"), details="x", due_at=now
    )

    lines = lines_of(intake_user)

    assert list(lines)[:2] == ["new_beneficiary", "new_request"]
    assert lines["new_beneficiary"].url == reverse("beneficiaries:create")
    assert lines["new_beneficiary"].count is None  # a button, not a count
    assert titles(lines["online_to_verify"]) == ["بشرى", "أمل"]
    assert lines["online_to_verify"].rows[0].url.endswith("#verification")
    assert titles(lines["returned"]) == ["هيفاء", "دانة"]
    assert titles(lines["resubmitted"]) == ["وفاء"]
    assert titles(lines["to_deliver"]) == ["حنان", "زينب"]
    assert lines["to_deliver"].count == 2
    assert titles(lines["corrections_due"]) == ["ياسمين"]
    assert "referrals" not in lines
    assert "overdue_requests" not in lines


def test_a_verified_online_request_no_longer_waits_for_intake(intake_user):
    online = named("أمل", State.SUBMITTED, created_by=None, channel=Channel.WEBSITE)
    from requests_app.services import support_request_verify

    support_request_verify(
        actor=intake_user,
        support_request=online,
        items=[
            "identity",
            "household",
            "income",
            "housing",
            "iban",
            "contact",
            "documents_valid",
        ],
    )
    assert lines_of(intake_user)["online_to_verify"].count == 0


def test_the_researcher_sees_referrals_unstarted_requests_hers_by_days_left_and_her_visits(
    researcher_user, make_staff, intake_user
):
    colleague = make_staff("researcher", username="colleague")
    beneficiary = BeneficiaryFactory(full_name="هند")
    Referral.objects.create(
        beneficiary=beneficiary, reason="?", referred_by=intake_user, assigned_to=researcher_user
    )
    Referral.objects.create(
        beneficiary=BeneficiaryFactory(full_name="ليست لها"), reason="?", assigned_to=colleague
    )
    named("غير مسندة", State.SUBMITTED, due_in_days=9)
    named("لها", State.SUBMITTED, due_in_days=3, researcher=researcher_user)
    named("لزميلتها", State.SUBMITTED, researcher=colleague)
    named("بعد أسبوع", State.IN_RESEARCH, due_in_days=7, researcher=researcher_user)
    named("متأخر", State.IN_RESEARCH, due_in_days=-1, researcher=researcher_user)
    named("عند زميلتها", State.IN_RESEARCH, researcher=colleague)
    today = timezone.localdate()
    visited = named("زيارة", State.IN_RESEARCH, researcher=researcher_user)
    HomeVisit.objects.create(
        support_request=visited,
        researcher=researcher_user,
        date=today,
        window_start=time(10),
        window_end=time(12),
        address="النسيم، الرياض",
    )

    lines = lines_of(researcher_user)

    assert titles(lines["referrals"]) == ["هند"]
    assert lines["referrals"].rows[0].url.endswith("#referrals")
    assert titles(lines["not_started"]) == ["لها", "غير مسندة"]
    assert titles(lines["in_research"])[:2] == ["متأخر", "بعد أسبوع"]
    assert "عند زميلتها" not in titles(lines["in_research"])
    assert titles(lines["home_visits"]) == ["زيارة"]
    assert lines["home_visits"].rows[0].reference == "10:00–12:00"
    # Her own queue, not intake's (a researcher includes intake's permissions, not its queue).
    assert "online_to_verify" not in lines


def test_a_member_sees_the_meeting_waiting_for_her_vote_until_she_votes(
    researcher_user, intake_user, member_user, chair_user
):
    committee = committee_with(chair=chair_user, members=[chair_user, member_user])
    support_request = request_before_committee(researcher=researcher_user, intake=intake_user)
    meeting = open_meeting(committee=committee, requests=[support_request])

    line = lines_of(member_user)["to_vote"]
    assert line.count == 1
    assert line.rows[0].url == reverse("committee:meeting", args=[meeting.pk])

    committee_services.vote_cast(
        actor=member_user, agenda_item=meeting.agenda_items.get(), choice="approve"
    )
    assert lines_of(member_user)["to_vote"].count == 0


def test_the_chair_sees_what_to_put_on_an_agenda_open_meetings_and_overdue_items(
    researcher_user, intake_user, member_user, chair_user
):
    committee = committee_with(chair=chair_user, members=[chair_user, member_user])
    on_agenda = request_before_committee(researcher=researcher_user, intake=intake_user)
    meeting = open_meeting(committee=committee, requests=[on_agenda])
    ready = request_before_committee(researcher=researcher_user, intake=intake_user)
    SupportRequest.objects.filter(pk=ready.pk).update(
        decision_due_at=timezone.now() - timedelta(days=1)
    )

    lines = lines_of(chair_user)

    assert lines["ready_for_agenda"].count == 1
    assert lines["ready_for_agenda"].rows[0].reference == ready.reference
    # She adds them on her next meeting's page (its agenda form).
    assert lines["ready_for_agenda"].url == meeting.get_absolute_url()
    assert lines["open_meetings"].count == 1
    assert lines["meetings_to_close"].count == 0  # its item is not decided yet
    assert lines["overdue_items"].count == 1
    assert "to_vote" in lines  # the chair votes too


def test_an_open_meeting_whose_items_are_all_decided_is_to_be_closed(
    researcher_user, intake_user, member_user, chair_user
):
    committee = committee_with(chair=chair_user, members=[chair_user, member_user])
    support_request = request_before_committee(researcher=researcher_user, intake=intake_user)
    meeting = open_meeting(committee=committee, requests=[support_request])
    item = meeting.agenda_items.get()
    committee_services.vote_cast(actor=member_user, agenda_item=item, choice="approve")
    committee_services.vote_cast(actor=chair_user, agenda_item=item, choice="approve")
    committee_services.decision_record(
        actor=chair_user,
        agenda_item=item,
        outcome="approved",
        approved_amount=800,
        support_type="food_basket",
    )
    assert lines_of(chair_user)["meetings_to_close"].count == 1


def test_the_manager_sees_overdue_requests_failed_messages_and_late_corrections(manager_user):
    now = timezone.now()
    named("متأخرة", State.IN_RESEARCH, due_in_days=-2)
    named("في وقتها", State.IN_RESEARCH, due_in_days=5)
    Message.objects.create(
        channel="sms",
        to="+966500000001",
        template="request_received",
        idempotency_key="k1",
        status=Message.Status.FAILED,
    )
    CorrectionRequest.objects.create(
        beneficiary=BeneficiaryFactory(), details="x", due_at=now - timedelta(days=1)
    )
    CorrectionRequest.objects.create(
        beneficiary=BeneficiaryFactory(), details="y", due_at=now + timedelta(days=9)
    )

    lines = lines_of(manager_user)

    assert titles(lines["overdue_requests"]) == ["متأخرة"]
    assert lines["failed_messages"].count == 1
    assert lines["corrections_overdue"].count == 1
    assert "new_beneficiary" not in lines  # the manager's queue, then the dashboard


def test_every_line_of_the_home_page_is_a_link_with_its_count_first(client_as, intake_user):
    named("دانة", State.RETURNED)
    html = client_as(intake_user).get("/").content.decode()
    line = re.search(r'data-queue-line="returned".*?</li>\s*</ol>', html, re.S).group(0)
    assert line.index('data-testid="queue-count"') < line.index("دانة")
    assert 'data-testid="queue-link"' in line
    assert 'data-testid="queue-row"' in line


# --- A constant number of queries ----------------------------------------------------------------
def _add_work(size: int, *, researcher, member, chair, intake, manager) -> None:
    """`size` of everything every queue lists."""
    now = timezone.now()
    for i in range(size):
        for assignee, due_at in [
            (intake, now + timedelta(days=2)),
            (researcher, now + timedelta(days=2)),
            (manager, now + timedelta(days=2)),
            (None, now + timedelta(days=2)),
            (None, now - timedelta(days=1)),
        ]:
            made = ticket(beneficiary=BeneficiaryFactory())
            state = Ticket.State.ASSIGNED if assignee else Ticket.State.NEW
            Ticket.objects.filter(pk=made.pk).update(assignee=assignee, state=state, due_at=due_at)
        for state, fields in [
            (State.SUBMITTED, {"created_by": None, "channel": Channel.WEBSITE}),
            (State.RETURNED, {}),
            (State.SUBMITTED, {"paused_total": timedelta(days=1)}),
            (State.APPROVED, {"decided_at": now}),
            (State.SUBMITTED, {"researcher": researcher}),
            (State.IN_RESEARCH, {"researcher": researcher, "due_in_days": i - 3}),
        ]:
            request_in_state(state, **fields)
        Referral.objects.create(
            beneficiary=BeneficiaryFactory(), reason="?", assigned_to=researcher
        )
        CorrectionRequest.objects.create(
            beneficiary=BeneficiaryFactory(), details="x", due_at=now - timedelta(days=1)
        )
        Message.objects.create(
            channel="sms",
            to="+966500000001",
            template="request_received",
            idempotency_key=f"failed-{size}-{i}",
            status=Message.Status.FAILED,
        )
        HomeVisit.objects.create(
            support_request=request_in_state(State.IN_RESEARCH, researcher=researcher),
            researcher=researcher,
            date=timezone.localdate() + timedelta(days=i % 2),
            window_start=time(9),
            window_end=time(11),
            address="الرياض",
        )
    committee = chair.chaired_committees.first()
    requests = [request_before_committee(researcher=researcher, intake=intake) for _ in range(size)]
    open_meeting(committee=committee, requests=requests[: size // 2 + 1])


# The page's own queries (session, user, groups, messages…) plus each role's queue. Pinned
# exactly: a new line is a deliberate change of these numbers, a query per row fails here.
# Tickets (issue 20): one aggregate and each line's rows — intake and researcher +2, manager +4
# (a line with no ticket reads no rows).
HOME_QUERIES = {"intake": 14, "researcher": 13, "committee": 4, "chair": 8, "manager": 14}


@pytest.mark.parametrize("role", list(HOME_QUERIES))
def test_each_home_page_costs_the_same_queries_with_few_rows_and_many(
    role, client_as, personas, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 600  # the manager's figures: computed once, then cached
    committee_with(chair=personas["chair"], members=[personas["chair"], personas["committee"]])
    user = personas[role]
    client = client_as(user)
    client.get("/")
    counts = []
    for size in (1, 12):
        _add_work(
            size,
            researcher=personas["researcher"],
            member=personas["committee"],
            chair=personas["chair"],
            intake=personas["intake"],
            manager=personas["manager"],
        )
        client.get("/")  # the manager's cached figures are computed again with new data
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        counts.append(len(captured))
    assert counts == [HOME_QUERIES[role]] * 2, [q["sql"][:120] for q in captured]


def test_each_count_is_the_length_of_the_list_it_links_to(client_as, researcher_user, make_staff):
    colleague = make_staff("researcher", username="colleague")
    online = {"created_by": None, "channel": Channel.WEBSITE}
    named("تنتظر التحقق", State.SUBMITTED, **online)
    named("عادت بعد الاستكمال", State.SUBMITTED, paused_total=timedelta(days=1))
    named("لزميلتها", State.SUBMITTED, researcher=colleague, paused_total=timedelta(days=1))
    line = lines_of(researcher_user)["not_started"]
    page = client_as(researcher_user).get(line.url).content.decode()
    assert page.count("data-reference=") == line.count == 2
    assert "لزميلتها" not in page
    intake = make_staff("intake", username="intake_list")
    client = client_as(intake)
    for key, expected in (("online_to_verify", 1), ("resubmitted", 2)):
        line = lines_of(intake)[key]
        page = client.get(line.url).content.decode()
        assert page.count("data-reference=") == line.count == expected


@pytest.mark.postgres
def test_the_request_lines_are_counted_from_indexes_alone(researcher_user, intake_user):
    """Issue 23: each line's count is a subquery of its own, which reads an index only — the
    resubmitted from `request_resubmitted`, a researcher's lines from `request_open_state`
    (state, researcher) — instead of every returned, approved or submitted row."""
    named("Back", SupportRequest.State.SUBMITTED, paused_total=timedelta(days=2))
    named("Hers", SupportRequest.State.IN_RESEARCH, researcher=researcher_user)
    for user, indexes in (
        (intake_user, ["request_resubmitted"]),
        (researcher_user, ["request_open_state", "request_open_state"]),
    ):
        with CaptureQueriesContext(connection) as queries:
            lines_of(user)
        (count_sql,) = [
            q["sql"] for q in queries.captured_queries if "(SELECT COUNT(*)" in q["sql"]
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {count_sql}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        only = re.findall(r"Index Only Scan using (\w+) on requests_app_supportrequest", plan)
        for index in indexes:
            assert only.count(index) >= indexes.count(index), plan
