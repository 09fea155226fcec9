"""Every move of a ticket: its state, its audit event, its messages (issue 20, part 1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from beneficiaries.tests.factories import BeneficiaryFactory
from feedback import services
from feedback.models import Ticket
from feedback.services import TicketError
from notifications.models import Message
from notifications.services import staff_address

from .factories import ticket

pytestmark = pytest.mark.django_db
State = Ticket.State


def verbs(t: Ticket) -> list[str]:
    return list(Event.objects.for_subject(t).order_by("pk").values_list("verb", flat=True))


def test_the_deadline_is_set_by_type_from_settings(settings, intake_user):
    settings.FEEDBACK_ANSWER_DAYS = {"inquiry": 2, "complaint": 5, "suggestion": 9, "thanks": 9}
    before = timezone.now()
    inquiry = ticket(actor=intake_user, kind="inquiry")
    complaint = ticket(actor=intake_user, kind="complaint")
    assert before + timedelta(days=2) <= inquiry.due_at <= timezone.now() + timedelta(days=2)
    assert complaint.due_at - complaint.created_at == timedelta(days=5)
    assert inquiry.state == State.NEW
    [event] = Event.objects.for_subject(inquiry)
    assert (event.verb, event.actor, event.new_state) == ("ticket_created", intake_user, "new")


def test_assign_answer_close_reopen_each_write_their_event(intake_user, manager_user, settings):
    her = BeneficiaryFactory(preferred_language="en")
    t = ticket(actor=intake_user, beneficiary=her)
    t = services.ticket_assign(actor=manager_user, ticket=t, assignee=intake_user)
    assert (t.state, t.assignee) == (State.ASSIGNED, intake_user)
    [told] = Message.objects.filter(template="ticket_assigned")
    assert told.to == staff_address(intake_user)[1]
    t = services.ticket_answer(actor=intake_user, ticket=t, answer="يصرف الأسبوع القادم")
    assert t.state == State.ANSWERED
    assert t.answered_by == intake_user
    t = services.ticket_close(actor=intake_user, ticket=t)
    assert t.state == State.CLOSED
    assert t.closed_at
    old_due = t.due_at
    t = services.ticket_reopen(actor=manager_user, ticket=t, note="اتصلت مرة أخرى")
    assert t.state == State.REOPENED
    assert t.due_at > old_due
    assert t.closed_at is None
    assert verbs(t) == [
        "ticket_created",
        "ticket_assigned",
        "ticket_answered",
        "ticket_closed",
        "ticket_reopened",
    ]
    reopened = Event.objects.for_subject(t).get(verb="ticket_reopened")
    assert (reopened.old_state, reopened.note) == ("closed", "اتصلت مرة أخرى")


def test_the_answer_goes_to_her_file_in_her_language(intake_user):
    her = BeneficiaryFactory(preferred_language="en", preferred_channel="sms")
    t = ticket(actor=intake_user, beneficiary=her)
    services.ticket_answer(actor=intake_user, ticket=t, answer="Next week.")
    [message] = Message.objects.filter(template="ticket_answered")
    assert (message.channel, message.to, message.language) == ("sms", str(her.mobile), "en")
    assert message.context["answer"] == "Next week."
    assert message.context["reference"] == t.reference


def test_the_answer_goes_to_the_verified_mobile_when_she_is_not_on_file(intake_user):
    t = ticket(kind="suggestion", contact_mobile="+966551112233", language="ar")
    services.ticket_answer(actor=intake_user, ticket=t, answer="شكراً لاقتراحك")
    [message] = Message.objects.filter(template="ticket_answered")
    assert (message.channel, message.to, message.language) == ("sms", "+966551112233", "ar")


def test_an_anonymous_complaint_is_answered_with_no_message(manager_user):
    t = ticket(kind="complaint")
    assert t.anonymous
    services.ticket_answer(actor=manager_user, ticket=t, answer="عولجت داخلياً")
    assert not Message.objects.filter(template="ticket_answered").exists()


def test_only_a_complaint_may_come_without_a_name_or_mobile():
    with pytest.raises(TicketError) as refused:
        services.ticket_create(actor=None, kind="inquiry", channel="website", text="سؤال")
    assert refused.value.message == services.ANONYMOUS_ONLY_COMPLAINTS


def test_a_complaint_about_a_member_of_staff_is_never_assigned_to_her(
    intake_user, manager_user, make_staff
):
    t = ticket(actor=manager_user, kind="complaint", about_staff=intake_user)
    with pytest.raises(TicketError) as refused:
        services.ticket_assign(actor=manager_user, ticket=t, assignee=intake_user)
    assert refused.value.message == services.NOT_ABOUT_YOURSELF
    for move in (
        lambda: services.ticket_answer(actor=intake_user, ticket=t, answer="لا"),
        lambda: services.ticket_close(actor=intake_user, ticket=t),
    ):
        with pytest.raises(TicketError):
            move()
    t.refresh_from_db()
    assert (t.state, t.assignee) == (State.NEW, None)
    other = make_staff(Role.INTAKE)
    assert services.ticket_assign(actor=manager_user, ticket=t, assignee=other).assignee == other


def test_the_database_refuses_the_assignment_too(intake_user):
    t = ticket(kind="complaint", about_staff=intake_user)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=t.pk).update(assignee=intake_user)


def test_an_answered_ticket_cannot_be_answered_again(intake_user):
    t = ticket(actor=intake_user)
    services.ticket_answer(actor=intake_user, ticket=t, answer="نعم")
    with pytest.raises(TicketError) as refused:
        services.ticket_answer(actor=intake_user, ticket=t, answer="مرة أخرى")
    assert refused.value.message == services.NOT_OPEN
