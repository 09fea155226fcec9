from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from accounts.access import role_required
from accounts.roles import Role
from requests_app.access import support_request_for_staff
from requests_app.models import RequestType, SupportRequest
from wahaj.lib.choices import Channel

from . import selectors, services
from .forms import PeriodForm, RecordedSurveyForm, SurveyAnswerForm
from .models import Invitation, Response


@never_cache
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """`/surveys/r/<token>/`: her survey, without login; a bad link gets a clear page."""
    try:
        invitation = services.invitation_check(selectors.invitation_by_token(token))
    except services.SurveyLinkError as error:
        return _link_error(request, error)
    survey = invitation.survey
    form = SurveyAnswerForm(request.POST or None, questions=selectors.questions_of(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(token=token, answers=form.answers())
        except services.SurveyLinkError as error:
            return _link_error(request, error)
        return redirect("surveys:thanks")
    return render(request, "surveys/respond.html", {"survey": survey, "form": form})


def _link_error(request: HttpRequest, error: services.SurveyLinkError) -> HttpResponse:
    return render(
        request, "surveys/link_error.html", {"message": error.message}, status=error.status
    )


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/thanks.html")


def _labels() -> dict[str, dict[str, str]]:
    return {
        "request_channel": dict(Channel.choices),
        "request_type": dict(RequestType.choices),
        "outcome": dict(Invitation.Trigger.choices),
        "channel": dict(Response.Channel.choices),
    }


BREAKDOWN_TITLES = {
    "request_channel": gettext_lazy("By the channel of her request"),
    "request_type": gettext_lazy("By support type"),
    "outcome": gettext_lazy("By the committee's decision"),
    "channel": gettext_lazy("By how she answered"),
}


@role_required(Role.MANAGER)
def results(request: HttpRequest) -> HttpResponse:
    """`/surveys/`: aggregated results for managers; never a name, never a group under 5."""
    form = PeriodForm(request.GET or None)
    data = selectors.results(form.chosen())
    labels = _labels()
    breakdowns = [
        {
            "key": group,
            "title": BREAKDOWN_TITLES[group],
            "rows": [
                (labels[group].get(key, key), cell) for key, cell in data.breakdowns[group].items()
            ],
        }
        for group in selectors.BREAKDOWNS
    ]
    trend = {
        "type": "line",
        "labels": [month.strftime("%Y-%m") for month, _cell in data.months],
        "datasets": [
            {"label": _("CSAT (%)"), "data": [cell.csat for _month, cell in data.months]},
            {"label": _("NPS"), "data": [cell.nps for _month, cell in data.months]},
        ],
    }
    context = {
        "form": form,
        "results": data,
        "breakdowns": breakdowns,
        "trend": trend,
        "query": request.GET.urlencode(),
    }
    return render(request, "surveys/results.html", context)


@role_required(Role.INTAKE)
def record(request: HttpRequest, request_pk: int) -> HttpResponse:
    """Staff type in a survey she answered by phone or on paper."""
    # Only a request she can evaluate (delivered, closed or rejected), and only if visible.
    surveyable = SupportRequest.objects.filter(state__in=list(services.TRIGGER_OF_STATE))
    support_request = support_request_for_staff(request.user, request_pk, surveyable)
    survey = selectors.survey_active()
    form = RecordedSurveyForm(request.POST or None, questions=selectors.questions_of(survey))
    if request.method == "POST" and form.is_valid():
        try:
            services.response_record(
                actor=request.user,
                support_request=support_request,
                channel=form.cleaned_data["channel"],
                answers=form.answers(),
            )
        except services.SurveyLinkError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Her survey answers were recorded."))
        return redirect(support_request.get_absolute_url())
    context = {"survey": survey, "form": form, "support_request": support_request}
    return render(request, "surveys/record.html", context)
