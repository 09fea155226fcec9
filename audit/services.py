"""The one way to write an audit event."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from ipware import get_client_ip

from .models import Event


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    ip, _routable = get_client_ip(request)
    return ip


def event_record(
    *,
    actor: Any | None,
    subject: models.Model,
    verb: str,
    old_state: str = "",
    new_state: str = "",
    note: str = "",
    extra: dict | None = None,
    request: HttpRequest | None = None,
    actor_kind: str | None = None,
) -> Event:
    """Append one event. `actor` is a staff user, or None for the system / a beneficiary.

    Call it inside the transaction of the change it records, so both commit or neither does.
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if actor_kind is None:
        actor_kind = Event.ActorKind.STAFF if is_user else Event.ActorKind.SYSTEM
    role = ""
    if is_user:
        role = getattr(actor, "primary_role", "") or ""
    return Event.objects.create(
        actor=actor if is_user else None,
        actor_kind=actor_kind,
        actor_role=role,
        subject=subject,
        verb=verb,
        old_state=old_state,
        new_state=new_state,
        note=note,
        extra=extra or {},
        ip_address=_client_ip(request),
    )
