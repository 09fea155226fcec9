from django.contrib import admin

from .models import CorrectionRequest


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    """Read-only here: intake closes them on /portal/staff/corrections/ (an audited service).
    Login codes are not listed at all: their hashes are of no use to anyone."""

    list_display = ["beneficiary", "status", "created_at", "due_at", "handled_by"]
    list_filter = ["status"]
    list_select_related = ["beneficiary", "handled_by"]
    readonly_fields = [f.name for f in CorrectionRequest._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
