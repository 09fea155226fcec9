"""The committee's composition and rules change only through audited services (issue 15)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import Event
from committee import services
from committee.models import Committee

pytestmark = pytest.mark.django_db


def form_data(committee: Committee, **changes) -> dict:
    data = {
        "name": committee.name,
        "chair": committee.chair_id,
        "members": list(committee.members.values_list("pk", flat=True)),
        "quorum": committee.quorum or "",
        "large_amount": committee.large_amount or "",
        "large_amount_quorum": committee.large_amount_quorum or "",
    }
    return data | changes


def test_a_manager_changes_the_chair_members_and_quorum_on_her_page_and_it_is_audited(
    client_as, manager_user, committee, members, make_staff
):
    new_chair = make_staff(Role.CHAIR, username="new_chair")
    url = reverse("committee:committee_edit", args=[committee.pk])
    client = client_as(manager_user)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        form_data(
            committee,
            chair=new_chair.pk,
            members=[members[0].pk, members[1].pk],
            quorum=2,
            large_amount="5000",
            large_amount_quorum=3,
        ),
    )
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.chair == new_chair
    assert set(committee.members.values_list("username", flat=True)) == {
        "new_chair",
        "member_1",
        "member_2",
    }
    assert (committee.quorum, committee.large_amount) == (2, Decimal(5000))

    event = Event.objects.for_subject(committee).get(verb="committee_update")
    assert event.actor == manager_user
    assert event.extra["old"] == {
        "quorum": None,
        "large_amount": None,
        "large_amount_quorum": None,
        "chair": "chair_p",
        "members": ["chair_p", "member_1", "member_2", "member_3"],
    }
    assert event.extra["new"] == {
        "quorum": 2,
        "large_amount": "5000.00",
        "large_amount_quorum": 3,
        "chair": "new_chair",
        "members": ["member_1", "member_2", "new_chair"],
    }


def test_saving_without_a_change_records_nothing(manager_user, committee):
    services.committee_update(
        actor=manager_user,
        committee=committee,
        chair=committee.chair,
        members=list(committee.members.all()),
    )
    assert not Event.objects.for_subject(committee).filter(verb="committee_update").exists()


def test_a_quorum_above_the_members_and_a_chair_without_the_role_are_refused(
    manager_user, committee, members
):
    with pytest.raises(services.CommitteeError) as refused:
        services.committee_update(
            actor=manager_user,
            committee=committee,
            chair=committee.chair,
            members=members,
            quorum=5,
        )
    assert str(refused.value.message) == str(
        services.QUORUM_ABOVE_MEMBERS % {"quorum": 5, "members": 4}
    )
    with pytest.raises(services.CommitteeError) as refused:
        services.committee_update(
            actor=manager_user, committee=committee, chair=members[0], members=members
        )
    assert refused.value.message == services.CHAIR_ROLE_NEEDED
    committee.refresh_from_db()
    assert committee.quorum is None


def test_a_manager_forms_a_committee_from_her_page(client_as, manager_user, chair_user, members):
    response = client_as(manager_user).post(
        reverse("committee:committee_new"),
        {"name": "لجنة الحالات العاجلة", "chair": chair_user.pk, "members": [members[0].pk]},
    )
    assert response.status_code == 302
    committee = Committee.objects.get(name="لجنة الحالات العاجلة")
    event = Event.objects.for_subject(committee).get(verb="committee_create")
    assert event.extra["new"]["members"] == ["chair_p", "member_1"]


def test_only_managers_open_the_committees_page(client_as, chair_user, manager_user, committee):
    url = reverse("committee:committees")
    assert client_as(chair_user).get(url).status_code == 403
    response = client_as(manager_user).get(url)
    assert committee.name in response.content.decode()
