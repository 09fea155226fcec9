"""`manage.py apply_retention`: files closed more than RETENTION_YEARS ago are anonymised."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Event
from beneficiaries.models import Beneficiary, Document, HouseholdMember
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    DocumentFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
)
from privacy.services import ANONYMOUS_NAME, retention_apply
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _ten_years(settings):
    settings.RETENTION_YEARS = 10


def _closed_case(*, years_ago: float, **fields) -> Beneficiary:
    """A file whose only request closed `years_ago`, untouched since."""
    long_ago = timezone.now() - timedelta(days=round(365.25 * years_ago))
    beneficiary = BeneficiaryFactory(
        health_notes="سكري", email="noura@example.com", date_of_birth="1980-06-15", **fields
    )
    request_in_state(
        SupportRequest.State.CLOSED,
        beneficiary=beneficiary,
        amount_requested=900,
        description="إيجار متأخر لأن زوجها سجين",
        closed_at=long_ago,
        decided_at=long_ago,
    )
    HouseholdMemberFactory(beneficiary=beneficiary, national_id="1000000016", name="خالد")
    IncomeSourceFactory(beneficiary=beneficiary, amount=1200)
    Beneficiary.objects.filter(pk=beneficiary.pk).update(updated_at=long_ago)
    return beneficiary


def test_a_file_closed_eleven_years_ago_is_anonymised_and_its_statistics_kept():
    beneficiary = _closed_case(years_ago=11)
    DocumentFactory(beneficiary=beneficiary)
    national_id, mobile = beneficiary.national_id, str(beneficiary.mobile)

    run = retention_apply()

    beneficiary.refresh_from_db()
    assert run.anonymised == [beneficiary.file_number]
    # identifiers replaced
    assert beneficiary.full_name == ANONYMOUS_NAME
    assert beneficiary.national_id != national_id
    assert str(beneficiary.mobile or "") == ""
    assert beneficiary.email == beneficiary.iban == beneficiary.health_notes == ""
    assert beneficiary.date_of_birth.isoformat() == "1980-01-01"
    assert beneficiary.anonymised_at is not None
    member = HouseholdMember.objects.get(beneficiary=beneficiary)
    assert (member.name, member.national_id) == (ANONYMOUS_NAME, "")
    assert beneficiary.support_requests.get().description == ""
    # the history of past values keeps its rows, without her identifiers (test_retention_history)
    assert {h.full_name for h in beneficiary.history.all()} == {ANONYMOUS_NAME}
    assert {h.name for h in HouseholdMember.history.filter(beneficiary_id=beneficiary.pk)} == {
        ANONYMOUS_NAME
    }
    # documents: rows deleted
    assert not Document.objects.filter(beneficiary=beneficiary).exists()
    # statistics kept
    assert beneficiary.marital_status == "widow"
    assert beneficiary.city == "الرياض"
    assert beneficiary.income_sources.get().amount == 1200
    request = beneficiary.support_requests.get()
    assert (request.state, request.amount_requested, request.request_type) == (
        "closed",
        900,
        "food_basket",
    )
    assert Event.objects.get(verb="anonymised").object_id == beneficiary.pk
    assert not Beneficiary.objects.filter(national_id=national_id).exists()
    assert not Beneficiary.objects.filter(mobile=mobile).exists()


def test_her_document_files_are_deleted_from_disk_once_the_change_commits(
    django_capture_on_commit_callbacks,
):
    beneficiary = _closed_case(years_ago=11)
    path = Path(DocumentFactory(beneficiary=beneficiary).file.path)

    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply()

    assert run.files_deleted == 1
    assert not path.exists()


def test_a_legal_hold_keeps_her_file_whole():
    beneficiary = _closed_case(years_ago=11, legal_hold=True)
    assert retention_apply().anonymised == []
    beneficiary.refresh_from_db()
    assert beneficiary.full_name != ANONYMOUS_NAME
    assert beneficiary.anonymised_at is None


def test_a_case_closed_nine_years_ago_is_kept():
    _closed_case(years_ago=9)
    assert retention_apply().anonymised == []


def test_a_file_with_a_request_still_open_is_kept_however_old():
    beneficiary = _closed_case(years_ago=11)
    request_in_state(SupportRequest.State.IN_RESEARCH, beneficiary=beneficiary)
    Beneficiary.objects.filter(pk=beneficiary.pk).update(
        updated_at=timezone.now() - timedelta(days=4000)
    )
    assert retention_apply().anonymised == []


def test_running_it_twice_anonymises_once():
    _closed_case(years_ago=11)
    retention_apply()
    assert retention_apply().anonymised == []
    assert Event.objects.filter(verb="anonymised").count() == 1


def test_the_command_reports_what_it_did_and_a_dry_run_changes_nothing():
    beneficiary = _closed_case(years_ago=11)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "would anonymise 1 file(s)" in out.getvalue()
    assert beneficiary.file_number in out.getvalue()
    beneficiary.refresh_from_db()
    assert beneficiary.anonymised_at is None

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "anonymised 1 file(s) closed more than 10 years ago" in out.getvalue()


def test_beat_applies_retention_every_night():
    """Retention does not wait for someone to remember the command."""
    from privacy.tasks import apply_retention
    from wahaj.celery import app

    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == apply_retention.name]
    assert entry["schedule"].hour == {2}
    old = _closed_case(years_ago=11)
    kept = _closed_case(years_ago=9)
    assert apply_retention.apply().get() == 1
    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.full_name, kept.full_name != ANONYMOUS_NAME) == (ANONYMOUS_NAME, True)
