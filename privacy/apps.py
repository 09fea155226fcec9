from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """PDPL and audit across the apps: retention, the records of processing, the audit search,
    and the log of who viewed whose data. At the top of the layers: it reads every app."""

    name = "privacy"
    verbose_name = _("Privacy and audit")
