from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "committee"
    verbose_name = _("Research committee")

    def ready(self) -> None:
        # Committee members reach a file, its documents and a request only through a request
        # on their committee's agenda; beneficiaries and requests_app never import committee,
        # so the rules are handed to their access helpers here.
        from beneficiaries.access import register_file_access_rule
        from requests_app.access import register_request_access_rule

        from .selectors import committee_file_rule, committee_request_rule

        register_file_access_rule(committee_file_rule)
        register_request_access_rule(committee_request_rule)
