"""The tickets' deadline sweep (issue 20, acceptance 2): a reminder to the assignee before the
deadline, one escalation to the managers after it, nothing twice, constant queries."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from feedback import services
from feedback.deadline import TicketSweep, ticket_deadlines_enforce
from feedback.models import Ticket
from feedback.tasks import enforce_ticket_deadlines
from notifications.models import Message
from wahaj.lib.choices import Channel

from .factories import ticket

pytestmark = pytest.mark.django_db
NOTHING = TicketSweep(reminded=0, overdue=0, messages=0)


@pytest.fixture
def staff(make_staff):
    return {
        "intake": make_staff(Role.INTAKE, mobile="+966500000011"),
        "manager": make_staff(Role.MANAGER, email="director@wahaj.invalid"),
        "manager2": make_staff(Role.MANAGER, mobile="+966500000012"),
    }


def sweep_in(days: float) -> TicketSweep:
    with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
        return ticket_deadlines_enforce()


def test_the_assignee_is_reminded_once_then_the_managers_told_once(staff, settings):
    settings.FEEDBACK_ANSWER_DAYS = {"inquiry": 3}
    settings.FEEDBACK_REMINDER_DAYS = 1
    t = ticket(actor=staff["intake"])
    services.ticket_assign(actor=staff["manager"], ticket=t, assignee=staff["intake"])

    assert sweep_in(1.5) == NOTHING  # 1.5 days left
    assert sweep_in(2.1) == TicketSweep(reminded=1, overdue=0, messages=1)
    [reminder] = Message.objects.filter(template="ticket_reminder")
    assert (reminder.to, reminder.context["reference"]) == ("+966500000011", t.reference)
    assert sweep_in(2.5) == NOTHING

    assert sweep_in(3.1) == TicketSweep(reminded=0, overdue=1, messages=2)
    told = Message.objects.filter(template="ticket_overdue")
    assert {m.to for m in told} == {"director@wahaj.invalid", "+966500000012"}
    assert all(m.context["references"] == [t.reference] for m in told)
    for later in (3.2, 5, 30):
        assert sweep_in(later) == NOTHING  # a second run sends nothing
    assert (
        Message.objects.filter(template__startswith="ticket_")
        .exclude(template="ticket_assigned")
        .count()
        == 3
    )
    events = Event.objects.for_subject(t).filter(verb__in=("ticket_reminder", "ticket_overdue"))
    assert events.get(verb="ticket_overdue").new_state == "assigned"
    assert [e.verb for e in events.order_by("pk")] == ["ticket_reminder", "ticket_overdue"]
    assert all(e.actor is None and e.actor_kind == "system" for e in events)


def test_answered_or_closed_tickets_are_not_escalated(staff):
    answered = ticket(actor=staff["intake"])
    services.ticket_answer(actor=staff["intake"], ticket=answered, answer="تم")
    closed = ticket(actor=staff["intake"], kind="thanks")
    services.ticket_close(actor=staff["intake"], ticket=closed)
    assert sweep_in(30) == NOTHING


def test_a_reopened_ticket_gets_a_new_escalation(staff):
    t = ticket(actor=staff["intake"])
    assert sweep_in(4).overdue == 1
    services.ticket_answer(actor=staff["intake"], ticket=t, answer="تم")
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        services.ticket_reopen(actor=staff["manager"], ticket=t)
    assert sweep_in(9).overdue == 1
    assert sweep_in(10) == NOTHING


def test_a_complaint_about_a_manager_is_not_escalated_to_her(staff):
    ticket(kind="complaint", about_staff=staff["manager"])
    sweep_in(8)
    told = set(Message.objects.filter(template="ticket_overdue").values_list("to", flat=True))
    assert told == {"+966500000012"}


def test_the_beat_task_calls_the_sweep(staff):
    ticket(actor=staff["intake"])
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        assert enforce_ticket_deadlines() == {"reminded": 0, "overdue": 1, "messages": 2}
    from wahaj.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "feedback.tasks.enforce_ticket_deadlines" in tasks


# --- A constant number of queries ----------------------------------------------------------
def _due_tickets(count: int, staff) -> None:
    """`count` tickets due for a reminder and `count` overdue, written in bulk."""
    now = timezone.now()
    rows = []
    for _ in range(count):
        for due_in, assignee in (
            (timedelta(hours=12), staff["intake"]),
            (-timedelta(days=1), None),
        ):
            rows.append(
                Ticket(
                    kind=Ticket.Kind.INQUIRY,
                    channel=Channel.PHONE,
                    text="سؤال",
                    contact_mobile="+966551112233",
                    state=Ticket.State.ASSIGNED if assignee else Ticket.State.NEW,
                    assignee=assignee,
                    created_at=now - timedelta(days=3),
                    due_at=now + due_in,
                )
            )
    Ticket.objects.bulk_create(rows)


def _count_queries(count: int, staff) -> int:
    ticket_deadlines_enforce()  # warm the content-type cache: count only the sweep
    _due_tickets(count, staff)
    with CaptureQueriesContext(connection) as queries:
        sweep = ticket_deadlines_enforce()
    # A reminder to the assignee of each ticket due soon; one escalation to each manager.
    assert (sweep.reminded, sweep.overdue, sweep.messages) == (count, count, count + 2)
    statements = [query["sql"] for query in queries.captured_queries]
    if connection.vendor != "postgresql":
        # SQLite has no COPY: inserts go in batches, so count the other statements.
        statements = [sql for sql in statements if not sql.startswith("INSERT")]
    return len(statements)


def test_the_sweep_issues_the_same_number_of_queries_for_10_and_1000_due_tickets(staff):
    small = _count_queries(10, staff)
    Ticket.objects.all().update(state=Ticket.State.CLOSED)
    large = _count_queries(1000, staff)
    assert small == large
    assert large <= 16
    assert ticket_deadlines_enforce() == NOTHING  # and a second run sends nothing


def test_many_overdue_tickets_make_one_message_to_each_manager(staff):
    for _ in range(7):
        ticket(actor=staff["intake"])
    sweep = sweep_in(4)
    assert (sweep.overdue, sweep.messages) == (7, 2)
    [digest, *_] = Message.objects.filter(template="ticket_overdue")
    assert digest.context["count"] == 7
    assert len(digest.context["references"]) == 5
    from notifications.rendering import render

    text = render("ticket_overdue", "en", digest.context).body
    assert "7 ticket(s)" in text
    assert "?overdue=on" in text
    assert Event.objects.filter(verb="ticket_overdue").count() == 7
