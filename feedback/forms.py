"""Ticket forms: the staff list's filters, recording one, moving one; hers in the portal and
on the public form. Errors are translated constants beside each field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from beneficiaries.models import Beneficiary
from wahaj.lib.choices import Channel
from wahaj.lib.validators import normalize_mobile

from .models import Ticket
from .selectors import assignable_staff

FILE_NOT_FOUND = _("No file has this number.")
MOBILE_REQUIRED = _("Enter your mobile: the answer is sent to it.")
ANONYMOUS_COMPLAINT_ONLY = _("Only a complaint can be sent without a name and a mobile.")

ANY = [("", _("All"))]


class TicketFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), required=False, choices=ANY + Ticket.Kind.choices)
    state = forms.ChoiceField(
        label=_("state"),
        required=False,
        choices=[*ANY, ("open", _("Waiting for an answer")), *Ticket.State.choices],
    )
    channel = forms.ChoiceField(label=_("channel"), required=False, choices=ANY + Channel.choices)
    overdue = forms.BooleanField(label=_("Past the deadline"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return self.cleaned_data


class _Text(forms.Form):
    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()


class TicketRecordForm(_Text):
    """Staff record what she said, by whatever channel it came."""

    kind = forms.ChoiceField(label=_("type"), choices=Ticket.Kind.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    category = forms.ChoiceField(
        label=_("category"), choices=Ticket.Category.choices, initial=Ticket.Category.OTHER
    )
    priority = forms.ChoiceField(
        label=_("priority"), choices=Ticket.Priority.choices, initial=Ticket.Priority.NORMAL
    )
    text = forms.CharField(label=_("what she said"), widget=forms.Textarea(attrs={"rows": 4}))
    file_number = forms.CharField(
        label=_("file number"),
        required=False,
        max_length=20,
        help_text=_("When she is on file (B-000123): the answer goes to her by her channel."),
    )
    contact_name = forms.CharField(label=_("name"), required=False, max_length=120)
    contact_mobile = forms.CharField(
        label=_("mobile"),
        required=False,
        max_length=20,
        help_text=_("When she is not on file: the answer is sent to this mobile."),
    )
    about_staff = forms.ModelChoiceField(
        label=_("member of staff complained about"),
        required=False,
        queryset=User.objects.none(),
        help_text=_("The complaint is never given to this person, who will not see it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about_staff"].queryset = (
            User.objects.filter(is_active=True, groups__isnull=False)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["about_staff"].label_from_instance = lambda user: user.display_name

    def clean_file_number(self) -> Beneficiary | None:
        number = self.cleaned_data["file_number"].strip().upper()
        if not number:
            return None
        beneficiary = Beneficiary.objects.filter(file_number=number).first()
        if beneficiary is None:
            raise ValidationError(FILE_NOT_FOUND)
        return beneficiary

    def clean_contact_mobile(self) -> str:
        value = self.cleaned_data["contact_mobile"].strip()
        return normalize_mobile(value).as_e164 if value else ""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("about_staff") and data.get("kind") != Ticket.Kind.COMPLAINT:
            data["about_staff"] = None
        return data

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["beneficiary"] = data.pop("file_number")
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("assign to"), queryset=User.objects.none())

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff(ticket)
        self.fields["assignee"].label_from_instance = lambda user: (
            f"{user.display_name} · {user.primary_role_label}"
        )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("answer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to her by text message or e-mail, and shown in her portal."),
    )


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("why it is reopened"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Hers: the portal and the public form ------------------------------------------------------
class PortalTicketForm(_Text):
    kind = forms.ChoiceField(label=_("type"), choices=Ticket.Kind.choices)
    category = forms.ChoiceField(
        label=_("about"), choices=Ticket.Category.choices, initial=Ticket.Category.OTHER
    )
    text = forms.CharField(label=_("your message"), widget=forms.Textarea(attrs={"rows": 5}))


class PublicTicketForm(PortalTicketForm):
    contact_name = forms.CharField(label=_("your name"), required=False, max_length=120)
    contact_mobile = forms.CharField(
        label=_("your mobile"),
        required=False,
        max_length=20,
        help_text=_("A code is sent to it to confirm it is yours; the answer comes to it."),
    )
    anonymous = forms.BooleanField(
        label=_("Send the complaint without my name and mobile"),
        required=False,
        help_text=_("An anonymous complaint is read and acted on, but cannot be answered."),
    )

    def clean_contact_mobile(self) -> str:
        value = self.cleaned_data["contact_mobile"].strip()
        return normalize_mobile(value).as_e164 if value else ""

    def clean(self) -> dict:
        data = super().clean()
        if data.get("anonymous"):
            if data.get("kind") != Ticket.Kind.COMPLAINT:
                self.add_error("anonymous", ANONYMOUS_COMPLAINT_ONLY)
            data["contact_name"], data["contact_mobile"] = "", ""
        elif not data.get("contact_mobile") and "contact_mobile" not in self.errors:
            self.add_error("contact_mobile", MOBILE_REQUIRED)
        return data
