"""Issue 19: scripts/db-role.sh makes an owner role that migrates and an application role that
owns nothing: against a scratch database, migrated as the owner, the application role appends
an audit event but can neither change one nor drop a table."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import errors

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent


def _url(user: str, password: str, database: str) -> str:
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{database}"


def _admin_url(database: str) -> str:
    db = settings.DATABASES["default"]
    return _url(db["USER"], db.get("PASSWORD") or "", database)


@pytest.fixture
def scratch():
    """A database and two roles of its own, gone afterwards (roles are cluster-wide)."""
    suffix = secrets.token_hex(3)
    names = {
        "WAHAJ_DB": f"wahaj_role_{suffix}",
        "OWNER_ROLE": f"wahaj_owner_{suffix}",
        "APP_ROLE": f"wahaj_app_{suffix}",
        "OWNER_PASSWORD": secrets.token_urlsafe(12),
        "APP_PASSWORD": secrets.token_urlsafe(12),
    }
    yield names
    admin = psycopg2.connect(_admin_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {names['WAHAJ_DB']} WITH (FORCE)")
        cursor.execute(f"DROP ROLE IF EXISTS {names['APP_ROLE']}")
        cursor.execute(f"DROP ROLE IF EXISTS {names['OWNER_ROLE']}")
    admin.close()


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _refused(cursor, sql: str, params=()) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        cursor.execute(sql, params)
    cursor.connection.rollback()


def test_the_application_role_appends_to_the_trail_and_can_neither_rewrite_it_nor_drop(scratch):
    script = {**scratch, "PGADMIN_URL": _admin_url("postgres")}
    db, owner, app = scratch["WAHAJ_DB"], scratch["OWNER_ROLE"], scratch["APP_ROLE"]
    _run([str(ROOT / "scripts/db-role.sh")], script)
    owner_url = _url(owner, scratch["OWNER_PASSWORD"], db)
    _run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        {"DATABASE_URL": owner_url, "DEBUG": "1"},
    )
    _run([str(ROOT / "scripts/db-role.sh")], script)  # again after migrate, as the README says

    connection = psycopg2.connect(_url(app, scratch["APP_PASSWORD"], db))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s", [app]
        )
        assert cursor.fetchone() == (False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> %s",
            [owner],
        )
        assert cursor.fetchone() == (0,)  # everything is the owner's, nothing the app's

        cursor.execute("SELECT id FROM django_content_type ORDER BY id LIMIT 1")
        content_type = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO audit_event (actor_kind, actor_role, content_type_id, object_id, verb,"
            " old_state, new_state, note, extra, created_at)"
            " VALUES ('system', '', %s, 1, 'created', '', '', 'as written', '{}', now())"
            " RETURNING id",
            [content_type],
        )
        event = cursor.fetchone()[0]
        connection.commit()

        _refused(cursor, "UPDATE audit_event SET note = 'rewritten' WHERE id = %s", [event])
        _refused(cursor, "DELETE FROM audit_event WHERE id = %s", [event])
        _refused(cursor, "TRUNCATE audit_event")
        _refused(cursor, "DROP TABLE beneficiaries_beneficiary CASCADE")
        _refused(cursor, "ALTER TABLE audit_event DISABLE TRIGGER ALL")
        _refused(cursor, "CREATE TABLE stray (id int)")
        _refused(cursor, "UPDATE beneficiaries_fileaccess SET kind = 'edit'")
        # What the application does need still works: an ordinary write.
        cursor.execute("UPDATE django_content_type SET model = model WHERE id = %s", [content_type])
        cursor.execute("SELECT note FROM audit_event WHERE id = %s", [event])
        assert cursor.fetchone() == ("as written",)
    connection.close()

    # The owner, which may (it owns the table), is still refused by the trigger.
    connection = psycopg2.connect(owner_url)
    with connection.cursor() as cursor, pytest.raises(errors.RaiseException, match="pgtrigger"):
        cursor.execute("UPDATE audit_event SET note = 'rewritten' WHERE id = %s", [event])
    connection.close()
