from django.contrib import admin

from .models import CorrectionRequest, ServicesPageText, SupportTypeInfo


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


@admin.register(SupportTypeInfo)
class SupportTypeInfoAdmin(admin.ModelAdmin):
    """The text of `/services/`, one row per support type (seeded by a migration for every
    type; a type is hidden by unticking "shown on the page", never deleted)."""

    list_display = ["request_type", "order", "published", "updated_at"]
    list_editable = ["order", "published"]
    readonly_fields = ["request_type"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServicesPageText)
class ServicesPageTextAdmin(admin.ModelAdmin):
    """The general text of `/services/`: one row, seeded by a migration."""

    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
