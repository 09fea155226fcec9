"""The outreach sweep (issue 20): she is told before a document her request needs expires,
the researcher gets a reassessment task for a file not reviewed for REASSESSMENT_MONTHS — once
each, closed once answered, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import RegistrationStatus
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from notifications.models import Message
from outreach.models import OutreachTask
from outreach.services import outreach_sweep
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State
Kind = OutreachTask.Kind


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("notifications.services._enqueue", lambda _message_id: True)


def _today():
    return timezone.localdate()


def _her_with_request(request_type="food_basket", state=State.SUBMITTED):
    her = BeneficiaryFactory()
    request_in_state(state, beneficiary=her, request_type=request_type)
    return her


def _expiring_id(her, days=10):
    return DocumentFactory(
        beneficiary=her, doc_type="national_id", expires_on=_today() + timedelta(days=days)
    )


# --- Documents about to expire ----------------------------------------------------------------
def test_she_is_told_once_before_a_document_her_request_needs_expires():
    her = _her_with_request()
    document = _expiring_id(her)
    assert outreach_sweep().notices == 1
    task = OutreachTask.objects.get(kind=Kind.DOCUMENT_EXPIRING)
    assert (task.beneficiary, task.document, task.due_on) == (her, document, document.expires_on)
    message = Message.objects.get(template="document_expiring")
    assert message.to == str(her.mobile)
    assert "الهوية الوطنية" in message.context["document"]
    assert Event.objects.for_subject(her).filter(verb="outreach_document_notice").count() == 1
    # A second run sends nothing and opens nothing.
    assert outreach_sweep().notices == 0
    assert Message.objects.filter(template="document_expiring").count() == 1
    assert OutreachTask.objects.count() == 1


def test_a_statement_is_noticed_before_it_is_three_months_old():
    her = _her_with_request()
    aging = DocumentFactory(
        beneficiary=her, doc_type="statement", issued_on=_today() - timedelta(days=80)
    )
    fresh = _her_with_request()
    DocumentFactory(
        beneficiary=fresh, doc_type="statement", issued_on=_today() - timedelta(days=20)
    )
    outreach_sweep()
    task = OutreachTask.objects.get()
    assert task.document == aging
    assert task.due_on == aging.issued_on + timedelta(days=90)


def test_documents_no_open_request_needs_far_off_or_superseded_are_left_alone():
    medical = _her_with_request("medical")  # needs no statement
    DocumentFactory(beneficiary=medical, doc_type="statement", issued_on=_today() - timedelta(85))
    decided = _her_with_request(state=State.APPROVED)
    _expiring_id(decided)
    far = _her_with_request()
    _expiring_id(far, days=200)
    renewed = _her_with_request()
    old = _expiring_id(renewed)
    DocumentFactory(
        beneficiary=renewed,
        doc_type="national_id",
        expires_on=_today() + timedelta(days=3000),
        uploaded_at=old.uploaded_at + timedelta(minutes=1),
    )
    assert outreach_sweep().notices == 0


def test_her_new_upload_closes_the_task():
    her = _her_with_request(state=State.IN_RESEARCH)
    _expiring_id(her)
    outreach_sweep()
    DocumentFactory(
        beneficiary=her, doc_type="national_id", expires_on=_today() + timedelta(days=3000)
    )
    assert outreach_sweep().closed == 1
    assert OutreachTask.objects.get().status == OutreachTask.Status.DONE


# --- Reassessment -------------------------------------------------------------------------------
def _active_file(months_ago: int):
    return BeneficiaryFactory(
        registration_status=RegistrationStatus.ACTIVE,
        created_at=timezone.now() - timedelta(days=31 * months_ago),
    )


def test_a_file_not_reviewed_for_twelve_months_gets_one_reassessment_task(settings):
    settings.REASSESSMENT_MONTHS = 12
    stale = _active_file(13)
    _active_file(6)
    verified = _active_file(20)
    DocumentFactory(beneficiary=verified, verified_at=timezone.now() - timedelta(days=30))
    incomplete = _active_file(20)
    incomplete.registration_status = RegistrationStatus.INCOMPLETE
    incomplete.save()
    assert outreach_sweep().reassessments == 1
    task = OutreachTask.objects.get(kind=Kind.REASSESSMENT)
    assert task.beneficiary == stale
    assert Event.objects.for_subject(stale).filter(verb="reassessment_due").exists()
    assert outreach_sweep().reassessments == 0
    assert OutreachTask.objects.filter(kind=Kind.REASSESSMENT).count() == 1


# --- A constant number of queries ----------------------------------------------------------
def _add(size: int) -> None:
    for _ in range(size):
        _expiring_id(_her_with_request())
        _active_file(14)


def test_the_sweep_costs_the_same_queries_for_few_and_many():
    counts = []
    for size in (2, 20):
        _add(size)
        with CaptureQueriesContext(connection) as captured:
            result = outreach_sweep()
        assert (result.notices, result.reassessments) == (size, size)
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


# --- Staff see them; she answers in the portal --------------------------------------------------
def test_intake_and_the_researcher_see_them_in_their_queues(
    client_as, intake_user, researcher_user, settings
):
    settings.REASSESSMENT_MONTHS = 12
    her = _her_with_request()
    _expiring_id(her)
    stale = _active_file(13)
    outreach_sweep()
    intake_home = client_as(intake_user).get("/").content.decode()
    assert 'data-queue-line="documents_expiring"' in intake_home
    assert her.full_name in intake_home
    researcher_home = client_as(researcher_user).get("/").content.decode()
    assert 'data-queue-line="reassessments"' in researcher_home
    assert stale.full_name in researcher_home
    page = client_as(researcher_user).get(reverse("outreach:work")).content.decode()
    assert her.full_name in page
    assert stale.full_name in page


def test_the_command_runs_the_same_sweep():
    from io import StringIO

    from django.core.management import call_command

    _expiring_id(_her_with_request())
    out = StringIO()
    call_command("outreach_sweep", stdout=out)
    assert "notices=1" in out.getvalue()
    call_command("outreach_sweep", stdout=out)
    assert Message.objects.filter(template="document_expiring").count() == 1
