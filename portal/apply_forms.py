"""The forms of `/apply/`: a woman with no file applies on the website (issue 20).

Her identity and household reuse the staff registration forms (same checks, same labels); her
documents reuse the portal's document rows (same content checks as every upload).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from beneficiaries.forms import BeneficiaryForm
from beneficiaries.models import ConsentPurpose, Document
from requests_app.models import PAID_BY_TRANSFER, REQUIRED_DOCUMENTS
from wahaj.lib.validators import (
    RAW_IDENTIFIER_MAX_LENGTH,
    normalize_mobile,
    normalize_national_id,
)
from wahaj.templatetags.wahaj import list_separator

from .forms import DeclarationForm, NewRequestForm

DOCUMENTS_NEEDED = _("This request needs these documents, valid today: %(documents)s.")
IBAN_NEEDED = _("This request is paid by bank transfer: go back to your details and add your IBAN.")
CONSENT_REQUIRED = _("Your request cannot be studied without your consent to this.")


class ApplyStartForm(forms.Form):
    national_id = forms.CharField(
        label=_("National ID or iqama number"),
        max_length=RAW_IDENTIFIER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "numeric"}),
    )
    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=32,
        help_text=_("We send a code to this number to check that it is yours."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "dir": "ltr", "inputmode": "tel"}),
    )

    def clean_national_id(self) -> str:
        return normalize_national_id(self.cleaned_data["national_id"])

    def clean_mobile(self) -> str:
        return normalize_mobile(self.cleaned_data["mobile"]).as_e164


class ApplyDetailsForm(BeneficiaryForm):
    """Her identity, address, housing and income: the staff form's fields she can answer.

    Her ID and mobile come from the first step (the mobile verified); the rest of the file
    (second phone, national address, health) intake completes with her."""

    FIELDS = (
        "full_name",
        "nationality",
        "date_of_birth",
        "marital_status",
        "city",
        "district",
        "housing",
        "monthly_rent",
        "iban",
        "debts",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = {*self.FIELDS, "categories", *self.income_fields}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]
        self.fields["full_name"].help_text = _("Your name in four parts, as on your ID.")

    def clean_national_id(self) -> str:  # not on this form (the first step asks it)
        return ""

    def model_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ApplyRequestForm(NewRequestForm, DeclarationForm):
    """What she asks for, her declaration and her consent, on the last page."""

    consent_service = forms.BooleanField(
        label=ConsentPurpose.SERVICE.label,
        error_messages={"required": CONSENT_REQUIRED},
    )
    consent_contact = forms.BooleanField(label=ConsentPurpose.CONTACT.label, required=False)

    def consent_purposes(self) -> list[str]:
        purposes = [ConsentPurpose.SERVICE]
        if self.cleaned_data.get("consent_contact"):
            purposes.append(ConsentPurpose.CONTACT)
        return purposes

    def check_complete(self, *, uploads: list, iban: str) -> None:
        """Add a form error for what the request type needs and she did not give: its
        documents (valid today, as `submit` counts them) and, paid by transfer, her IBAN."""
        request_type = self.cleaned_data.get("request_type")
        if not request_type:
            return
        valid = {
            form.cleaned_data["doc_type"]
            for form in uploads
            if not Document(
                doc_type=form.cleaned_data["doc_type"],
                issued_on=form.cleaned_data.get("issued_on"),
                expires_on=form.cleaned_data.get("expires_on"),
            ).is_expired
        }
        missing = [d for d in REQUIRED_DOCUMENTS.get(request_type, ()) if d not in valid]
        if missing:
            labels = list_separator().join(str(Document.DocType(d).label) for d in missing)
            self.add_error(None, ValidationError(DOCUMENTS_NEEDED % {"documents": labels}))
        if request_type in PAID_BY_TRANSFER and not iban:
            self.add_error(None, ValidationError(IBAN_NEEDED))
