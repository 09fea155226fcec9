"""Forms of the request pages: the request itself, her declaration, the checklist, the moves."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from wahaj.lib.forms import LocalDigitsMixin
from wahaj.lib.validators import strip_bidi_controls

from .models import HomeVisit, SupportRequest, VerificationItem

DECLARATION_READ_REQUIRED = _("Read the declaration to her and tick the box before she signs.")


class SupportRequestForm(LocalDigitsMixin, forms.ModelForm):
    class Meta:
        model = SupportRequest
        fields = ["request_type", "amount_requested", "description", "channel"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class DeclarationForm(forms.Form):
    read_to_her = forms.BooleanField(
        label=_("The declaration was read to her and she agrees to it."),
        error_messages={"required": DECLARATION_READ_REQUIRED},
    )
    signed_name = forms.CharField(label=_("Her full name, as she types it to sign"), max_length=200)

    def clean_signed_name(self) -> str:
        return " ".join(strip_bidi_controls(self.cleaned_data["signed_name"]).split())


class VerificationForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Each datum matched against its document"),
        choices=VerificationItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What is missing (she will be told)"),
        help_text=_(
            "She reads this in the portal and by text message: write to her, in plain words, "
            "which documents or data to bring or upload."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartResearchForm(NoteForm):
    researcher = forms.ModelChoiceField(
        label=_("Researcher"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = User.objects.filter(
            groups__name=Role.RESEARCHER, is_active=True
        ).order_by("first_name", "username")


class DeliverForm(LocalDigitsMixin, NoteForm):
    delivery_note = forms.CharField(
        label=_("What was given"), widget=forms.Textarea(attrs={"rows": 2})
    )
    delivered_amount = forms.DecimalField(
        label=_("Amount delivered (SAR)"), required=False, min_value=0, decimal_places=2
    )


class HomeVisitForm(forms.ModelForm):
    """The day and the time window of a home visit (the address comes from her file)."""

    class Meta:
        model = HomeVisit
        fields = ["date", "window_start", "window_end"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "window_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "window_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
