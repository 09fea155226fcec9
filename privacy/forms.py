from django import forms
from django.utils.translation import gettext_lazy as _

from audit.labels import VERB_LABELS


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
