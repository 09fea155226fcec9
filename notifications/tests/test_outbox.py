"""Queueing: a row in the caller's transaction, sent after commit, never queued twice."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.utils import timezone

from accounts.roles import Role
from audit.models import Event
from notifications.models import Message
from notifications.services import message_queue, message_queue_to_staff, messages_requeue_stale

pytestmark = pytest.mark.django_db


def queue(**overrides):
    fields = {
        "channel": "sms",
        "to": "+966501234567",
        "template": "request_received",
        "language": "ar",
        "context": {"reference": "WHJ-2026-000007", "name": "نورة"},
        "idempotency_key": "request:7:received",
    }
    return message_queue(**(fields | overrides))


def test_queueing_writes_a_queued_row_and_sends_only_after_commit(
    enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue()
        assert enqueued == []  # nothing leaves before the transaction commits
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 0
    assert len(callbacks) == 1
    assert enqueued == [message.pk]


def test_the_same_idempotency_key_queues_nothing_the_second_time(enqueued):
    first = queue()
    second = queue(context={"reference": "other"})
    assert first is not None
    assert second is None
    assert Message.objects.count() == 1


def test_a_duplicate_key_leaves_the_callers_transaction_usable(enqueued, intake_user):
    with transaction.atomic():
        queue()
        queue()
        intake_user.first_name = "هيفاء"
        intake_user.save(update_fields=["first_name"])
    intake_user.refresh_from_db()
    assert intake_user.first_name == "هيفاء"


def test_a_rolled_back_transaction_leaves_no_message_and_enqueues_nothing(
    enqueued, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    def change_that_fails():
        with transaction.atomic():
            queue()
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        change_that_fails()
    assert Message.objects.count() == 0
    assert callbacks == []
    assert enqueued == []


def test_an_unknown_template_fails_at_once_inside_the_callers_transaction():
    with pytest.raises(TemplateDoesNotExist):
        queue(template="no_such_template")


def test_no_address_queues_nothing():
    assert queue(to="") is None
    assert Message.objects.count() == 0


def test_the_message_remembers_its_subject(enqueued, intake_user):
    message = queue(subject=intake_user)
    assert message.subject == intake_user


def test_staff_get_sms_on_their_mobile_else_email_in_their_language(enqueued, make_staff):
    with_mobile = make_staff(Role.MANAGER, mobile="+966501112233", preferred_language="en")
    without_mobile = make_staff(Role.MANAGER, email="manager@wahaj.invalid")
    messages = message_queue_to_staff(
        users=[with_mobile, without_mobile],
        template="window_overdue",
        context={"reference": "WHJ-2026-000007"},
        idempotency_key="request:7:overdue",
    )
    by_user = {m.idempotency_key: m for m in messages}
    sms = by_user[f"request:7:overdue:u{with_mobile.pk}"]
    email = by_user[f"request:7:overdue:u{without_mobile.pk}"]
    assert (sms.channel, sms.to, sms.language) == ("sms", "+966501112233", "en")
    assert (email.channel, email.to, email.language) == ("email", "manager@wahaj.invalid", "ar")
    again = message_queue_to_staff(
        users=[with_mobile, without_mobile],
        template="window_overdue",
        context={},
        idempotency_key="request:7:overdue",
    )
    assert again == []
    assert not Event.objects.exists()


def test_a_message_to_send_later_goes_out_with_the_first_tick_after_it_is_due(
    enqueued, django_capture_on_commit_callbacks, time_machine
):
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(send_after=later)
    assert enqueued == []
    assert messages_requeue_stale() == 0
    time_machine.move_to(later + timedelta(seconds=1))
    assert messages_requeue_stale() == 1
    assert enqueued == [message.pk]
