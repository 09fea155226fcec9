"""Managers' admin: the committee's members and quorum. Everything else is shown read-only:
meetings, votes and decisions change only through the committee's services."""

from django.contrib import admin

from .models import Appeal, Committee, Decision, Meeting, Membership, ResearchReport, ScoringRule


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "chair", "quorum", "large_amount", "large_amount_quorum"]
    fields = ["name", "chair", "quorum", "large_amount", "large_amount_quorum"]
    inlines = [MembershipInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["number", "committee", "date", "status"]
    list_filter = ["status"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["support_request", "outcome", "approved_amount", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["support_request"]
    show_full_result_count = False


@admin.register(ResearchReport)
class ResearchReportAdmin(ReadOnlyAdmin):
    list_display = ["support_request", "score", "scoring_rule", "completed_at"]
    list_select_related = ["support_request", "scoring_rule"]
    show_full_result_count = False


@admin.register(ScoringRule)
class ScoringRuleAdmin(ReadOnlyAdmin):
    list_display = ["version", "income_threshold", "income_points", "created_at"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["support_request", "filed_via", "filed_at"]
    list_select_related = ["support_request"]
