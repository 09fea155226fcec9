"""Forms of the delivery part: the handover desk, the store, returned transfers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wahaj.lib.forms import LocalDigitsMixin
from wahaj.lib.validators import normalize_digits

from .delivery import normalize_reference
from .models import StockItem


class HandoverLookupForm(forms.Form):
    """A barcode scanner types the reference and presses Enter: one field, autofocus."""

    reference = forms.CharField(
        label=_("Reference"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "dir": "ltr", "spellcheck": "false"}
        ),
    )

    def clean_reference(self) -> str:
        return normalize_reference(self.cleaned_data["reference"])


class HandoverConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("The code she received"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "dir": "ltr"}
        ),
    )

    def clean_code(self) -> str:
        return normalize_digits(self.cleaned_data["code"]).strip()


class StockReceiveForm(LocalDigitsMixin, forms.Form):
    item = forms.ModelChoiceField(label=_("Item"), queryset=StockItem.objects.none())
    quantity = forms.IntegerField(label=_("Quantity received"), min_value=1)
    note = forms.CharField(label=_("From whom, or what for"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = StockItem.objects.filter(is_active=True).order_by("name")


class TransferReturnForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the transfer"),
        max_length=24,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Why the bank returned it"), max_length=200)

    def clean_reference(self) -> str:
        return normalize_reference(self.cleaned_data["reference"])


class TransferReturnsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The bank's return report (CSV)"),
        help_text=_("Columns “Customer Reference”, “Amount” and “Return Reason”."),
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not a UTF-8 CSV file.")) from error
