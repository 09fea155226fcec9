"""Who may open which support request (role *and* object; outsiders get 404).

Intake, researchers and managers work on every request. Anybody else (committee members)
reaches a request only through a rule another app registers — the committee app, which may
import requests_app but never the reverse, calls in its AppConfig.ready():

    from requests_app.access import register_request_access_rule
    register_request_access_rule(lambda user: Q(meeting_items__meeting__members=user))

A rule takes the user and returns a Q over SupportRequest granting access, or None for none.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.roles import Role

from .models import SupportRequest

# Roles that work on every request (SPEC §1).
REQUEST_ROLES = (Role.INTAKE, Role.RESEARCHER, Role.MANAGER)
# Roles that may reach the request page at all; the object check decides the rest.
READ_ROLES = (*REQUEST_ROLES, Role.COMMITTEE)

RequestAccessRule = Callable[[object], Q | None]
_rules: list[RequestAccessRule] = []


def register_request_access_rule(rule: RequestAccessRule) -> None:
    """Let another app grant read access to some requests (committee: its agenda's)."""
    if rule not in _rules:
        _rules.append(rule)


def support_requests_visible_to(
    user, queryset: QuerySet[SupportRequest] | None = None
) -> QuerySet[SupportRequest]:
    """Every request the user may read, narrowing `queryset` (default: all requests)."""
    queryset = SupportRequest.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.has_role(*REQUEST_ROLES):
        return queryset
    grants = [q for rule in _rules if (q := rule(user)) is not None]
    if not grants:
        return queryset.none()
    condition = grants[0]
    for q in grants[1:]:
        condition |= q
    return queryset.filter(pk__in=SupportRequest.objects.filter(condition).values("pk"))


def support_request_for_staff(
    user, pk: int, queryset: QuerySet[SupportRequest] | None = None
) -> SupportRequest:
    """The request the user may read, or 404."""
    return get_object_or_404(support_requests_visible_to(user, queryset), pk=pk)


def support_request_for_work(user, pk: int) -> SupportRequest:
    """The request the user may change (intake, researcher, manager), or 404."""
    if not user.has_role(*REQUEST_ROLES):
        return get_object_or_404(SupportRequest.objects.none(), pk=pk)
    return get_object_or_404(SupportRequest, pk=pk)
