from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Question, Response

RATING_CHOICES = [
    (1, _("1 — very dissatisfied")),
    (2, _("2 — dissatisfied")),
    (3, _("3 — neutral")),
    (4, _("4 — satisfied")),
    (5, _("5 — very satisfied")),
]
YES_NO_CHOICES = [(1, _("Yes")), (0, _("No"))]
RECOMMEND_CHOICES = [(n, str(n)) for n in range(11)]
RADIOS = forms.RadioSelect(attrs={"class": "form-check-input"})


def _field_for(question: Question) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    if question.kind == Question.Kind.TEXT:
        return forms.CharField(
            widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            max_length=2000,
            **common,
        )
    choices = {
        Question.Kind.RATING: RATING_CHOICES,
        Question.Kind.YES_NO: YES_NO_CHOICES,
        Question.Kind.RECOMMEND: RECOMMEND_CHOICES,
    }[question.kind]
    return forms.TypedChoiceField(
        choices=choices, coerce=int, empty_value=None, widget=RADIOS, **common
    )


class SurveyAnswerForm(forms.Form):
    """One field per question of the survey, `q<question id>`, in the survey's order."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            field = _field_for(question)
            field.question_kind = question.kind
            self.fields[f"q{question.pk}"] = field

    def answers(self) -> dict[Question, object]:
        return {q: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


class RecordedSurveyForm(SurveyAnswerForm):
    """A survey she answered by phone or on paper, typed in by staff."""

    channel = forms.TypedChoiceField(
        label=_("She answered by"),
        choices=[
            (Response.Channel.PHONE.value, Response.Channel.PHONE.label),
            (Response.Channel.PAPER.value, Response.Channel.PAPER.label),
        ],
        widget=RADIOS,
    )

    field_order = ["channel"]


class PeriodForm(forms.Form):
    """The period of the results page: a whole month, quarter or year already over (never
    any range of days: two ranges a day apart would single out one answer). The last month
    by default."""

    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, *args, **kwargs):
        from .selectors import completed_periods

        super().__init__(*args, **kwargs)
        self.periods = completed_periods(timezone.localdate())
        titles = {"month": _("Months"), "quarter": _("Quarters"), "year": _("Years")}
        self.fields["period"].choices = [
            (titles[kind], [(p.key, p.label) for p in periods])
            for kind, periods in self.periods.items()
        ]
        self.fields["period"].widget.attrs["class"] = "form-select"

    def chosen(self):
        """The chosen Period (surveys.selectors), or the last month over."""
        from .selectors import Period

        key = self.cleaned_data.get("period") if self.is_valid() else None
        return Period.parse(key) or self.periods["month"][0]
