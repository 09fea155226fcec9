from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = _("Programs and funds")

    def ready(self) -> None:
        from .receivers import connect_request_transitions

        connect_request_transitions()
