from django.contrib import admin

from .models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """Who exported what (read-only: an export is a record, like the audit trail)."""

    list_display = ["created_at", "user", "list_name", "format", "masked"]
    list_filter = ["list_name", "format", "masked"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
