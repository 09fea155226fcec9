from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from . import receivers

        # A flush (transactional tests) wipes the data migration's survey; put it back.
        post_migrate.connect(
            receivers.ensure_default_survey, sender=self, dispatch_uid="surveys.default_survey"
        )
        receivers.connect_request_transitions()
