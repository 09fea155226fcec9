"""Data at rest (issue 19): her identifiers never reach the database, a dump or a backup in
plain text; the lookups that need them still find her; a key rotation keeps everything readable."""

import io
import os
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from beneficiaries.models import Beneficiary, HouseholdMember
from beneficiaries.selectors import beneficiary_search, household_flags
from beneficiaries.services import beneficiary_find_duplicate
from beneficiaries.tests.factories import BeneficiaryFactory
from wahaj.lib.crypto import decrypt, is_token, lookup_hash
from wahaj.lib.fields import fields_encrypt

SEEDED = 12


def raw_row(model, pk: int, *fields: str) -> tuple:
    """What the table holds, bypassing the fields' decryption."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return cursor.fetchone()


def seeded_identifiers() -> set[str]:
    """Every national ID, mobile (as stored and as typed) and IBAN the demo wrote."""
    found = set()
    for national_id, mobile, iban in Beneficiary.objects.values_list(
        "national_id", "mobile", "iban"
    ):
        e164 = mobile.as_e164
        found |= {national_id, e164, "0" + e164[4:], iban}
    found |= {n for n in HouseholdMember.objects.values_list("national_id", flat=True) if n}
    return found - {""}


def database_dump() -> str:
    if connection.vendor == "postgresql":
        params = connection.settings_dict
        result = subprocess.run(
            [
                "pg_dump",
                "--no-owner",
                "-h",
                params["HOST"] or "127.0.0.1",
                "-p",
                str(params["PORT"] or 5432),
                "-U",
                params["USER"] or "postgres",
                params["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PGPASSWORD": params["PASSWORD"] or ""},
        )
        return result.stdout
    return "\n".join(connection.connection.iterdump())


def _dump_after_seed_holds_no_identifier() -> None:
    call_command("seed_demo", beneficiaries=SEEDED, stdout=io.StringIO())
    identifiers = seeded_identifiers()
    assert len(identifiers) >= 3 * SEEDED
    dump = database_dump()
    assert "beneficiaries_beneficiary" in dump  # the dump is of this database
    leaked = sorted(value for value in identifiers if value in dump)
    assert not leaked, f"{len(leaked)} identifiers in plain text in the dump"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_after_seed_demo_shows_no_national_id_mobile_or_iban():
    _dump_after_seed_holds_no_identifier()


@pytest.mark.django_db
def test_sqlite_dump_after_seed_demo_shows_no_national_id_mobile_or_iban():
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL dump is the test above")
    _dump_after_seed_holds_no_identifier()


@pytest.mark.django_db
def test_every_personal_field_is_stored_as_a_token_and_reads_back_plain():
    beneficiary = BeneficiaryFactory(
        national_id="1000000008",
        mobile="+966501234567",
        phone2="+966551234567",
        email="her@example.com",
        iban="SA0380000000608010167519",
        health_notes="سكري",
    )
    member = HouseholdMember.objects.create(
        beneficiary=beneficiary,
        name="ابنها",
        relation="son",
        sex="M",
        national_id="1000000016",
        health_notes="ربو",
    )
    fields = ["national_id", "mobile", "phone2", "email", "iban", "health_notes"]
    stored = raw_row(Beneficiary, beneficiary.pk, *fields)
    assert all(is_token(value) for value in stored)
    assert decrypt(stored[0]) == "1000000008"
    assert decrypt(stored[1]) == "+966501234567"  # E.164, as PhoneNumberField stores it
    assert all(
        is_token(v) for v in raw_row(HouseholdMember, member.pk, "national_id", "health_notes")
    )
    assert raw_row(Beneficiary, beneficiary.pk, "national_id_hash")[0] == lookup_hash("1000000008")

    beneficiary.refresh_from_db()
    assert (beneficiary.national_id, beneficiary.mobile.as_e164) == ("1000000008", "+966501234567")
    assert (beneficiary.iban, beneficiary.email, beneficiary.health_notes) == (
        "SA0380000000608010167519",
        "her@example.com",
        "سكري",
    )
    # The history tables hold the same ciphertext, never the plain value.
    history = beneficiary.history.model
    row = history.objects.filter(id=beneficiary.pk).values_list("history_id", flat=True).first()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT national_id, mobile, iban FROM {quote(history._meta.db_table)}"  # noqa: S608
            " WHERE history_id = %s",
            [row],
        )
        assert all(is_token(value) for value in cursor.fetchone())


@pytest.mark.django_db
def test_a_blank_value_stays_blank_and_has_no_hash():
    beneficiary = BeneficiaryFactory(phone2="", email="")
    member = HouseholdMember.objects.create(
        beneficiary=beneficiary, name="رضيعها", relation="son", sex="M", national_id=""
    )
    assert raw_row(Beneficiary, beneficiary.pk, "phone2", "email") == ("", "")
    assert raw_row(HouseholdMember, member.pk, "national_id", "national_id_hash") == ("", None)
    assert HouseholdMember.objects.filter(national_id="").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_file_with_the_same_national_id():
    BeneficiaryFactory(national_id="1000000008")
    with pytest.raises(IntegrityError), transaction.atomic():
        BeneficiaryFactory(national_id="1000000008")


@pytest.mark.django_db
def test_the_duplicate_guard_finds_her_by_national_id_then_by_mobile():
    her = BeneficiaryFactory(national_id="1000000008", mobile="+966501234567")
    assert beneficiary_find_duplicate(national_id="1000000008", mobile="+966509999999") == (
        her,
        "national_id",
    )
    assert beneficiary_find_duplicate(national_id="1000000016", mobile="0501234567") == (
        her,
        "mobile",
    )
    assert beneficiary_find_duplicate(national_id="1000000016", mobile="+966509999999") is None
    assert (
        beneficiary_find_duplicate(
            national_id="1000000008", mobile="+966501234567", exclude_pk=her.pk
        )
        is None
    )


@pytest.mark.django_db
def test_search_finds_a_whole_id_or_mobile_and_never_a_part_of_an_id():
    her = BeneficiaryFactory(national_id="1000000008", mobile="+966501234567")
    BeneficiaryFactory(national_id="1000000016", mobile="+966501234568")
    assert list(beneficiary_search(q="1000000008")) == [her]
    assert list(beneficiary_search(q="٠٥٠١٢٣٤٥٦٧")) == [her]  # Arabic digits, as typed
    # A prefix of an ID cannot be searched on ciphertext: it finds nothing rather than guess.
    assert list(beneficiary_search(q="100000000")) == []


@pytest.mark.django_db
def test_orm_lookups_on_an_encrypted_field_go_through_its_hash_or_fail_loudly():
    her = BeneficiaryFactory(national_id="1000000008")
    assert Beneficiary.objects.get(national_id="1000000008") == her
    assert list(Beneficiary.objects.filter(national_id__in=["1000000008", "1"])) == [her]
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Beneficiary.objects.filter(national_id__startswith="100"))
    with pytest.raises(FieldError):
        list(Beneficiary.objects.filter(iban="SA0380000000608010167519"))  # no hash: no lookup


@pytest.mark.django_db
def test_a_household_member_id_on_another_file_is_still_flagged():
    other = BeneficiaryFactory(national_id="1000000016")
    her = BeneficiaryFactory()
    member = HouseholdMember.objects.create(
        beneficiary=her, name="ابنها", relation="son", sex="M", national_id="1000000016"
    )
    assert household_flags(her) == {member.pk: [other]}


@pytest.mark.django_db
def test_save_with_update_fields_keeps_the_hash_in_step():
    her = BeneficiaryFactory(national_id="1000000008")
    her.national_id = "1000000016"
    her.save(update_fields=["national_id"])
    assert Beneficiary.objects.get(national_id="1000000016") == her
    assert not Beneficiary.objects.filter(national_id="1000000008").exists()


@pytest.mark.django_db
def test_the_migration_function_encrypts_rows_left_in_plain_text():
    her = BeneficiaryFactory(national_id="1000000008", iban="SA0380000000608010167519")
    table = connection.ops.quote_name(Beneficiary._meta.db_table)
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute(
            f"UPDATE {table} SET national_id = %s, iban = %s, national_id_hash = NULL"  # noqa: S608
            " WHERE id = %s",
            ["1000000008", "SA0380000000608010167519", her.pk],
        )
    assert fields_encrypt(Beneficiary, batch_size=1) == 1
    national_id, iban, digest = raw_row(
        Beneficiary, her.pk, "national_id", "iban", "national_id_hash"
    )
    assert is_token(national_id)
    assert is_token(iban)
    assert digest == lookup_hash("1000000008")


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_alone_no_longer_reads(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    her = BeneficiaryFactory(
        national_id="1000000008",
        mobile="+966501234567",
        iban="SA0380000000608010167519",
        email="her@example.com",
    )
    member = HouseholdMember.objects.create(
        beneficiary=her, name="ابنها", relation="son", sex="M", national_id="1000000016"
    )
    before = raw_row(Beneficiary, her.pk, "national_id")[0]
    assert Fernet(old_key).decrypt(before.encode()) == b"1000000008"

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "beneficiaries.Beneficiary: 1 rows" in out.getvalue()
    assert "beneficiaries.HistoricalBeneficiary:" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    her.refresh_from_db()
    assert (her.national_id, her.mobile.as_e164, her.iban, her.email) == (
        "1000000008",
        "+966501234567",
        "SA0380000000608010167519",
        "her@example.com",
    )
    assert HouseholdMember.objects.get(national_id="1000000016") == member
    after = raw_row(Beneficiary, her.pk, "national_id")[0]
    assert Fernet(new_key).decrypt(after.encode()) == b"1000000008"
    from cryptography.fernet import InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(after.encode())
    # A row written after the rotation is under the new key too.
    later = BeneficiaryFactory(national_id="1000000024")
    with pytest.raises(InvalidToken):
        Fernet(old_key).decrypt(raw_row(Beneficiary, later.pk, "national_id")[0].encode())
