from django.http import HttpRequest

from .roles import Role


def roles(request: HttpRequest) -> dict:
    """`roles` in every template: the set of roles the logged-in person holds."""
    user = getattr(request, "user", None)
    held = user.roles if user is not None and user.is_authenticated else frozenset()
    return {"roles": held, "Role": Role}
