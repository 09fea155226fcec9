from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .roles import ROLE_PERMISSIONS


def sync_role_permissions(**kwargs) -> None:
    """Give each role's group exactly the permissions of ROLE_PERMISSIONS.

    Connected to post_migrate, which fires once per app: permissions of apps not migrated yet
    are simply absent this time and are added on that app's turn. Idempotent.
    """
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
