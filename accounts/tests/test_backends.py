"""The roles' permissions read from ROLE_PERMISSIONS (accounts.backends): the same answers as
Django's ModelBackend reading the groups, without its query (issue 23)."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import RoleModelBackend
from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_every_role_holds_what_the_database_grants_it(make_staff):
    people = [make_staff(role) for role in Role] + [make_staff(Role.RESEARCHER, Role.MANAGER)]
    for person in people:
        expected = ModelBackend().get_all_permissions(_fresh(person))
        assert RoleModelBackend().get_all_permissions(_fresh(person)) == expected
    assert ModelBackend().get_all_permissions(_fresh(people[-1]))  # not two empty sets


def test_a_role_s_permissions_cost_no_query_beyond_her_groups(manager_user):
    user = _fresh(manager_user)
    assert user.group_names  # read by every staff page (the roles, the navigation)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("reports.export_data")
        assert user.has_perm("reports.view_personal_identifiers")
        assert not user.has_perm("audit.delete_event")
    # One query: the permissions given to her alone (Django's user_permissions).
    assert len(queries.captured_queries) == 1
    assert "auth_group_permissions" not in queries.captured_queries[0]["sql"]


def test_a_permission_given_to_one_person_still_counts(intake_user):
    permission = Permission.objects.get(codename="export_data")
    intake_user.user_permissions.add(permission)
    assert _fresh(intake_user).has_perm("reports.export_data")


def test_a_group_that_is_not_a_role_is_read_from_the_database(intake_user):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_event"))
    intake_user.groups.add(auditors)
    assert _fresh(intake_user).has_perm("audit.view_event")
    assert _fresh(intake_user).has_perm("requests_app.add_supportrequest")


def test_an_inactive_person_holds_nothing(manager_user):
    manager_user.is_active = False
    manager_user.save()
    assert not _fresh(manager_user).has_perm("reports.export_data")
