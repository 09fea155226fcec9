"""`/admin/` on the audited site: INSTALLED_APPS lists this instead of "django.contrib.admin".

A module of its own: an apps.py holding two AppConfigs would need one marked default, and the
site's module imports models, which INSTALLED_APPS may not."""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "audit.admin_site.AuditedAdminSite"
