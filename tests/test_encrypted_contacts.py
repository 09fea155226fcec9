"""Data at rest (issue 19) beyond her file: the outbox's recipient, a ticket's mobile and the
IBAN frozen in a bank-transfer file are stored encrypted, and are still found or cleared."""

from decimal import Decimal

import pytest

from beneficiaries.models import Beneficiary
from beneficiaries.tests.test_field_encryption import raw_row
from feedback.models import Ticket
from feedback.tests.factories import ticket
from notifications.models import Message
from notifications.services import message_queue
from privacy.services import beneficiary_anonymise
from programs.models import CycleEntry
from programs.tests.delivery_factories import approved_cycle
from programs.tests.delivery_factories import woman as eligible_woman
from wahaj.lib.crypto import is_token

pytestmark = pytest.mark.django_db

MOBILE = "+966551234567"


def test_the_outbox_keeps_her_mobile_encrypted_and_still_finds_her_messages():
    message = message_queue(
        channel=Message.Channel.SMS,
        to=MOBILE,
        template="request_received",
        language="ar",
        idempotency_key="encrypted-outbox",
        context={"reference": "R-1"},
    )
    (stored,) = raw_row(Message, message.pk, "to")
    assert is_token(stored)
    assert MOBILE not in stored
    assert Message.objects.get(pk=message.pk).to == MOBILE
    assert list(Message.objects.filter(to=MOBILE)) == [message]
    assert list(Message.objects.filter(to__in=[MOBILE, "x@example.org"])) == [message]


def test_a_tickets_mobile_is_stored_encrypted():
    made = ticket(contact_mobile="0551234567")
    (stored,) = raw_row(Ticket, made.pk, "contact_mobile")
    assert is_token(stored)
    assert "551234567" not in stored
    assert str(Ticket.objects.get(pk=made.pk).contact_mobile) == MOBILE


def test_anonymising_her_file_clears_her_messages_address_and_frozen_iban(manager_user):
    woman = eligible_woman(mobile=MOBILE)
    message_queue(
        channel=Message.Channel.SMS,
        to=MOBILE,
        template="request_received",
        language="ar",
        idempotency_key="to-be-anonymised",
        context={},
    )
    cycle = approved_cycle(manager_user, amount=Decimal("500"))
    entry = CycleEntry.objects.get(cycle=cycle, beneficiary=woman)
    CycleEntry.objects.filter(pk=entry.pk).update(transfer_iban="SA0380000000608010167519")
    assert is_token(raw_row(CycleEntry, entry.pk, "transfer_iban")[0])

    beneficiary_anonymise(beneficiary=Beneficiary.objects.get(pk=woman.pk))

    assert not Message.objects.filter(to=MOBILE).exists()
    assert Message.objects.get(idempotency_key="to-be-anonymised").to_hash is None
    assert CycleEntry.objects.get(pk=entry.pk).transfer_iban == ""
