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
    # The token is a key to her survey: never shown here.
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
    exclude = ["token"]

    def has_add_permission(self, request):
        return False
