from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from requests_app.models import RejectionCode, RequestType
from wahaj.lib.forms import LocalDigitsMixin, ModelMultipleChoiceField

from .models import Committee, Decision, ResearchReport, ScoringRule, Vote
from .services import REPORT_FIELDS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResearchReportForm(LocalDigitsMixin, forms.ModelForm):
    class Meta:
        model = ResearchReport
        fields = REPORT_FIELDS
        widgets = {
            "visit_date": DATE_INPUT,
            "visit_type": forms.RadioSelect,
            "recommendation": forms.RadioSelect,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in [
                    "household_findings",
                    "income_findings",
                    "housing_findings",
                    "health_findings",
                    "needs",
                ]
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A list of radio buttons needs no "---------" choice (read out as "dash dash dash"):
        # none ticked is the empty answer.
        for name in ("visit_type", "recommendation"):
            field = self.fields[name]
            field.choices = [choice for choice in field.choices if choice[0] != ""]


class MeetingScheduleForm(forms.Form):
    committee = forms.ModelChoiceField(queryset=None, label=_("committee"))
    date = forms.DateField(label=_("date"), widget=DATE_INPUT)

    def __init__(self, *args, committees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["committee"].empty_label = None


class MeetingOpenForm(forms.Form):
    present = ModelMultipleChoiceField(
        queryset=None, label=_("members present"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = meeting.committee.members.order_by("pk")
        self.fields["present"].label_from_instance = lambda user: user.display_name


class MeetingCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Closing the meeting approves its minutes as they stand: its votes and decisions "
            "can no longer change. Undecided items stay before the committee."
        ),
    )


class AgendaAddForm(forms.Form):
    support_requests = ModelMultipleChoiceField(
        queryset=None, label=_("requests to add"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, queue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_requests"].queryset = queue
        self.fields["support_requests"].label_from_instance = lambda sr: (
            f"{sr.reference} · {sr.beneficiary.full_name}"
        )


class VoteForm(LocalDigitsMixin, forms.Form):
    choice = forms.ChoiceField(
        label=_("vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("most you approve (SAR)"),
        help_text=_("Optional, with an approval: the decision cannot approve more."),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


DEFER = "deferred"
DECISION_CHOICES = [*Decision.Outcome.choices, (DEFER, _("Defer to the next meeting"))]


class DecisionForm(LocalDigitsMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect
    )
    approved_amount = forms.DecimalField(
        label=_("approved amount"), required=False, min_value=0, decimal_places=2
    )
    support_type = forms.ChoiceField(
        label=_("support type"), required=False, choices=[("", "—"), *RequestType.choices]
    )
    rejection_code = forms.ChoiceField(
        label=_("rejection reason"), required=False, choices=[("", "—"), *RejectionCode.choices]
    )
    rejection_reason = forms.CharField(
        label=_("rejection details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, votes_outcome: str | None = None, **kwargs):
        """`votes_outcome`: on the meeting page, offer only what the votes decide, and defer."""
        super().__init__(*args, **kwargs)
        if votes_outcome is not None:
            self.fields["outcome"].choices = [
                choice for choice in DECISION_CHOICES if choice[0] in (votes_outcome, DEFER)
            ]


class CommitteeForm(LocalDigitsMixin, forms.ModelForm):
    """A committee's composition and rules, for managers (services.committee_update)."""

    members = ModelMultipleChoiceField(
        queryset=None,
        label=_("members"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The chair is a member too."),
    )

    class Meta:
        model = Committee
        fields = ["name", "chair", "quorum", "large_amount", "large_amount_quorum"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True).order_by("first_name", "username")
        self.fields["chair"].queryset = staff.filter(groups__name=Role.CHAIR).distinct()
        self.fields["members"].queryset = staff.filter(
            groups__name__in=[Role.COMMITTEE, Role.CHAIR]
        ).distinct()
        for name in ("chair", "members"):
            self.fields[name].label_from_instance = lambda user: user.display_name
        if self.instance.pk:
            self.initial["members"] = list(self.instance.members.values_list("pk", flat=True))


class ScoringRuleForm(LocalDigitsMixin, forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = ScoringRule.POINT_FIELDS


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


# --- Program cycles (issue 21) -----------------------------------------------------------------
class CycleAddForm(forms.Form):
    cycle = forms.ModelChoiceField(queryset=None, label=_("cycle sent to the committee"))

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles
        self.fields["cycle"].empty_label = None


class CycleVoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CycleDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, votes_outcome: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if votes_outcome is not None:
            self.fields["outcome"].choices = [
                c for c in Decision.Outcome.choices if c[0] == votes_outcome
            ]
