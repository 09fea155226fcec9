"""Forms of the funds, programs and cycles pages (the delivery part's are in forms_delivery)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Category
from wahaj.lib.forms import LocalDigitsMixin

from .models import Basis, Cycle, CycleEntry, Fund, Program, StockItem

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CategoriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=Category.choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class FundForm(forms.ModelForm):
    allowed_categories = CategoriesField(
        label=_("categories that may receive from this fund"),
        help_text=_("For zakat: the categories that may receive zakat. None ticked: any category."),
    )

    class Meta:
        model = Fund
        fields = ["name", "kind", "donor", "restriction", "allowed_categories", "is_active"]
        widgets = {"restriction": forms.Textarea(attrs={"rows": 2})}


class FundMovementForm(LocalDigitsMixin, forms.Form):
    DEPOSIT, WITHDRAWAL = "deposit", "withdrawal"
    kind = forms.ChoiceField(
        label=_("movement"),
        choices=[(DEPOSIT, _("Deposit")), (WITHDRAWAL, _("Withdrawal"))],
        widget=forms.RadioSelect,
        initial=DEPOSIT,
    )
    amount = forms.DecimalField(
        label=_("amount (SAR)"), min_value=0.01, max_digits=14, decimal_places=2
    )
    note = forms.CharField(label=_("note"), max_length=300)


class CitiesField(forms.CharField):
    """Cities typed one per line (or separated by commas), stored as a list."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [part.strip() for line in text.splitlines() for part in line.split(",")]
        return [part for part in dict.fromkeys(parts) if part]


class ProgramForm(LocalDigitsMixin, forms.ModelForm):
    categories = CategoriesField(
        label=_("categories (any of)"), help_text=_("None ticked: any category.")
    )
    cities = CitiesField(
        label=_("cities"), required=False, help_text=_("One per line. Empty: any city.")
    )

    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "status",
            "request_type",
            "max_per_capita_income",
            "categories",
            "cities",
            "min_household_size",
            "max_household_size",
            "not_served_months",
            "amount",
            "amount_per_member",
            "repeat_period_months",
            "repeat_rule",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "repeat_rule": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["repeat_rule"]
        field.choices = [choice for choice in field.choices if choice[0] != ""]

    def clean(self):
        data = super().clean()
        low, high = data.get("min_household_size"), data.get("max_household_size")
        if low and high and low > high:
            self.add_error("max_household_size", _("The maximum is below the minimum."))
        request_type, status = data.get("request_type"), data.get("status")
        if request_type and status == Program.Status.ACTIVE:
            others = Program.objects.filter(
                status=Program.Status.ACTIVE, request_type=request_type
            ).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error(
                    "request_type",
                    _("The active program “%(name)s” already serves this request type.")
                    % {"name": others.first().name},
                )
        return data


class ProgramFundForm(LocalDigitsMixin, forms.Form):
    fund = forms.ModelChoiceField(queryset=Fund.objects.filter(is_active=True), label=_("fund"))
    budget = forms.DecimalField(
        label=_("budget (SAR)"), min_value=0, max_digits=14, decimal_places=2
    )
    position = forms.IntegerField(label=_("order"), min_value=0, initial=0)


class EntitlementItemForm(LocalDigitsMixin, forms.Form):
    item = forms.ModelChoiceField(
        queryset=StockItem.objects.filter(is_active=True), label=_("item")
    )
    quantity = forms.IntegerField(
        label=_("quantity"), min_value=0, help_text=_("0 removes the item.")
    )
    basis = forms.ChoiceField(label=_("basis"), choices=Basis.choices, initial=Basis.FIXED)


class StockItemForm(LocalDigitsMixin, forms.ModelForm):
    class Meta:
        model = StockItem
        fields = ["name", "unit", "unit_value"]


class CycleForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = [
            "name",
            "fund",
            "delivery_place",
            "delivery_starts",
            "delivery_ends",
            "what_to_bring",
        ]
        widgets = {"delivery_starts": DATETIME_INPUT, "delivery_ends": DATETIME_INPUT}

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = Fund.objects.filter(program_funds__program=program)
        self.fields["fund"].empty_label = None
        for name in ("delivery_starts", "delivery_ends"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk:
            self.fields["name"].disabled = True
            self.fields["fund"].disabled = True

    def clean(self):
        data = super().clean()
        starts, ends = data.get("delivery_starts"), data.get("delivery_ends")
        if starts and ends and starts > ends:
            self.add_error("delivery_ends", _("The delivery must end after it starts."))
        return data


class ExcludeForm(forms.Form):
    reason = forms.CharField(label=_("reason for exclusion"), max_length=500)


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All")), *CycleEntry.Status.choices]
    )
    city = forms.CharField(label=_("city"), required=False, max_length=64)
    flagged = forms.BooleanField(label=_("received within the period"), required=False)
