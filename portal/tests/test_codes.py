"""The one-time login code: hashed, five minutes, five tries, three codes per 15 minutes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import Event
from beneficiaries.tests.factories import BeneficiaryFactory
from notifications.models import Message
from portal.models import PortalCode
from portal.services import (
    CODE_EXPIRED,
    CODE_LOCKED,
    CODE_WRONG,
    TOO_MANY_CODES,
    PortalError,
    portal_code_issue,
    portal_code_verify,
)

pytestmark = pytest.mark.django_db

UNREGISTERED_ID = "1000000008"


def _issue_and_read(beneficiary, send_queued) -> str:
    portal_code_issue(national_id=beneficiary.national_id)
    number, text = send_queued()[-1]
    assert number == str(beneficiary.mobile).lstrip("+")
    return re.search(r"(?<!\d)\d{6}(?!\d)", text).group()


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_code_is_sent_by_sms_to_the_mobile_on_file(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    message = Message.objects.get(template="portal_otp")
    assert message.channel == "sms"
    assert message.to == str(beneficiary.mobile)
    assert len(code) == 6


def test_codes_are_not_stored_in_clear(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    stored = PortalCode.objects.get(beneficiary=beneficiary)
    assert code not in stored.code_hash
    # Not a plain unsalted digest either: the same code hashes differently each time.
    assert len(stored.code_hash) > 40


def test_the_right_code_logs_her_in_once_and_is_audited(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    assert portal_code_verify(beneficiary_id=beneficiary.pk, code=code) == beneficiary
    event = Event.objects.get(verb="portal_login")
    assert event.subject == beneficiary
    assert event.actor_kind == Event.ActorKind.BENEFICIARY
    with pytest.raises(PortalError) as refused:
        portal_code_verify(beneficiary_id=beneficiary.pk, code=code)
    assert refused.value.message == CODE_EXPIRED


def test_a_code_expires_after_five_minutes(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    with time_machine.travel(later), pytest.raises(PortalError) as refused:
        portal_code_verify(beneficiary_id=beneficiary.pk, code=code)
    assert refused.value.message == CODE_EXPIRED


def test_the_sixth_code_in_a_row_is_refused_even_when_correct(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    for attempt in range(1, 6):
        with pytest.raises(PortalError) as refused:
            portal_code_verify(beneficiary_id=beneficiary.pk, code=_wrong(code))
        assert refused.value.message == (CODE_LOCKED if attempt == 5 else CODE_WRONG)
    with pytest.raises(PortalError) as refused:
        portal_code_verify(beneficiary_id=beneficiary.pk, code=code)
    assert refused.value.message == CODE_LOCKED
    assert PortalCode.objects.get().failed_attempts == 5
    assert not Event.objects.filter(verb="portal_login").exists()


def test_four_wrong_codes_then_the_right_one_still_logs_her_in(send_queued):
    beneficiary = BeneficiaryFactory()
    code = _issue_and_read(beneficiary, send_queued)
    for _ in range(4):
        with pytest.raises(PortalError):
            portal_code_verify(beneficiary_id=beneficiary.pk, code=_wrong(code))
    assert portal_code_verify(beneficiary_id=beneficiary.pk, code=code) == beneficiary


def test_a_fourth_code_within_fifteen_minutes_is_refused(send_queued):
    beneficiary = BeneficiaryFactory()
    start = timezone.now()
    for minute in (0, 5, 10):
        with time_machine.travel(start + timedelta(minutes=minute)):
            portal_code_issue(national_id=beneficiary.national_id)
    with time_machine.travel(start + timedelta(minutes=14)), pytest.raises(PortalError) as refused:
        portal_code_issue(national_id=beneficiary.national_id)
    assert refused.value.message == TOO_MANY_CODES
    assert PortalCode.objects.count() == 3
    assert Message.objects.filter(template="portal_otp").count() == 3
    # Once the first code is more than 15 minutes old, she may ask again.
    with time_machine.travel(start + timedelta(minutes=15, seconds=1)):
        portal_code_issue(national_id=beneficiary.national_id)
    assert PortalCode.objects.count() == 4


def test_only_her_latest_code_counts(send_queued):
    beneficiary = BeneficiaryFactory()
    first = _issue_and_read(beneficiary, send_queued)
    second = _issue_and_read(beneficiary, send_queued)
    if first != second:
        with pytest.raises(PortalError):
            portal_code_verify(beneficiary_id=beneficiary.pk, code=first)
    assert portal_code_verify(beneficiary_id=beneficiary.pk, code=second) == beneficiary


def test_an_unregistered_id_gets_no_code_and_the_same_throttle():
    BeneficiaryFactory()
    for _ in range(3):
        assert portal_code_issue(national_id=UNREGISTERED_ID) is None
    with pytest.raises(PortalError) as refused:
        portal_code_issue(national_id=UNREGISTERED_ID)
    assert refused.value.message == TOO_MANY_CODES
    assert not PortalCode.objects.exists()
    assert not Message.objects.exists()


def test_another_beneficiarys_code_does_not_open_her_portal(send_queued):
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    her_code = _issue_and_read(her, send_queued)
    other_code = _issue_and_read(other, send_queued)
    if other_code != her_code:  # one chance in a million that they are the same
        with pytest.raises(PortalError):
            portal_code_verify(beneficiary_id=her.pk, code=other_code)
