from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .labels import VERB_LABELS, verb_label
from .models import Event


class VerbFilter(admin.SimpleListFilter):
    """The actions by their labels, not their codes (`document_added`)."""

    title = _("action")
    parameter_name = "verb"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return sorted(
            ((verb, str(label)) for verb, label in VERB_LABELS.items()), key=lambda x: x[1]
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(verb=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is searched, never edited."""

    list_display = ["created_at", "actor", "actor_role", "action", "content_type", "object_id"]
    list_filter = [VerbFilter, "actor_kind", "content_type"]
    search_fields = ["verb", "actor__username", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]

    @admin.display(description=_("action"), ordering="verb")
    def action(self, obj: Event) -> str:
        return verb_label(obj.verb)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
