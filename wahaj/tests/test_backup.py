"""make backup && make restore, through the scripts: every row and every private file comes
back from the encrypted backup; a changed one is refused (privacy/backup.py; the refusals in
detail: privacy/tests/test_backup.py)."""

import base64
import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from accounts.roles import Role
from audit.services import event_record

ROOT = Path(__file__).resolve().parents[2]
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_url(name: str) -> str:
    params = connection.settings_dict
    user, host = params["USER"] or "postgres", params["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{params['PORT'] or 5432}/{name}"


def table_counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def run(script: str, *args: str, **env: str) -> str:
    result = subprocess.run(
        ["bash", f"scripts/{script}", *args],
        cwd=ROOT,
        env={**os.environ, "BACKUP_ENCRYPTION_KEY": KEY, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_backup_then_restore_into_a_fresh_database_finds_every_row_and_file(tmp_path, make_staff):
    user = make_staff(Role.MANAGER)
    event_record(actor=user, subject=user, verb="backup_probe")
    media = tmp_path / "media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "lease.pdf").write_bytes(b"%PDF-1.4 probe")

    source_url = database_url(connection.settings_dict["NAME"])
    backup = run(
        "backup.sh",
        DATABASE_URL=source_url,
        PRIVATE_MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
    ).splitlines()[-1]

    target = f"wahaj_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        run(
            "restore.sh",
            backup,
            DATABASE_URL=database_url(target),
            PRIVATE_MEDIA_ROOT=str(restored_media),
        )
        source = table_counts(source_url)
        assert source["audit_event"] >= 1
        assert table_counts(database_url(target)) == source
        assert (restored_media / "documents" / "lease.pdf").read_bytes() == b"%PDF-1.4 probe"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def test_a_tampered_backup_is_refused(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    backup = Path(
        run(
            "backup.sh",
            DATABASE_URL=database_url(connection.settings_dict["NAME"]),
            PRIVATE_MEDIA_ROOT=str(media),
            BACKUP_DIR=str(tmp_path / "backups"),
        ).splitlines()[-1]
    )
    assert backup.suffix == ".wbk"
    assert b"PGDMP" not in backup.read_bytes()
    with backup.open("ab") as dump:
        dump.write(b"tampered")
    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(backup)],
        cwd=ROOT,
        env={
            **os.environ,
            "BACKUP_ENCRYPTION_KEY": KEY,
            "DATABASE_URL": database_url("nonexistent_db"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "does not match its checksum" in result.stderr


def test_a_beneficiary_document_comes_back_with_its_row_and_its_bytes(
    tmp_path, make_staff, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from beneficiaries.services import document_add
    from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory

    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media), "base_url": None},
        },
    }
    beneficiary = BeneficiaryFactory()
    document = document_add(
        actor=make_staff(Role.INTAKE),
        beneficiary=beneficiary,
        doc_type="national_id",
        file=SimpleUploadedFile("هوية نورة.pdf", PDF_BYTES),
        content_type="application/pdf",
    )
    backup = run(
        "backup.sh",
        DATABASE_URL=database_url(connection.settings_dict["NAME"]),
        PRIVATE_MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
    ).splitlines()[-1]

    target = f"wahaj_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(database_url("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    try:
        restored_media = tmp_path / "restored-media"
        run(
            "restore.sh",
            backup,
            DATABASE_URL=database_url(target),
            PRIVATE_MEDIA_ROOT=str(restored_media),
        )
        with psycopg2.connect(database_url(target)) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT d.file, b.file_number FROM beneficiaries_document d "
                "JOIN beneficiaries_beneficiary b ON b.id = d.beneficiary_id WHERE d.id = %s",
                [document.pk],
            )
            name, file_number = cursor.fetchone()
        conn.close()
        assert file_number == beneficiary.file_number
        assert name == document.file.name
        assert (restored_media / name).read_bytes() == PDF_BYTES
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
