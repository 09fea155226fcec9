"""The decision window's sweep (issue 6, acceptance 2–4): reminders at 7, 3 and 1 days left,
one escalation when overdue, nothing twice, a constant number of queries."""

import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from notifications.models import Message
from requests_app import services
from requests_app.models import RequestType, SupportRequest
from requests_app.tasks import enforce_decision_window
from requests_app.window import decision_window_enforce
from wahaj.lib.choices import Channel

from .factories import ready_request, request_in_state

State = SupportRequest.State
RIYADH = ZoneInfo("Asia/Riyadh")
DAY0 = datetime(2026, 3, 1, 10, 0, tzinfo=RIYADH)


def at(days: float) -> datetime:
    return DAY0 + timedelta(days=days)


def sweep_at(days: float):
    with time_machine.travel(at(days), tick=False):
        return decision_window_enforce()


def window_messages(template: str) -> list[Message]:
    return list(Message.objects.filter(template=template).order_by("pk"))


def timeline(support_request, verb: str) -> list[Event]:
    return list(Event.objects.for_subject(support_request).filter(verb=verb))


@pytest.fixture
def staff(make_staff):
    return {
        "intake": make_staff(Role.INTAKE),
        "researcher": make_staff(Role.RESEARCHER, mobile="+966500000001"),
        "chair": make_staff(Role.CHAIR, mobile="+966500000002", preferred_language="en"),
        "manager": make_staff(Role.MANAGER, email="director@wahaj.invalid"),
    }


@pytest.mark.django_db
def test_reminders_go_out_at_7_3_and_1_days_left_and_one_escalation_when_overdue(staff):
    support_request = ready_request(witness=staff["intake"])
    with time_machine.travel(at(0), tick=False):
        services.support_request_submit(actor=staff["intake"], support_request=support_request)
        services.support_request_start_research(
            actor=staff["researcher"], support_request=support_request
        )
    support_request.refresh_from_db()
    assert support_request.decision_due_at == at(14)

    assert sweep_at(6.9).messages == 0  # 7.1 days left: nothing yet
    assert sweep_at(7).reminded == 1  # 7 days left
    [seven] = window_messages("window_reminder")
    assert (seven.to, seven.channel) == ("+966500000001", "sms")
    assert seven.context["days_left"] == 7
    assert seven.context["reference"] == support_request.reference
    assert sweep_at(7.01).messages == 0
    assert sweep_at(10.9).messages == 0

    assert sweep_at(11).reminded == 1  # 3 days left, still in research
    assert window_messages("window_reminder")[-1].context["days_left"] == 3

    with time_machine.travel(at(12), tick=False):
        services.support_request_send_to_committee(
            actor=staff["researcher"], support_request=support_request
        )
    assert sweep_at(13).reminded == 1  # 1 day left, before the committee: the chair
    one = window_messages("window_reminder")[-1]
    assert (one.to, one.language, one.context["days_left"]) == ("+966500000002", "en", 1)
    assert one.context["state"] == State.IN_COMMITTEE
    assert sweep_at(13.5).messages == 0

    sweep = sweep_at(14.01)  # passed due, undecided
    assert (sweep.overdue, sweep.messages) == (1, 1)
    [escalation] = window_messages("window_overdue")
    assert (escalation.to, escalation.channel) == ("director@wahaj.invalid", "email")
    support_request.refresh_from_db()
    assert support_request.overdue_flagged_at == at(14.01)

    for later in (14.02, 15, 30):  # running the sweep again sends nothing new
        assert sweep_at(later) == type(sweep)(reminded=0, overdue=0, messages=0)
    assert len(window_messages("window_reminder")) == 3
    assert len(window_messages("window_overdue")) == 1

    reminders = timeline(support_request, "window_reminder")
    assert [e.extra["threshold"] for e in reminders] == [7, 3, 1]
    assert [e.extra["to_role"] for e in reminders] == ["researcher", "researcher", "chair"]
    assert all(e.actor is None and e.actor_kind == "system" for e in reminders)
    [overdue] = timeline(support_request, "window_overdue")
    assert overdue.extra["recipients"] == [staff["manager"].pk]


@pytest.mark.django_db
def test_a_request_that_reaches_research_late_gets_only_the_most_urgent_reminder(staff):
    request_in_state(State.IN_RESEARCH, due_in_days=2, researcher=staff["researcher"])
    assert decision_window_enforce().reminded == 1
    [reminder] = window_messages("window_reminder")
    assert reminder.idempotency_key.split(":")[0].endswith("-d3")
    assert decision_window_enforce().messages == 0


@pytest.mark.django_db
def test_no_reminders_while_returned_submitted_or_decided(staff):
    request_in_state(State.RETURNED, due_in_days=2)
    request_in_state(State.APPROVED, due_in_days=2)
    request_in_state(State.SUBMITTED, due_in_days=2)
    assert decision_window_enforce().messages == 0


@pytest.mark.django_db
def test_a_decided_or_returned_request_past_its_due_date_is_not_flagged(staff):
    request_in_state(State.APPROVED, due_in_days=-1)
    request_in_state(State.RETURNED, due_in_days=-1)
    assert decision_window_enforce().overdue == 0


@pytest.mark.django_db
def test_a_submitted_request_nobody_picked_up_is_escalated_when_overdue(staff):
    support_request = request_in_state(State.SUBMITTED, due_in_days=-0.1)
    assert decision_window_enforce().overdue == 1
    assert len(timeline(support_request, "window_overdue")) == 1


@pytest.mark.django_db
def test_in_research_without_a_researcher_every_researcher_is_reminded(staff, make_staff):
    second = make_staff(Role.RESEARCHER, email="r2@wahaj.invalid")
    request_in_state(State.IN_RESEARCH, due_in_days=6.5)
    decision_window_enforce()
    assert {m.to for m in window_messages("window_reminder")} == {"+966500000001", second.email}


@pytest.mark.django_db
def test_the_management_command_runs_the_same_sweep(staff):
    request_in_state(State.IN_COMMITTEE, due_in_days=-1)
    first, second = io.StringIO(), io.StringIO()
    call_command("enforce_decision_window", stdout=first)
    call_command("enforce_decision_window", stdout=second)
    assert first.getvalue().strip() == "reminded=0 overdue=1 messages=1"
    assert second.getvalue().strip() == "reminded=0 overdue=0 messages=0"


@pytest.mark.django_db
def test_the_beat_task_calls_the_sweep(staff):
    request_in_state(State.IN_COMMITTEE, due_in_days=0.5)
    assert enforce_decision_window() == {"reminded": 1, "overdue": 0, "messages": 1}


# --- A constant number of queries (acceptance 4) ---------------------------------------------
_numbers = iter(range(1, 10**6))


def _due_requests(count: int, staff) -> None:
    """`count` requests in each case the sweep acts on: reminders to a researcher, to the
    chair, and overdue escalations (written in bulk: the sweep is measured, not the set-up)."""
    beneficiary = request_in_state(State.CLOSED).beneficiary
    now = timezone.now()
    cases = [
        (State.IN_RESEARCH, 6.5, staff["researcher"]),
        (State.IN_COMMITTEE, 2.5, None),
        (State.IN_RESEARCH, -1, staff["researcher"]),
    ]
    rows = []
    for _ in range(count):
        for state, due_in_days, researcher in cases:
            due = now + timedelta(days=due_in_days)
            rows.append(
                SupportRequest(
                    beneficiary=beneficiary,
                    request_type=RequestType.FOOD_BASKET,
                    channel=Channel.INTERVIEW,
                    state=state,
                    reference=f"WHJ-1998-{next(_numbers):06d}",
                    submitted_at=due - timedelta(days=14),
                    decision_due_at=due,
                    researcher=researcher,
                )
            )
    SupportRequest.objects.bulk_create(rows)


def _count_queries(count: int, staff) -> int:

    decision_window_enforce()  # warm the content-type and URL caches: count only the sweep
    _due_requests(count, staff)
    with CaptureQueriesContext(connection) as queries:
        sweep = decision_window_enforce()
    assert (sweep.reminded, sweep.overdue) == (2 * count, count)
    assert sweep.messages == 3 * count
    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor != "postgresql":
        # SQLite has no COPY: bulk_create inserts in batches of a few hundred rows, so only
        # the statements other than INSERT stay the same whatever the number due.
        statements = [sql for sql in statements if not sql.startswith("INSERT")]
    return len(statements)


@pytest.mark.django_db
def test_the_sweep_issues_the_same_number_of_queries_for_10_and_1000_due_requests(staff):
    small = _count_queries(10, staff)
    SupportRequest.objects.all().update(state=State.CLOSED)
    large = _count_queries(1000, staff)
    assert small == large
    # The two selections, their role holders (chairs, researchers, managers), two UPDATEs, the
    # existing idempotency keys, and for messages and events each an id draw and a COPY, in
    # their savepoints: 16 whatever the number due.
    assert large <= 16


# --- Twice at the same time (acceptance 2) ---------------------------------------------------
@pytest.mark.postgres  # SQLite locks the whole file: sweep B waits instead of skipping A's rows
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_one_reminder(staff):
    """Sweep A has locked and reminded but not committed when sweep B runs; B must pass over
    A's requests, and a third run after A commits must find them done."""
    support_request = request_in_state(
        State.IN_RESEARCH, due_in_days=6.5, researcher=staff["researcher"]
    )
    request_in_state(State.IN_COMMITTEE, due_in_days=-1)
    a_swept, b_done = threading.Event(), threading.Event()
    results = {}

    def sweep_a():
        try:
            with transaction.atomic():
                results["a"] = decision_window_enforce()
                a_swept.set()
                b_done.wait(timeout=20)
        finally:
            connection.close()

    thread = threading.Thread(target=sweep_a)
    thread.start()
    assert a_swept.wait(timeout=20)
    results["b"] = decision_window_enforce()  # this thread's own connection, concurrently
    b_done.set()
    thread.join(timeout=20)
    results["c"] = decision_window_enforce()

    assert (results["a"].reminded, results["a"].overdue) == (1, 1)
    assert results["b"].messages == results["c"].messages == 0
    assert Message.objects.filter(template="window_reminder").count() == 1
    assert Message.objects.filter(template="window_overdue").count() == 1
    assert len(timeline(support_request, "window_reminder")) == 1


def test_a_reminder_links_to_the_request_page(staff, settings):
    settings.SITE_URL = "https://wahaj.example.org"
    support_request = request_in_state(State.IN_COMMITTEE, due_in_days=0.5)
    decision_window_enforce()
    [reminder] = window_messages("window_reminder")
    assert reminder.context["url"] == (
        "https://wahaj.example.org" + support_request.get_absolute_url()
    )
