"""Every write through /admin/ leaves an audit Event, whatever the app and its ModelAdmin.

Django's admin keeps its own log (LogEntry); the audit trail is where Wahaj looks (issue 15: a
manager made herself chair through /admin/ and the audit trail never knew). The site below
gives every ModelAdmin registered on it — ours and third-party ones — the mixin, which mirrors
each admin log entry into an `Event` with the fields' values before and after, in the same
transaction as the write.
"""

import json
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .services import event_record

# Values never copied into the audit trail (a hash or a key is a secret even when old), nor her
# identifiers and health or money notes: the trail outlives her file's anonymisation, so it
# says that such a field changed, not what it held.
SECRET_PARTS = ("password", "token", "key", "secret", "hash")
PERSONAL_PARTS = ("national_id", "mobile", "phone", "iban", "email", "health", "debts", "address")
HIDDEN = "•••"


def field_values(obj: models.Model) -> dict[str, Any]:
    """Concrete and many-to-many field values as JSON (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        values[field.attname] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return _plain(values)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready: dates, amounts, files and phone numbers as text."""
    return json.loads(json.dumps(values, default=_json_default))


def _hidden(values: dict[str, Any]) -> dict[str, Any]:
    """Secrets and personal values replaced, their names kept (compared before, hidden after)."""
    return {
        name: HIDDEN if any(part in name for part in SECRET_PARTS + PERSONAL_PARTS) else value
        for name, value in values.items()
    }


def _json_default(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else str(value)


def _changes(before: dict, after: dict) -> dict[str, dict]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {
        "old": {name: before.get(name) for name in changed},
        "new": {name: after[name] for name in changed},
    }


class AuditedAdminMixin:
    """Mirrors the admin's log into the audit trail: add, change (the parent and each inline
    object) and delete, with before and after. Applied by AuditedAdminSite to every ModelAdmin;
    an admin whose writes go through a service records the service's event as well."""

    def get_object(self, request: HttpRequest, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # The form changes this instance in place: keep what it was.
            obj._audit_before = field_values(obj)
        return obj

    def _record(self, request: HttpRequest, obj: models.Model, verb: str, extra: dict) -> None:
        event_record(
            actor=request.user,
            subject=obj,
            verb=verb,
            note=str(obj)[:500],
            extra={
                "via": "admin",
                "model": obj._meta.label,
                **{side: _hidden(values) for side, values in extra.items()},
            },
            request=request,
        )

    def log_addition(self, request, obj, message):
        self._record(request, obj, "admin_add", {"old": {}, "new": field_values(obj)})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        before = getattr(obj, "_audit_before", {})
        self._record(request, obj, "admin_change", _changes(before, field_values(obj)))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        # Called before the deletion (the delete view and the "delete selected" action).
        for obj in queryset:
            self._record(request, obj, "admin_delete", {"old": field_values(obj), "new": {}})
        return super().log_deletions(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline objects are written too: each gets its own event."""
        for inline in formset.deleted_forms:
            if inline.instance.pk is not None:  # deleting gives it up
                self._record(
                    request,
                    inline.instance,
                    "admin_delete",
                    {"old": _plain({k: inline.initial.get(k) for k in inline.fields}), "new": {}},
                )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self._record(request, obj, "admin_add", {"old": {}, "new": field_values(obj)})
        changed = {obj.pk: fields for obj, fields in formset.changed_objects}
        for inline in formset.initial_forms:
            if inline.instance.pk in changed:
                names = changed[inline.instance.pk]
                self._record(
                    request,
                    inline.instance,
                    "admin_change",
                    {
                        "old": _plain({name: inline.initial.get(name) for name in names}),
                        "new": _plain({name: inline.cleaned_data.get(name) for name in names}),
                    },
                )


class AuditedAdminSite(admin.AdminSite):
    """The default admin site (audit.apps.AuditedAdminConfig): every registered ModelAdmin
    gets AuditedAdminMixin, so no app can forget it."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        return super().register(model_or_iterable, admin_class, **options)
