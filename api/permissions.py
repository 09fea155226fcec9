"""Every API view names the roles it is open to (`roles`), as the pages' role_required does."""

from rest_framework import permissions

# For the few endpoints open to anyone (the status lookup, the gateway's receipts, the schema).
PUBLIC = ("public",)


class HasRole(permissions.BasePermission):
    """Anonymous callers are asked to authenticate (401); staff without the role get 403.

    A view without `roles` is closed to everybody: forgetting them cannot open an endpoint.
    The object check is each view's (the apps' access helpers answer 404 outside her reach).
    """

    def has_permission(self, request, view) -> bool:
        roles = getattr(view, "roles", None)
        if roles == PUBLIC:
            return True
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False  # DRF answers 401 with the Bearer challenge
        return bool(roles) and user.has_role(*roles)
