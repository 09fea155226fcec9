"""Managers edit the surveys here (SPEC §7: editable by managers); answers are read-only."""

from django.contrib import admin

from .models import Invitation, Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["position", "key", "kind", "text", "required"]
    ordering = ["position"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_active", "created_at"]
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    # Only the token's hash is stored (the token is in her message): not worth showing.
    list_display = ["support_request", "trigger", "created_at", "expires_at", "used_at"]
    list_filter = ["trigger"]
    readonly_fields = [
        "survey",
        "support_request",
        "trigger",
        "created_at",
        "expires_at",
        "send_after",
        "used_at",
    ]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False
