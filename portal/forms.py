"""The portal's forms: short, one question per field, digits accepted in Arabic or Latin."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from requests_app.models import RequestType
from wahaj.lib.codes import CODE_DIGITS
from wahaj.lib.forms import LocalDigitsMixin
from wahaj.lib.validators import (
    RAW_IDENTIFIER_MAX_LENGTH,
    normalize_digits,
    normalize_national_id,
    strip_bidi_controls,
)

CODE_FORMAT = _("The code has six digits.")
CONFIRM_REQUIRED = _("Please confirm the declaration.")


def normalize_reference(value: str) -> str:
    """`whj-2026-000123`, with Arabic digits or spaces, becomes `WHJ-2026-000123`."""
    parts = str(value or "").replace("_", "-").split("-")  # normalize_digits drops dashes
    return "-".join(normalize_digits(part) for part in parts if part.strip()).upper()[:20]


class StatusForm(forms.Form):
    """Reference and ID only: neither is checked for format here, so that a malformed ID is
    answered exactly like a wrong one (the page must not tell them apart)."""

    reference = forms.CharField(
        label=_("Request reference"),
        max_length=40,
        help_text=_("As in the text message, e.g. WHJ-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "text"}),
    )
    national_id = forms.CharField(
        label=_("National ID or iqama number"),
        max_length=RAW_IDENTIFIER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "numeric"}),
    )

    def clean_reference(self) -> str:
        return normalize_reference(self.cleaned_data["reference"])

    def clean_national_id(self) -> str:
        return normalize_digits(self.cleaned_data["national_id"])[:10]


class LoginForm(forms.Form):
    national_id = forms.CharField(
        label=_("National ID or iqama number"),
        max_length=RAW_IDENTIFIER_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr", "inputmode": "numeric"}),
    )

    def clean_national_id(self) -> str:
        return normalize_national_id(self.cleaned_data["national_id"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code from the text message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "portal-code-input",
                "dir": "ltr",
            }
        ),
    )

    def clean_code(self) -> str:
        code = normalize_digits(self.cleaned_data["code"])
        if len(code) != CODE_DIGITS or not code.isdigit():
            raise ValidationError(CODE_FORMAT, code="format")
        return code


class NewRequestForm(LocalDigitsMixin, forms.Form):
    request_type = forms.ChoiceField(label=_("What do you need?"), choices=RequestType.choices)
    amount_requested = forms.DecimalField(
        label=_("Amount requested (SAR), if any"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "dir": "ltr"}),
    )
    description = forms.CharField(
        label=_("Tell us about your situation"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class DeclarationForm(forms.Form):
    signed_name = forms.CharField(label=_("Your full name"), max_length=200)
    confirm = forms.BooleanField(
        label=_("I confirm the declaration above."),
        error_messages={"required": CONFIRM_REQUIRED},
    )

    def clean_signed_name(self) -> str:
        return " ".join(strip_bidi_controls(self.cleaned_data["signed_name"]).split())


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the request?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you ask the committee to reconsider?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class CorrectionForm(forms.Form):
    details = forms.CharField(
        label=_("What is wrong in your data, and what is correct?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class CorrectionCloseForm(forms.Form):
    answer = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CorrectionExtendForm(forms.Form):
    reason = forms.CharField(
        label=_("Why more time is needed (sent to her)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
