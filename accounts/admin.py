from importlib import import_module

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import TwoFactorDevice, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Contact"), {"fields": ("mobile", "preferred_language")}),
    )
    list_display = ["username", "first_name", "last_name", "is_active", "last_login"]


# The seeds live encrypted in TwoFactorDevice (issue 19); django-otp's own model stays only for
# the migration that moved them, so its admin (which shows the seed) is taken away. Importing
# its admin module first registers it whatever the order of INSTALLED_APPS.
import_module("django_otp.plugins.otp_totp.admin")
admin.site.unregister(TOTPDevice)


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    # Never the seed: an authenticator is enrolled through an invitation (accounts/two_factor).
    fields = ["user", "name", "confirmed"]
    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
