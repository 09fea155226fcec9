from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audit.services import event_record
from wahaj.lib.crypto import lookup_hash
from wahaj.lib.validators import normalize_digits

from .models import Beneficiary, Consent, Contact, Document, FileAccess, HouseholdMember, Referral


class HouseholdInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


@admin.register(Beneficiary)
class BeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["file_number", "full_name", "national_id", "city", "registration_status"]
    list_filter = ["registration_status", "marital_status"]
    search_fields = ["file_number", "full_name"]
    readonly_fields = ["file_number", "version", "created_by", "created_at"]
    show_full_result_count = False
    inlines = [HouseholdInline]
    # Her status moves only through the services (beneficiary_registration_complete, suspend,
    # reactivate), which check the requirements and write the reason.
    readonly_fields = [*readonly_fields, "anonymised_at", "registration_status"]

    def get_search_results(self, request, queryset, search_term):
        """A whole national ID through its lookup hash (the column is encrypted)."""
        digits = normalize_digits(search_term.strip())
        if digits.isdigit() and len(digits) == 10:
            return queryset.filter(national_id_hash=lookup_hash(digits)), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        """An edit in the admin is audited like one through the services (`version` too)."""
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        event_record(
            actor=request.user,
            subject=obj,
            verb="beneficiary_updated" if change else "beneficiary_registered",
            extra={"fields": sorted(form.changed_data), "via": "admin", "version": obj.version},
            request=request,
        )


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["beneficiary", "assigned_to", "created_at", "closed_at"]
    raw_id_fields = ["beneficiary"]


@admin.register(FileAccess)
class FileAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "beneficiary"]
    raw_id_fields = ["beneficiary", "document"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is append-only; PostgreSQL refuses it too (issue 19)


admin.site.register(Contact)


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Managers may delete a document (a wrong upload): on record, like every change."""

    list_display = ["beneficiary", "doc_type", "uploaded_at"]
    raw_id_fields = ["beneficiary"]
    exclude = ["file"]  # served only through the permission-checked, logged view

    def _record_deletion(self, request, document: Document) -> None:
        event_record(
            actor=request.user,
            subject=document.beneficiary,
            verb="document_deleted",
            extra={"document": document.pk, "doc_type": document.doc_type, "via": "admin"},
            request=request,
        )

    def delete_model(self, request, obj):
        self._record_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for document in queryset.select_related("beneficiary"):
            self._record_deletion(request, document)
        super().delete_queryset(request, queryset)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["beneficiary", "purpose", "notice_version", "given_at", "recorded_by"]
    raw_id_fields = ["beneficiary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
