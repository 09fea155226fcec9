"""Issue 19: retention anonymises every past version of her file (simple_history) and the
addresses in the log of who opened it, instead of leaving old IDs and IBANs behind."""

from datetime import timedelta

import pytest
from django.db import InternalError, connection, transaction
from django.utils import timezone

from beneficiaries.models import Beneficiary, FileAccess, HouseholdMember, IncomeSource
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    HouseholdMemberFactory,
    IncomeSourceFactory,
    national_id_with_checksum,
)
from privacy.services import ANONYMOUS_NAME, retention_apply
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from wahaj.lib.validators import iban_with_checksum

pytestmark = pytest.mark.django_db

OLD_ID = national_id_with_checksum("1", 55_500_001)
OLD_IBAN = iban_with_checksum("80", "555000000000000001")
OLD_MOBILE = "+966555000001"
MEMBER_ID = national_id_with_checksum("1", 55_500_002)
GONE_MEMBER_ID = national_id_with_checksum("2", 55_500_003)


@pytest.fixture(autouse=True)
def _ten_years(settings):
    settings.RETENTION_YEARS = 10


def _file_with_a_past(staff) -> Beneficiary:
    """A file closed 11 years ago whose ID, IBAN and mobile were corrected once, with a
    household member still there and one removed, and a log of who opened it."""
    her = BeneficiaryFactory(
        national_id=OLD_ID, iban=OLD_IBAN, mobile=OLD_MOBILE, date_of_birth="1980-06-15"
    )
    her.national_id = national_id_with_checksum("1", 55_500_009)
    her.iban = iban_with_checksum("80", "555000000000000009")
    her.mobile = "+966555000009"
    her.health_notes = "ربو"
    her.save()
    member = HouseholdMemberFactory(beneficiary=her, national_id=MEMBER_ID, name="خالد")
    member.name = "خالد محمد"
    member.save()
    gone = HouseholdMemberFactory(beneficiary=her, national_id=GONE_MEMBER_ID, name="سارة")
    gone.delete()
    IncomeSourceFactory(beneficiary=her, amount=1200)
    long_ago = timezone.now() - timedelta(days=365 * 11 + 3)
    request_in_state(
        SupportRequest.State.CLOSED, beneficiary=her, closed_at=long_ago, decided_at=long_ago
    )
    Beneficiary.objects.filter(pk=her.pk).update(updated_at=long_ago)
    FileAccess.objects.create(
        beneficiary=her, user=staff, kind=FileAccess.Kind.FILE, ip_address="10.1.2.3"
    )
    FileAccess.objects.create(beneficiary=her, kind=FileAccess.Kind.PAGE, ip_address="5.6.7.8")
    return her


def test_no_history_row_keeps_her_old_ids_ibans_or_mobiles(intake_user):
    her = _file_with_a_past(intake_user)
    versions = her.history.count()
    member_versions = HouseholdMember.history.filter(beneficiary_id=her.pk).count()
    assert OLD_ID in {h.national_id for h in her.history.all()}  # what the history held

    assert retention_apply().anonymised == [her.file_number]

    # The rows stay (when and by whom the file changed), their identifiers do not.
    assert her.history.count() == versions
    assert HouseholdMember.history.filter(beneficiary_id=her.pk).count() == member_versions
    for row in her.history.all():
        assert row.full_name == ANONYMOUS_NAME
        assert row.national_id.startswith("X")  # the placeholder, never an ID
        assert (row.iban, str(row.mobile or ""), row.email, row.health_notes) == ("", "", "", "")
        assert (row.national_id_hash, row.mobile_hash) == (None, None)
        assert row.date_of_birth is None or (row.date_of_birth.month, row.date_of_birth.day) == (
            1,
            1,
        )
    for row in HouseholdMember.history.filter(beneficiary_id=her.pk):
        assert (row.name, row.national_id, row.national_id_hash) == (ANONYMOUS_NAME, "", None)
    assert IncomeSource.history.filter(beneficiary_id=her.pk).get().amount == 1200
    # And nowhere in those tables, read as the ORM reads them (decrypted).
    everything = " ".join(
        str(value)
        for model in (Beneficiary, HouseholdMember)
        for row in model.history.values_list()
        for value in row
    )
    for secret in (OLD_ID, OLD_IBAN, OLD_MOBILE, MEMBER_ID, GONE_MEMBER_ID, "خالد", "سارة"):
        assert secret not in everything


def test_the_file_access_log_keeps_its_rows_and_loses_the_addresses(intake_user):
    her = _file_with_a_past(intake_user)
    retention_apply()
    rows = list(FileAccess.objects.filter(beneficiary=her).order_by("pk"))
    assert [(r.user_id, r.kind) for r in rows] == [(intake_user.pk, "file"), (None, "page")]
    assert [r.ip_address for r in rows] == [None, None]


@pytest.mark.postgres
def test_only_retention_may_blank_an_address_in_the_file_access_log(intake_user):
    her = BeneficiaryFactory()
    access = FileAccess.objects.create(
        beneficiary=her, user=intake_user, kind=FileAccess.Kind.FILE, ip_address="10.1.2.3"
    )
    for sql in (
        "UPDATE beneficiaries_fileaccess SET ip_address = NULL WHERE id = %s",
        "UPDATE beneficiaries_fileaccess SET kind = 'edit' WHERE id = %s",
        "DELETE FROM beneficiaries_fileaccess WHERE id = %s",
    ):
        with (
            pytest.raises(InternalError, match="pgtrigger"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [access.pk])
    access.refresh_from_db()
    assert access.ip_address == "10.1.2.3"
