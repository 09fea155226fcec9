from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Beneficiary, Contact, Document, FileAccess, HouseholdMember, Referral


class HouseholdInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


@admin.register(Beneficiary)
class BeneficiaryAdmin(SimpleHistoryAdmin):
    list_display = ["file_number", "full_name", "national_id", "city", "registration_status"]
    list_filter = ["registration_status", "marital_status"]
    search_fields = ["file_number", "national_id", "full_name"]
    readonly_fields = ["file_number", "version", "created_by", "created_at"]
    show_full_result_count = False
    inlines = [HouseholdInline]


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


admin.site.register(Contact)
admin.site.register(Document)
