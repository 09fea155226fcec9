"""The records of processing (PDPL): what personal data Wahaj holds, why, for how long, and
who may see it — generated from the models, so a new field or model appears by itself.

Every model that reaches a beneficiary (by foreign keys, up to three steps) must have its
purpose and retention declared in PROCESSING; a test fails when one is missing.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import ROLE_PERMISSIONS, Role, permissions_of
from wahaj.lib.fields import LookupHashField

DOMAIN_APPS = (
    "beneficiaries",
    "requests_app",
    "committee",
    "surveys",
    "portal",
    "notifications",
    "audit",
    "reports",
    "feedback",
    "programs",
    "outreach",
    "privacy",
)

# Fields that identify her directly (masked in lists and exports, replaced by retention).
IDENTIFIER_FIELDS = {
    "full_name",
    "latin_name",
    "name",
    "national_id",
    "mobile",
    "phone2",
    "email",
    "iban",
    "transfer_iban",
    "national_address",
    "signed_name",
    "to",
    "ip_address",
}
# Sensitive data under the PDPL (health, disability, the family's situation in free text).
SENSITIVE_MARKERS = ("health", "disability", "medical")

UNTIL_RETENTION = _(
    "While her case is open, then {years} years after it closes; then anonymised "
    "(identifiers replaced, documents deleted) unless a legal hold is set."
)
PROCESSING: dict[str, dict] = {
    "beneficiaries.Beneficiary": {
        "purpose": _("Her file: identify her, reach her, assess her need (policy steps 1-2)."),
    },
    "beneficiaries.BeneficiaryCategory": {
        "purpose": _("Her categories, to assess her need and for statistics."),
    },
    "beneficiaries.IncomeSource": {
        "purpose": _("Her income, to compute the per-capita income and the eligibility."),
    },
    "beneficiaries.HouseholdMember": {
        "purpose": _("Her household, to assess the family's need."),
    },
    "beneficiaries.Document": {
        "purpose": _("The documents that prove her data (policy step 2)."),
    },
    "beneficiaries.Contact": {
        "purpose": _("Every interaction with her and its channel (the policy's channels)."),
    },
    "beneficiaries.Referral": {
        "purpose": _("Her referral to the social-research officer (policy step 3)."),
    },
    "beneficiaries.Consent": {
        "purpose": _("Proof of the privacy notice shown and of her consent (PDPL)."),
    },
    "beneficiaries.FileAccess": {
        "purpose": _("Who viewed or downloaded her data, when and from where (accountability)."),
    },
    "requests_app.SupportRequest": {
        "purpose": _("Her support request, its decision window and the service delivered."),
    },
    "requests_app.Declaration": {
        "purpose": _("Her signed statement that her data is true (policy step 4)."),
    },
    "requests_app.VerificationCheck": {
        "purpose": _("The intake checklist that her data was verified (policy step 2)."),
    },
    "requests_app.HomeVisit": {
        "purpose": _("The researcher's home visit for her request: day, time and her address."),
    },
    "committee.AgendaItem": {"purpose": _("Her request on a committee meeting's agenda.")},
    "committee.Vote": {"purpose": _("The committee members' votes on her request.")},
    "committee.Decision": {"purpose": _("The committee's decision on her request.")},
    "committee.Appeal": {"purpose": _("Her appeal of a rejection.")},
    "committee.ResearchReport": {
        "purpose": _("The social researcher's findings on her situation and the score."),
    },
    "surveys.Invitation": {"purpose": _("Her invitation to evaluate the service (her right).")},
    "surveys.Response": {"purpose": _("Her evaluation of the service, reported in aggregate.")},
    "feedback.Ticket": {
        "purpose": _(
            "Her inquiry, complaint, suggestion or thanks, its answer and its deadline (policy "
            "goals 3 and 6); from the public form, the mobile she proved to receive the answer."
        ),
    },
    "surveys.Answer": {"purpose": _("Her evaluation of the service, reported in aggregate.")},
    "portal.PortalCode": {
        "purpose": _("The one-time code that lets her into the portal."),
        "retention": _("Five minutes of use; deleted when her file is anonymised."),
    },
    "outreach.OutreachTask": {
        "purpose": _(
            "Telling her before a document her request needs expires, and reassessing her "
            "file when it has not been reviewed for a year."
        ),
    },
    "notifications.PhoneCode": {
        "purpose": _(
            "The one-time code that shows she holds the mobile she gives before applying "
            "or writing to the association; the number is kept only as a keyed hash."
        ),
        "retention": _("Five minutes of use; deleted after a day."),
    },
    "programs.CycleEntry": {
        "purpose": _(
            "Whether she is eligible for a program's cycle and why, what she is entitled to, "
            "how she was told and how she received it (handover or bank transfer, with the "
            "IBAN the transfer went to)."
        ),
    },
    "programs.FundMovement": {
        "purpose": _("The fund's ledger: the money committed and paid for her support."),
    },
    "programs.RequestFunding": {
        "purpose": _("Which fund paid for her approved request."),
    },
    "programs.StockMovement": {
        "purpose": _("The items handed to her out of the store."),
    },
    "portal.CorrectionRequest": {
        "purpose": _("Her request to correct her data, answered within 30 days (PDPL)."),
    },
    "notifications.Message": {
        "purpose": _("The SMS and e-mails sent to her and to staff about her requests."),
    },
    "audit.Event": {
        "purpose": _("Who changed what on her file and requests, and when (accountability)."),
        "retention": _(
            "Kept: the trail is append-only. The identifiers it points to are anonymised "
            "with her file."
        ),
    },
    "privacy.Incident": {
        "purpose": _(
            "The breach register (PDPL implementing regulation, article 24): what happened to "
            "whose data, when the authority and the women affected were told."
        ),
        "retention": _(
            "Kept as the record of the incident; the files it links are anonymised with "
            "them, and no identifier of hers is written in it."
        ),
    },
    "reports.Export": {
        "purpose": _("Who exported which list, with which filter (accountability)."),
        "retention": _("Kept with the audit trail; holds filters, never her data."),
    },
}


@dataclass
class FieldRecord:
    name: str
    label: str
    identifier: bool
    sensitive: bool
    encrypted: bool = False  # stored encrypted at rest (wahaj/lib/fields.py, issue 19)


@dataclass
class ProcessingRecord:
    label: str  # app_label.Model
    title: str
    purpose: str
    retention: str
    fields: list[FieldRecord]
    roles: list[str]


def _reaches_beneficiary(model: type[models.Model], depth: int = 3) -> bool:
    if model._meta.label == "beneficiaries.Beneficiary":
        return True
    if depth == 0:
        return False
    return any(
        f.many_to_one and f.related_model and _reaches_beneficiary(f.related_model, depth - 1)
        for f in model._meta.get_fields()
        if getattr(f, "many_to_one", False) and f.concrete
    )


def personal_data_models() -> list[type[models.Model]]:
    """The models that hold a beneficiary's data (or point to her), of the domain apps."""
    found = []
    for app_label in DOMAIN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.label.startswith(f"{app_label}.Historical"):
                continue  # simple_history's copies: the same data, same record
            if model._meta.label in PROCESSING or _reaches_beneficiary(model):
                found.append(model)
    return found


def _roles_that_view(model: type[models.Model]) -> list[str]:
    perm = f"{model._meta.app_label}.view_{model._meta.model_name}"
    return [str(Role(role).label) for role in ROLE_PERMISSIONS if perm in permissions_of(role)]


def _field_label(field: models.Field) -> str:
    """A relation left with Django's default name (`beneficiary`, `user`: its attribute, never
    translated) reads as the name of the model it points to, which is."""
    if field.is_relation and str(field.verbose_name) == field.name.replace("_", " "):
        return str(field.related_model._meta.verbose_name)
    return str(field.verbose_name)


def processing_records() -> list[ProcessingRecord]:
    default_retention = UNTIL_RETENTION.format(years=settings.RETENTION_YEARS)
    records = []
    for model in personal_data_models():
        declared = PROCESSING.get(model._meta.label, {})
        fields = [
            FieldRecord(
                name=f.name,
                label=_field_label(f),
                identifier=f.name in IDENTIFIER_FIELDS,
                sensitive=any(marker in f.name for marker in SENSITIVE_MARKERS),
                encrypted=getattr(f, "encrypted", False),
            )
            for f in model._meta.concrete_fields
            # A lookup hash is not data of hers: a keyed digest of the field it serves.
            if not f.primary_key and not isinstance(f, LookupHashField)
        ]
        records.append(
            ProcessingRecord(
                label=model._meta.label,
                title=str(model._meta.verbose_name_plural),
                purpose=str(declared.get("purpose", "")),
                retention=str(declared.get("retention", default_retention)),
                fields=fields,
                roles=_roles_that_view(model),
            )
        )
    return records
