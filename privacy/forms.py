import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.labels import VERB_LABELS
from beneficiaries.models import Beneficiary

from .models import Incident


def verb_choices() -> list[tuple[str, str]]:
    """Every action by its label, in the reader's language and alphabetical order."""
    labels = sorted((str(label), verb) for verb, label in VERB_LABELS.items())
    return [("", _("All")), *((verb, label) for label, verb in labels)]


class AuditSearchForm(forms.Form):
    LOGS = [("changes", _("Changes")), ("access", _("Views and downloads"))]

    log = forms.ChoiceField(label=_("Log"), choices=LOGS, required=False)
    actor = forms.CharField(label=_("Staff username"), max_length=150, required=False)
    verb = forms.ChoiceField(label=_("Action"), choices=verb_choices, required=False)
    file_number = forms.CharField(label=_("file number"), max_length=16, required=False)
    reference = forms.CharField(label=_("reference"), max_length=20, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actor", "file_number", "reference"):
            self.fields[name].widget.attrs["dir"] = "ltr"


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
UNKNOWN_FILES = _("No file has these numbers: %(numbers)s")


class IncidentForm(forms.Form):
    """Recording an incident: what the authority's notification will need (art. 24)."""

    found_at = forms.DateTimeField(
        label=_("found at"),
        help_text=_("When the association learnt of it: the 72 hours run from here."),
        widget=DATETIME_INPUT,
    )
    what_happened = forms.CharField(
        label=_("what happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    data_categories = forms.MultipleChoiceField(
        label=_("data concerned"),
        choices=Incident.DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    people_affected = forms.IntegerField(
        label=_("number of people affected"), min_value=0, max_value=10_000_000
    )
    file_numbers = forms.CharField(
        label=_("affected files"),
        help_text=_("File numbers, separated by spaces or commas; the message goes to them."),
        widget=forms.Textarea(attrs={"rows": 2, "dir": "ltr"}),
        required=False,
        max_length=200_000,
    )

    def clean_found_at(self):
        found_at = self.cleaned_data["found_at"]
        if found_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The time it was found cannot be in the future."))
        return found_at

    def clean_file_numbers(self) -> list[Beneficiary]:
        numbers = sorted(
            set(re.split(r"[\s,،]+", self.cleaned_data["file_numbers"].strip())) - {""}
        )
        found = list(Beneficiary.objects.filter(file_number__in=numbers).order_by("pk"))
        unknown = sorted(set(numbers) - {b.file_number for b in found})
        if unknown:
            raise forms.ValidationError(UNKNOWN_FILES % {"numbers": ", ".join(unknown[:20])})
        return found


class IncidentMessageForm(forms.Form):
    message_ar = forms.CharField(
        label=_("message to the women (Arabic)"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "rtl", "lang": "ar"}),
        max_length=1000,
    )
    message_en = forms.CharField(
        label=_("message to the women (English)"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "lang": "en"}),
        max_length=1000,
    )


class IncidentAuthorityForm(forms.Form):
    notified_at = forms.DateTimeField(label=_("authority notified at"), widget=DATETIME_INPUT)
    reference = forms.CharField(label=_("authority's reference"), max_length=100, required=False)

    def clean_notified_at(self):
        notified_at = self.cleaned_data["notified_at"]
        if notified_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The time of the notification cannot be in the future."))
        return notified_at
