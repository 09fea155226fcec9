from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WahajConfig(AppConfig):
    """The project package as an app: template tags and the `seed_demo` command."""

    name = "wahaj"
    verbose_name = _("Wahaj")
