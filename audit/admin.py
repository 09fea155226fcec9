from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is searched, never edited."""

    list_display = ["created_at", "actor", "actor_role", "verb", "content_type", "object_id"]
    list_filter = ["verb", "actor_kind", "content_type"]
    search_fields = ["verb", "actor__username", "note"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
