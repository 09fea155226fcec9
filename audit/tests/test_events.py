import pytest

from audit.models import AppendOnlyError, Event
from audit.selectors import events_for
from audit.services import event_record

pytestmark = pytest.mark.django_db


def test_an_event_records_the_actor_her_role_and_the_subject(make_staff, rf):
    actor = make_staff("researcher")
    subject = make_staff("intake")
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    event = event_record(
        actor=actor, subject=subject, verb="viewed", note="n", extra={"k": 1}, request=request
    )
    assert (event.actor, event.actor_role, event.actor_kind) == (actor, "researcher", "staff")
    assert event.subject == subject
    assert event.ip_address == "10.1.2.3"
    assert list(events_for(subject)) == [event]


def test_an_event_without_a_user_is_the_system(make_staff):
    subject = make_staff("intake")
    event = event_record(actor=None, subject=subject, verb="overdue")
    assert event.actor is None
    assert event.actor_kind == Event.ActorKind.SYSTEM


def test_events_can_be_neither_changed_nor_deleted(make_staff):
    subject = make_staff("intake")
    event = event_record(actor=None, subject=subject, verb="created")
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).delete()
    assert Event.objects.get(pk=event.pk).note == ""


def test_the_admin_offers_no_way_to_edit_the_audit_trail(client_as, manager_user):
    event = event_record(actor=None, subject=manager_user, verb="created")
    client = client_as(manager_user)
    assert client.get(f"/admin/audit/event/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/event/{event.pk}/change/", {"note": "x"})
    assert Event.objects.get(pk=event.pk).note == ""
    assert response.status_code in {200, 403}
