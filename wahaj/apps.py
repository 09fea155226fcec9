from django.apps import AppConfig


class WahajConfig(AppConfig):
    """The project package as an app: template tags and the `seed_demo` command."""

    name = "wahaj"
    verbose_name = "Wahaj"
