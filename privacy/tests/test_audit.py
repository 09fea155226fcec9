"""Every view, change, export and download of her data is on record: who, role, when, what,
from where — bulk updates and admin edits included — and managers can search the record."""

import pytest
from django.urls import reverse

from audit.models import Event
from beneficiaries.models import Beneficiary, FileAccess
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from requests_app.tests.factories import SupportRequestFactory

pytestmark = pytest.mark.django_db

FROM = {"REMOTE_ADDR": "10.1.2.3"}


def test_opening_her_file_records_who_in_which_role_when_and_from_where(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    client_as(intake_user).get(reverse("beneficiaries:detail", args=[beneficiary.pk]), **FROM)
    access = FileAccess.objects.get()
    assert (access.user, access.role, access.kind) == (intake_user, "intake", "file")
    assert (access.ip_address, access.view_name) == ("10.1.2.3", "beneficiaries:detail")
    assert access.beneficiary == beneficiary
    assert access.at is not None


def test_downloading_a_document_records_the_document(client_as, researcher_user):
    document = DocumentFactory()
    url = reverse("beneficiaries:document_download", args=[document.beneficiary_id, document.pk])
    client_as(researcher_user).get(url, **FROM)
    access = FileAccess.objects.get()
    assert (access.kind, access.document, access.role) == ("document", document, "researcher")


def test_opening_one_of_her_requests_records_a_view_of_her_data(client_as, intake_user):
    support_request = SupportRequestFactory()
    url = reverse("requests_app:detail", args=[support_request.pk])
    assert client_as(intake_user).get(url, **FROM).status_code == 200
    access = FileAccess.objects.get()
    assert access.beneficiary_id == support_request.beneficiary_id
    assert (access.kind, access.view_name, access.ip_address) == (
        "page",
        "requests_app:detail",
        "10.1.2.3",
    )


def test_a_refused_page_records_nothing(client_as, member_user):
    support_request = SupportRequestFactory()
    url = reverse("requests_app:detail", args=[support_request.pk])
    assert client_as(member_user).get(url).status_code == 404
    assert not FileAccess.objects.exists()


def test_her_own_data_download_in_the_portal_is_recorded_as_hers(portal_client):
    beneficiary = BeneficiaryFactory()
    response = portal_client(beneficiary).get(reverse("portal:data_json"), **FROM)
    assert response.status_code == 200
    access = FileAccess.objects.get()
    assert (access.user, access.role, access.kind) == (None, "beneficiary", "download")
    assert access.beneficiary == beneficiary


def test_an_export_is_audited_with_its_filter(client_as, manager_user):
    BeneficiaryFactory()
    client = client_as(manager_user)
    response = client.get(reverse("reports:export", args=["beneficiaries", "csv"]), **FROM)
    b"".join(response.streaming_content)
    event = Event.objects.get(verb="export")
    assert (event.actor, event.actor_role, event.ip_address) == (
        manager_user,
        "manager",
        "10.1.2.3",
    )


def test_a_bulk_update_which_fires_no_signal_still_writes_one_event_per_file(manager_user):
    first, second = BeneficiaryFactory(), BeneficiaryFactory()
    BeneficiaryFactory(city="جدة")

    changed = (
        Beneficiary.objects.filter(city="الرياض")
        .by(manager_user)
        .update(registration_status="suspended")
    )

    assert changed == 2
    events = Event.objects.filter(verb="bulk_update")
    assert sorted(e.object_id for e in events) == sorted([first.pk, second.pk])
    assert {(e.actor, e.actor_role) for e in events} == {(manager_user, "manager")}
    assert events[0].extra["fields"] == ["registration_status"]


def test_a_manager_cannot_edit_her_file_through_the_admin(client_as, manager_user):
    """Changes go through the services (audited): the admin only shows the file to managers."""
    beneficiary = BeneficiaryFactory()
    url = reverse("admin:beneficiaries_beneficiary_change", args=[beneficiary.pk])
    response = client_as(manager_user).post(url, {"city": "جدة"})
    assert response.status_code == 403
    beneficiary.refresh_from_db()
    assert beneficiary.city == "الرياض"


def test_an_edit_in_the_admin_by_a_superuser_is_audited(client_as, make_staff):
    root = make_staff("manager", username="root_p", is_staff=True, is_superuser=True)
    beneficiary = BeneficiaryFactory()
    client = client_as(root)
    url = reverse("admin:beneficiaries_beneficiary_change", args=[beneficiary.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "mobile": beneficiary.mobile.as_e164,
            "phone2": "",
            "city": "جدة",
            "household-TOTAL_FORMS": "0",
            "household-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(verb="beneficiary_updated")
    assert (event.actor, event.extra["via"]) == (root, "admin")
    assert "city" in event.extra["fields"]


def test_the_audit_trail_cannot_be_edited_through_the_admin(client_as, manager_user):
    event = Event.objects.create(
        actor_kind="system",
        content_type_id=1,
        object_id=1,
        verb="test",
    )
    client = client_as(manager_user)
    response = client.post(reverse("admin:audit_event_change", args=[event.pk]), {"verb": "forged"})
    assert response.status_code in (302, 403)
    event.refresh_from_db()
    assert event.verb == "test"


# --- the managers' search ------------------------------------------------------------------
AUDIT = reverse("privacy:audit")


def test_a_manager_finds_every_change_to_one_file_by_its_number(
    client_as, manager_user, intake_user
):
    wanted, other = BeneficiaryFactory(), BeneficiaryFactory()
    for beneficiary in (wanted, other):
        Event.objects.create(
            actor=intake_user, actor_kind="staff", subject=beneficiary, verb="beneficiary_updated"
        )
    request = SupportRequestFactory(beneficiary=wanted)
    Event.objects.create(actor=intake_user, actor_kind="staff", subject=request, verb="create")

    response = client_as(manager_user).get(AUDIT, {"file_number": wanted.file_number})

    rows = response.context["rows"]
    assert {(r.verb, r.object_id) for r in rows} == {
        ("beneficiary_updated", wanted.pk),
        ("create", request.pk),
    }


def test_a_manager_searches_by_actor_and_verb(client_as, manager_user, intake_user):
    BeneficiaryFactory()
    beneficiary = BeneficiaryFactory()
    added, recorded = "document_added", "contact_recorded"
    Event.objects.create(actor=intake_user, actor_kind="staff", subject=beneficiary, verb=added)
    Event.objects.create(actor=manager_user, actor_kind="staff", subject=beneficiary, verb=added)
    Event.objects.create(actor=intake_user, actor_kind="staff", subject=beneficiary, verb=recorded)
    response = client_as(manager_user).get(AUDIT, {"actor": "intake_p", "verb": added})
    assert [(r.actor, r.verb) for r in response.context["rows"]] == [(intake_user, added)]
    # The action is chosen, and shown, by its label.
    assert '<option value="document_added" selected>أُضيف مستند</option>' in (
        response.content.decode()
    )


def test_a_manager_searches_the_access_log(client_as, manager_user, intake_user):
    beneficiary = BeneficiaryFactory()
    client_as(intake_user).get(reverse("beneficiaries:detail", args=[beneficiary.pk]))
    response = client_as(manager_user).get(
        AUDIT, {"log": "access", "file_number": beneficiary.file_number}
    )
    assert [(r.user, r.kind) for r in response.context["rows"]] == [(intake_user, "file")]
    assert "intake_p" in response.content.decode()


def test_the_audit_search_reads_a_constant_number_of_queries(
    client_as, manager_user, intake_user, django_assert_max_num_queries
):
    beneficiary = BeneficiaryFactory()
    for n in range(60):
        Event.objects.create(
            actor=intake_user, actor_kind="staff", subject=beneficiary, verb=f"v{n}"
        )
    client = client_as(manager_user)
    client.get(AUDIT)
    with django_assert_max_num_queries(12):
        response = client.get(AUDIT)
    assert len(response.context["rows"]) == 50
    assert response.context["has_next"] is True


@pytest.mark.parametrize("role", ["intake_user", "researcher_user", "member_user", "chair_user"])
def test_only_managers_search_the_audit_trail(client_as, request, role):
    assert client_as(request.getfixturevalue(role)).get(AUDIT).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(AUDIT).status_code == 302


def test_a_meeting_page_records_a_view_of_each_woman_on_its_agenda(
    client_as, member_user, chair_user, researcher_user, intake_user
):
    from committee.tests.factories import committee_with, open_meeting, request_before_committee

    committee = committee_with(chair=chair_user, members=[member_user])
    requests = [
        request_before_committee(researcher=researcher_user, intake=intake_user) for _ in range(2)
    ]
    meeting = open_meeting(committee=committee, requests=requests)

    client_as(member_user).get(reverse("committee:meeting", args=[meeting.pk]), **FROM)

    rows = FileAccess.objects.filter(view_name="committee:meeting")
    assert sorted(r.beneficiary_id for r in rows) == sorted(r.beneficiary_id for r in requests)
    assert {(r.user, r.role, r.ip_address) for r in rows} == {
        (member_user, "committee", "10.1.2.3")
    }
