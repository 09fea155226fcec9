from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _services_page_ensure(sender, **kwargs) -> None:
    """A flush (transactional tests) wipes the migration's `/services/` text; put it back."""
    from .models import ServicesPageText, SupportTypeInfo
    from .services_page_seed import services_page_seed

    services_page_seed(SupportTypeInfo, ServicesPageText)


class PortalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Beneficiary portal")

    def ready(self) -> None:
        post_migrate.connect(
            _services_page_ensure, sender=self, dispatch_uid="portal.services_page"
        )
