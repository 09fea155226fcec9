from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "requests_app"
    verbose_name = _("Support requests")

    def ready(self) -> None:
        # Her registration completes only once she has signed a declaration (policy steps 4
        # and 6); the declaration lives with her requests, which beneficiaries never imports.
        from beneficiaries.selectors import register_registration_requirement

        from .selectors import declaration_requirement

        register_registration_requirement(declaration_requirement)
