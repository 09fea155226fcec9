"""Issue 19: PostgreSQL itself refuses to change or remove an audit event (django-pgtrigger),
whoever connects — raw SQL included; the ORM guard (AppendOnlyError) is the first line only."""

import pytest
from django.db import InternalError, connection, transaction

from audit.services import event_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _refused(sql: str, params: list) -> None:
    with (
        pytest.raises(InternalError, match="pgtrigger: Cannot"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_raw_sql_can_neither_update_nor_delete_an_event(manager_user):
    event = event_record(actor=None, subject=manager_user, verb="created", note="as written")
    _refused("UPDATE audit_event SET note = 'rewritten' WHERE id = %s", [event.pk])
    _refused("UPDATE audit_event SET actor_id = NULL WHERE id = %s", [event.pk])
    _refused("DELETE FROM audit_event WHERE id = %s", [event.pk])
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM audit_event WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("as written",)


def test_appending_an_event_in_raw_sql_still_works(manager_user):
    event = event_record(actor=None, subject=manager_user, verb="created")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_event (actor_kind, actor_role, content_type_id, object_id, verb,"
            " old_state, new_state, note, extra, created_at)"
            " SELECT actor_kind, actor_role, content_type_id, object_id, 'copied', '', '', '',"
            " '{}', now() FROM audit_event WHERE id = %s",
            [event.pk],
        )
        assert cursor.rowcount == 1
