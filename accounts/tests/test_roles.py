import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.signals import sync_role_permissions

pytestmark = pytest.mark.django_db


def test_the_five_staff_groups_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_every_permission_named_in_the_role_table_exists_and_is_granted():
    sync_role_permissions()
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {
            f"{app}.{code}"
            for app, code in group.permissions.values_list("content_type__app_label", "codename")
        }
        assert granted == set(perms), f"{role}: unknown permission in ROLE_PERMISSIONS"


def test_a_permission_granted_by_hand_is_removed_by_the_next_sync():
    group = Group.objects.get(name=Role.INTAKE)
    group.permissions.add(Permission.objects.get(codename="delete_event"))
    sync_role_permissions()
    assert not group.permissions.filter(codename="delete_event").exists()


def test_a_researcher_holds_intake_and_a_chair_holds_committee(make_staff):
    researcher = make_staff(Role.RESEARCHER)
    chair = make_staff(Role.CHAIR)
    assert researcher.has_role(Role.INTAKE)
    assert not researcher.has_role(Role.COMMITTEE)
    assert chair.has_role(Role.COMMITTEE)
    assert not chair.has_role(Role.INTAKE)


def test_a_manager_holds_every_role(manager_user):
    assert all(manager_user.has_role(role) for role in Role)
    assert manager_user.primary_role == Role.MANAGER
