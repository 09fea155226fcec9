"""Numbers typed in forms: Arabic-Indic or Western digits, and the numeric keypad on phones.

`<input type="number">` refuses ٣٠٠ in most browsers and sends nothing: the woman (or the
employee) typing on an Arabic keyboard sees her amount vanish. Forms that take numbers mix in
`LocalDigitsMixin`: their number fields become text inputs with `inputmode` (the phone shows the
digit keypad) and `dir="ltr"`, and what was typed is normalised before Django parses it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from wahaj.lib.validators import RAW_IDENTIFIER_MAX_LENGTH, normalize_number

NUMBER_FIELDS = (forms.DecimalField, forms.FloatField, forms.IntegerField)


def number_widget(field: forms.Field) -> forms.TextInput:
    """A text input for `field` that brings up the numeric keypad, its other attributes kept."""
    attrs = {k: v for k, v in field.widget.attrs.items() if k not in ("min", "max", "step", "type")}
    integer = isinstance(field, forms.IntegerField)
    attrs.update({"inputmode": "numeric" if integer else "decimal", "dir": "ltr"})
    attrs.setdefault("autocomplete", "off")
    return forms.TextInput(attrs=attrs)


def local_digit_widgets(form: forms.BaseForm) -> None:
    """Give every number field of `form` the keypad text input (call again after adding some)."""
    for field in form.fields.values():
        if isinstance(field, NUMBER_FIELDS) and isinstance(field.widget, forms.NumberInput):
            field.widget = number_widget(field)


def accept_typed_identifiers(form: forms.BaseForm, *names: str) -> None:
    """Let the fields `names` (national ID, mobile, IBAN) take what people type — spaces,
    dashes, bidi marks — up to RAW_IDENTIFIER_MAX_LENGTH: the model field's max_length (10 for
    an ID) applies to the cleaned value, not to the raw text."""
    for name in names:
        field = form.fields[name]
        field.max_length = RAW_IDENTIFIER_MAX_LENGTH
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.widget.attrs["maxlength"] = str(RAW_IDENTIFIER_MAX_LENGTH)


class LocalDigitsMixin:
    """Mix into a Form or ModelForm (before it) whose number fields people type into."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        local_digit_widgets(self)

    def full_clean(self) -> None:
        if self.is_bound:
            data = self.data.copy()
            for name, field in self.fields.items():
                key = self.add_prefix(name)
                if isinstance(field, NUMBER_FIELDS) and isinstance(data.get(key), str):
                    data[key] = normalize_number(data[key])
            self.data = data
        super().full_clean()


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but an id too large for the database is an invalid choice, not a 500: SQLite
    raises OverflowError for it in the `pk__in` query Django runs (issue 18's no-500 walk)."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": "…"},
            ) from None
