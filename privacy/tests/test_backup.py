"""Encrypted backups (issue 19, part 5): the round trip into a fresh database, and the backups
that must be refused — changed, made with another key — with nothing touched."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from beneficiaries.models import Beneficiary, Document
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from privacy import backup
from privacy.backup import BackupRefused, backup_restore, key_generate, key_parse
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

KEY = key_generate()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backup_key(settings):
    settings.BACKUP_ENCRYPTION_KEY = KEY
    return key_parse(KEY)


def _made(tmp_path) -> Path:
    call_command("backup_create", output_dir=str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").glob("*.wbk")
    return made


def _documents(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _counts_here() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
            counts[table] = cursor.fetchone()[0]
    return counts


def _fresh_database(tmp_path):
    """An empty database of the same engine; yields its settings dict and a count function."""
    if connection.vendor == "postgresql":
        name = f"wahaj_restore_{uuid.uuid4().hex[:10]}"
        admin = psycopg2.connect(
            dbname="postgres",
            host=connection.settings_dict["HOST"],
            port=connection.settings_dict["PORT"],
            user=connection.settings_dict["USER"],
            password=connection.settings_dict["PASSWORD"],
        )
        admin.autocommit = True
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        return {**connection.settings_dict, "NAME": name}, admin
    return {"ENGINE": connection.settings_dict["ENGINE"], "NAME": str(tmp_path / "fresh.db")}, None


def _counts_in(database: dict, tables) -> dict[str, int]:
    if connection.vendor == "postgresql":
        link = psycopg2.connect(
            dbname=database["NAME"],
            host=database["HOST"],
            port=database["PORT"],
            user=database["USER"],
            password=database["PASSWORD"],
        )
    else:
        import sqlite3

        link = sqlite3.connect(database["NAME"])
    try:
        cursor = link.cursor()
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the schema
            counts[table] = cursor.fetchone()[0]
        return counts
    finally:
        link.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_every_row_and_document(
    tmp_path, backup_key, settings
):
    her = BeneficiaryFactory(national_id="1098765432", iban="SA0380000000608010167519")
    DocumentFactory(beneficiary=her)
    DocumentFactory(
        beneficiary=her,
        file=ContentFile(os.urandom(3 * backup.CHUNK + 17), name="scan.pdf"),
        original_name="scan.pdf",
    )
    request_in_state(SupportRequest.State.SUBMITTED, beneficiary=her)
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    before_documents = _documents(media)
    before_counts = _counts_here()
    assert before_counts["beneficiaries_beneficiary"] >= 1
    assert len(before_documents) == 2

    made = _made(tmp_path)

    # Encrypted: neither her national ID, nor the archive's or the dump's headers show.
    content = made.read_bytes()
    assert b"1098765432" not in content
    assert b"ustar" not in content
    assert b"PGDMP" not in content
    assert content.startswith(backup.MAGIC)
    database, admin = _fresh_database(tmp_path)
    try:
        restored_media = tmp_path / "restored-media"
        done = backup_restore(
            path=made, key=backup_key, media_root=restored_media, database=database
        )
        assert done.documents == 2
        assert done.engine == connection.vendor
        assert _counts_in(database, before_counts) == before_counts
        assert _documents(restored_media) == before_documents
    finally:
        if admin is not None:
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')
            admin.close()


@pytest.fixture
def made_backup(tmp_path, backup_key, settings, transactional_db):
    """A backup of one woman's file, then a change after it (a second woman and a new file
    under the documents) that a refused restore must leave in place."""
    DocumentFactory()
    made = _made(tmp_path)
    BeneficiaryFactory(full_name="بعد النسخة")
    marker = Path(settings.PRIVATE_MEDIA_ROOT) / "after-the-backup.txt"
    marker.write_bytes(b"written after the backup")
    return made


def _nothing_changed(settings) -> None:
    assert Beneficiary.objects.filter(full_name="بعد النسخة").exists()
    assert Beneficiary.objects.count() == 2
    assert Document.objects.count() == 1
    media = Path(settings.PRIVATE_MEDIA_ROOT)
    assert (media / "after-the-backup.txt").read_bytes() == b"written after the backup"


def _flip_a_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _checksum_rewritten(path: Path) -> None:
    import hashlib

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n")


def test_a_changed_byte_fails_the_checksum_and_nothing_is_restored(made_backup, settings):
    _flip_a_byte(made_backup, made_backup.stat().st_size // 2)
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("backup_restore", str(made_backup))
    _nothing_changed(settings)


def test_a_change_with_a_forged_checksum_fails_authentication(made_backup, settings):
    _flip_a_byte(made_backup, made_backup.stat().st_size // 2)
    _checksum_rewritten(made_backup)
    with pytest.raises(CommandError, match=r"fails its authentication \(HMAC\)"):
        call_command("backup_restore", str(made_backup))
    _nothing_changed(settings)


def test_a_backup_cut_short_is_refused(made_backup, settings):
    made_backup.write_bytes(made_backup.read_bytes()[: backup.HEADER_SIZE + 100])
    _checksum_rewritten(made_backup)
    with pytest.raises(CommandError, match="fails its authentication"):
        call_command("backup_restore", str(made_backup))
    _nothing_changed(settings)


def test_a_backup_without_its_checksum_is_refused(made_backup, settings):
    made_backup.with_name(made_backup.name + ".sha256").unlink()
    with pytest.raises(CommandError, match="No checksum file"):
        call_command("backup_restore", str(made_backup))
    _nothing_changed(settings)


def test_another_key_is_refused_and_nothing_is_restored(made_backup, settings):
    settings.BACKUP_ENCRYPTION_KEY = key_generate()
    with pytest.raises(CommandError, match="made with another key"):
        call_command("backup_restore", str(made_backup))
    _nothing_changed(settings)


def test_the_right_key_verifies(made_backup, settings):
    call_command("backup_restore", str(made_backup), verify_only=True)
    _nothing_changed(settings)


def test_no_backup_without_a_key_or_with_a_field_key(tmp_path, settings, db):
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY is not set"):
        call_command("backup_create", output_dir=str(tmp_path))
    settings.BACKUP_ENCRYPTION_KEY = "c2hvcnQ="
    with pytest.raises(CommandError, match="32 random bytes"):
        call_command("backup_create", output_dir=str(tmp_path))
    settings.BACKUP_ENCRYPTION_KEY = KEY
    settings.FIELD_ENCRYPTION_KEYS = [key_generate(), KEY]
    with pytest.raises(CommandError, match="must not be one of the FIELD_ENCRYPTION_KEYS"):
        call_command("backup_create", output_dir=str(tmp_path))
    assert not list(tmp_path.glob("*.wbk"))


def test_a_backup_of_the_other_engine_is_refused(made_backup, backup_key, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite3"
    target = {"ENGINE": f"django.db.backends.{other}", "NAME": str(tmp_path / "x")}
    with pytest.raises(BackupRefused, match="Refused"):
        backup_restore(path=made_backup, key=backup_key, media_root=tmp_path, database=target)
    assert not (tmp_path / "x").exists()


def test_make_restore_exits_non_zero_on_a_changed_backup(made_backup):
    _flip_a_byte(made_backup, backup.HEADER_SIZE + 3)
    _checksum_rewritten(made_backup)
    env = {**os.environ, "BACKUP_ENCRYPTION_KEY": KEY, "DEBUG": "1"}
    done = subprocess.run(
        ["make", "--no-print-directory", "restore", f"BACKUP={made_backup}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "fails its authentication" in done.stderr
