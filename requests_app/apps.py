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

        # The list's researcher filter reads its options from the cache (filters.py): any
        # change to a user or to her groups forgets them.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .filters import forget_researcher_choices

        user = get_user_model()
        for signal in (post_save, post_delete):
            signal.connect(forget_researcher_choices, sender=user, dispatch_uid=f"h9-{signal}")
        m2m_changed.connect(
            forget_researcher_choices, sender=user.groups.through, dispatch_uid="h9-groups"
        )
