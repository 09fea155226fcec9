"""Intake forms: Arabic labels and help from the models, errors beside each field."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from wahaj.lib.forms import LocalDigitsMixin, accept_typed_identifiers, local_digit_widgets
from wahaj.lib.validators import (
    normalize_iban,
    normalize_mobile,
    normalize_national_id,
    strip_bidi_controls,
)

from .models import (
    PRIVACY_NOTICE_AR,
    PRIVACY_NOTICE_VERSION,
    Beneficiary,
    Category,
    ConsentPurpose,
    Contact,
    Document,
    HouseholdMember,
    IncomeSource,
)
from .services import MemberInput

# Documents are checked by content, not by name: one function for every upload (uploads.py).
from .uploads import (  # noqa: F401 - re-exported: forms and tests name them here
    DOCUMENT_TOO_LARGE,
    DOCUMENT_TYPE_REFUSED,
    MAX_DOCUMENT_BYTES,
    checked_upload,
)

FULL_NAME_PARTS = _("Enter her full name in four parts: her name, father, grandfather, family.")

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Crispy:
    """No <form> tag from crispy: the page's own <form> holds several forms."""

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


CONSENT_SERVICE_REQUIRED = _(
    "Her file cannot be opened without her consent to processing her data for the service."
)


class ConsentForm(forms.Form):
    """PDPL: the privacy notice read to her, and the purposes she consents to."""

    notice_version = PRIVACY_NOTICE_VERSION
    notice_text = PRIVACY_NOTICE_AR

    notice_shown = forms.BooleanField(
        label=_("The privacy notice was shown to her and she agreed to it."),
        required=True,
    )
    purposes = forms.MultipleChoiceField(
        label=_("She consents to her data being used for"),
        choices=ConsentPurpose.choices,
        # Nothing ticked in advance: she chooses each purpose (issue 18).
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_purposes(self) -> list[str]:
        purposes = self.cleaned_data["purposes"]
        if ConsentPurpose.SERVICE not in purposes:
            raise ValidationError(CONSENT_SERVICE_REQUIRED, code="service")
        return purposes


class BeneficiaryForm(LocalDigitsMixin, _Crispy, forms.ModelForm):
    """Her identity, address, housing, bank and income, as a desk takes them down."""

    mobile = forms.CharField(
        label=_("mobile"), max_length=32, help_text=_("Saudi mobile, e.g. 05XXXXXXXX.")
    )
    phone2 = forms.CharField(label=_("second phone"), max_length=32, required=False)
    categories = forms.MultipleChoiceField(
        label=_("categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Beneficiary
        fields = [
            "full_name",
            "latin_name",
            "national_id",
            "nationality",
            "date_of_birth",
            "marital_status",
            "mobile",
            "phone2",
            "email",
            "city",
            "district",
            "national_address",
            "housing",
            "monthly_rent",
            "iban",
            "debts",
            "health_notes",
            "intake_channel",
            "preferred_language",
            "preferred_channel",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "health_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        for name in ("national_id", "mobile", "phone2", "iban", "email"):
            self.fields[name].widget.attrs.update({"dir": "ltr", "autocomplete": "off"})
        accept_typed_identifiers(self, "national_id", "mobile", "phone2", "iban")
        self.fields["national_id"].widget.attrs["inputmode"] = "numeric"
        self.fields["mobile"].widget.attrs["inputmode"] = "tel"
        self.income_fields = []
        for source, label in IncomeSource.Source.choices:
            name = f"income_{source}"
            self.fields[name] = forms.DecimalField(
                label=label, min_value=0, max_digits=12, decimal_places=2, required=False
            )
            self.income_fields.append(name)
        local_digit_widgets(self)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault(
                "categories", [c.category for c in self.instance.categories.all()]
            )
            for row in self.instance.income_sources.all():
                self.initial.setdefault(f"income_{row.source}", row.amount)
            self.initial["mobile"] = (
                self.instance.mobile.as_national if self.instance.mobile else ""
            )
            self.initial["phone2"] = (
                self.instance.phone2.as_national if self.instance.phone2 else ""
            )

    # Uniqueness is the duplicate guard's job (it links to the existing file), not a bare error.
    def validate_unique(self):
        pass

    def clean_full_name(self) -> str:
        name = " ".join(strip_bidi_controls(self.cleaned_data["full_name"]).split())
        if len(name.split()) < 4:
            raise ValidationError(FULL_NAME_PARTS, code="parts")
        return name

    def clean_latin_name(self) -> str:
        return " ".join(strip_bidi_controls(self.cleaned_data["latin_name"]).split())

    def clean_national_id(self) -> str:
        return normalize_national_id(self.cleaned_data["national_id"])

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_phone2(self):
        value = self.cleaned_data["phone2"].strip()
        return normalize_mobile(value) if value else ""

    def clean_iban(self) -> str:
        value = self.cleaned_data["iban"].strip()
        return normalize_iban(value) if value else ""

    def model_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def income(self) -> dict[str, Decimal]:
        return {
            name.removeprefix("income_"): self.cleaned_data.get(name) or Decimal(0)
            for name in self.income_fields
        }


class HouseholdMemberForm(LocalDigitsMixin, forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = HouseholdMember
        fields = [
            "name",
            "relation",
            "sex",
            "date_of_birth",
            "national_id",
            "monthly_income",
            "occupation",
            "has_disability",
            "health_notes",
        ]
        widgets = {"date_of_birth": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["national_id"].widget.attrs.update({"dir": "ltr", "inputmode": "numeric"})
        accept_typed_identifiers(self, "national_id")

    def clean_name(self) -> str:
        return " ".join(strip_bidi_controls(self.cleaned_data["name"]).split())

    def clean_national_id(self) -> str:
        value = self.cleaned_data["national_id"].strip()
        return normalize_national_id(value) if value else ""


FOREIGN_MEMBER = _("A household row is not on her file. Reload the page and enter it again.")


class BaseHouseholdFormSet(BaseFormSet):
    # Her members' ids (household_formset sets them): a posted id must be one of them, never
    # another woman's member (that was a 500, issue 18; it must never be an edit either).
    member_ids: frozenset[int] = frozenset()

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            member_id = getattr(form, "cleaned_data", {}).get("id")
            if member_id is not None and member_id not in self.member_ids:
                raise ValidationError(FOREIGN_MEMBER, code="foreign_member")

    def members(self) -> list[MemberInput]:
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("id", "DELETE")}
            rows.append(
                MemberInput(
                    data=data,
                    id=form.cleaned_data.get("id"),
                    delete=bool(form.cleaned_data.get("DELETE")),
                )
            )
        return rows


# absolute_max: a posted TOTAL_FORMS of 10^20 builds at most this many forms (Django's default
# is max_num + 1,000: a one-minute request, issue 18), and more is a form error.
HouseholdFormSet = formset_factory(
    HouseholdMemberForm,
    formset=BaseHouseholdFormSet,
    extra=2,
    can_delete=True,
    max_num=30,
    absolute_max=30,
)


def household_formset(data=None, beneficiary: Beneficiary | None = None) -> BaseFormSet:
    initial = None
    if beneficiary is not None:
        initial = [
            {"id": m.pk, **{f: getattr(m, f) for f in HouseholdMemberForm.Meta.fields}}
            for m in beneficiary.household.all()
        ]
    formset = HouseholdFormSet(data, initial=initial, prefix="household")
    formset.member_ids = frozenset(row["id"] for row in initial or ())
    return formset


class DocumentForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Document
        fields = ["doc_type", "issued_on", "expires_on", "file"]
        widgets = {"issued_on": DATE_INPUT, "expires_on": DATE_INPUT}

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        self.fields["file"].help_text = _("PDF, JPEG or PNG, 10 MB at most.")
        # A long or odd name is replaced by checked_upload, not refused (the model's 200 is
        # the stored name's length, which the upload's own name never becomes).
        self.fields["file"].max_length = None
        if not required:
            self.fields["file"].required = False
            self.fields["doc_type"].required = False

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            file = checked_upload(file)  # the clean copy: detected type, re-encoded, renamed
            self.content_type = file.content_type
        return file

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("file") and not cleaned.get("doc_type"):
            self.add_error("doc_type", _("Choose the type of this document."))
        return cleaned

    def has_file(self) -> bool:
        return bool(self.cleaned_data.get("file"))

    def upload_name(self) -> str:
        """The chosen file's own name, to say which file of a batch failed."""
        file = self.files.get(self.add_prefix("file"))
        return strip_bidi_controls(getattr(file, "name", "") or "")[:80]


DOCUMENT_FILE_MISSING = _("Choose the file for this document.")


class BaseDocumentFormSet(BaseFormSet):
    """Several documents in one submit, each with its type and dates, each checked on its own
    (DocumentForm.clean_file, the one per-file check): one bad file holds the others back."""

    def uploads(self) -> tuple[list[DocumentForm], list[DocumentForm]]:
        """(accepted, refused) among the rows she filled; empty rows are skipped."""
        if not self.is_bound or not self.management_form.is_valid():
            return [], []
        accepted, refused = [], []
        for form in self.forms:
            if not form.has_changed():
                continue
            if form.is_valid() and not form.has_file():
                form.add_error("file", DOCUMENT_FILE_MISSING)
            (accepted if form.is_valid() else refused).append(form)
        return accepted, refused

    @staticmethod
    def refusal(form: DocumentForm) -> str:
        """`name: reason` for one refused row (its row number when no file was chosen)."""
        number = int(form.prefix.rsplit("-", 1)[1]) + 1
        name = form.upload_name() or _("document %(number)s") % {"number": number}
        reasons = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return f"{name}: {reasons}"


_DocumentFormSet = formset_factory(
    DocumentForm, formset=BaseDocumentFormSet, extra=0, max_num=10, absolute_max=10
)


def document_formset(
    data=None, files=None, *, prefix: str = "documents", rows: int = 5, retry=()
) -> BaseDocumentFormSet:
    """`rows` empty rows; or, after a refusal, the refused rows' types and dates (`retry`) for
    her to choose their files again, the accepted ones being stored already."""
    initial = [
        {name: form.cleaned_data.get(name) for name in ("doc_type", "issued_on", "expires_on")}
        for form in retry
    ]
    formset = _DocumentFormSet(
        data, files, prefix=prefix, initial=initial or None, form_kwargs={"required": False}
    )
    if data is None:
        formset.extra = max(rows - len(initial), 1)
    return formset


class ContactForm(_Crispy, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["channel", "direction", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReferralForm(_Crispy, forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What is unclear to her, for the social-research officer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class RegistrationReasonForm(_Crispy, forms.Form):
    """Why her registration is suspended or reactivated (kept on the file's timeline)."""

    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReferralCloseForm(_Crispy, forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class SearchForm(forms.Form):
    session_key = "beneficiaries_search"  # the posted search text (`wahaj.lib.search`)

    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Name, national ID, mobile or file number."),
    )
    status = forms.ChoiceField(label=_("registration status"), required=False)
    marital_status = forms.ChoiceField(label=_("marital status"), required=False)
    category = forms.ChoiceField(label=_("category"), required=False)
    city = forms.CharField(label=_("city"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import MaritalStatus, RegistrationStatus

        super().__init__(*args, **kwargs)
        blank = [("", _("All"))]
        self.fields["status"].choices = blank + RegistrationStatus.choices
        self.fields["marital_status"].choices = blank + MaritalStatus.choices
        self.fields["category"].choices = blank + Category.choices


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(DOCUMENT_TOO_LARGE, code="size")
        head = file.read(4)
        file.seek(0)
        if head != b"PK\x03\x04":  # an XLSX is a ZIP archive
            raise ValidationError(_("This is not an Excel (.xlsx) file."), code="type")
        return file


class ConsentWithdrawForm(forms.Form):
    """Staff record that she withdrew her consent to one purpose, in her words."""

    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[(p.value, p.label) for p in ConsentPurpose if p != ConsentPurpose.SERVICE],
    )
    note = forms.CharField(
        label=_("What she said, and how (phone, visit, letter)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
