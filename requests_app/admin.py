"""Support requests in the admin, read-only: only requests_app.services changes a request."""

from django.contrib import admin

from wahaj.lib.crypto import lookup_hash
from wahaj.lib.validators import normalize_digits

from .models import Declaration, ReferenceCounter, SupportRequest, VerificationCheck


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DeclarationInline(admin.StackedInline):
    model = Declaration
    can_delete = False
    extra = 0
    readonly_fields = ["text", "signed_name", "signed_at", "signed_via", "witness"]


class VerificationInline(admin.TabularInline):
    model = VerificationCheck
    can_delete = False
    extra = 0
    readonly_fields = ["item", "checked_by", "checked_at"]


@admin.register(SupportRequest)
class SupportRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "beneficiary",
        "request_type",
        "channel",
        "state",
        "submitted_at",
        "decision_due_at",
    ]
    list_filter = ["state", "request_type", "channel"]
    list_select_related = ["beneficiary"]
    search_fields = ["reference", "beneficiary__file_number"]
    ordering = ["decision_due_at"]
    raw_id_fields = ["beneficiary", "researcher", "created_by", "decided_by", "delivered_by"]
    inlines = [DeclarationInline, VerificationInline]

    def get_search_results(self, request, queryset, search_term):
        """Her whole national ID through its lookup hash (the column is encrypted)."""
        digits = normalize_digits(search_term.strip())
        if digits.isdigit() and len(digits) == 10:
            return queryset.filter(beneficiary__national_id_hash=lookup_hash(digits)), False
        return super().get_search_results(request, queryset, search_term)


admin.site.register(ReferenceCounter, ReadOnlyAdmin)
