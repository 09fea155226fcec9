"""The log-in backend: Django's ModelBackend, with the roles' permissions read from the code.

A role's group holds exactly the permissions of ROLE_PERMISSIONS, set after every `migrate`
(accounts.signals): the table in accounts/roles.py is the source and the database its copy.
Reading the copy cost every page that asks `perms.…` a query of ~70 rows through three tables
(~1.3 ms; the staff list asks it for its export links, issue 23); her groups' names are read
anyway (`User.group_names`, one small query, cached on the user). A group that is not a role,
a superuser and permissions given to one person are read from the database, as Django does.
"""

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS


class RoleModelBackend(ModelBackend):
    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        names = getattr(user_obj, "group_names", None)
        if user_obj.is_superuser or names is None or not names <= ROLE_PERMISSIONS.keys():
            return super().get_group_permissions(user_obj, obj)
        if not hasattr(user_obj, "_group_perm_cache"):
            user_obj._group_perm_cache = {perm for name in names for perm in ROLE_PERMISSIONS[name]}
        return user_obj._group_perm_cache
