"""The outbox in the admin: managers see every message, filter the failed ones and re-send them.

Rows are read-only here: only `notifications.services` changes a message's status.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Message
from .services import context_without_secrets, messages_resend


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template_label",
        "channel",
        "to",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "channel", "template", "language"]
    # The reference is what a gateway's support desk or its delivery report quotes.
    search_fields = ["idempotency_key", "reference", "provider_id"]  # `to` is encrypted
    date_hierarchy = "created_at"
    list_per_page = 50
    # Counting a large outbox on every page costs more than the page (NOTES.md).
    show_full_result_count = False
    actions = ["resend"]
    # The context is shown without its secrets (a portal code is valid for 5 minutes).
    exclude = ["context"]
    readonly_fields = [
        *(f.name for f in Message._meta.fields if f.name not in {"id", "context"}),
        "safe_context",
    ]

    @admin.display(description=_("message"), ordering="template")
    def template_label(self, obj: Message) -> str:
        return obj.template_label

    @admin.display(description=_("context"))
    def safe_context(self, obj: Message) -> dict:
        return context_without_secrets(obj.context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Re-send the selected failed messages"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_resend(actor=request.user, messages=queryset)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("Only failed messages can be re-sent; the others were left alone."),
                messages.WARNING,
            )
