"""Surveys for tests: invitations on delivered requests, and answered surveys with known values."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.models import DEFAULT_SURVEY_SLUG, Answer, Invitation, Response, Survey


def default_survey() -> Survey:
    return Survey.objects.get(slug=DEFAULT_SURVEY_SLUG)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.LazyFunction(default_survey)
    support_request = factory.LazyFunction(
        lambda: request_in_state(SupportRequest.State.DELIVERED, due_in_days=-2)
    )
    trigger = Invitation.Trigger.DELIVERED
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=30))


def answered(
    values: dict[str, object],
    *,
    channel: str = Response.Channel.LINK,
    request_channel: str = "interview",
    request_type: str = "food_basket",
    outcome: str = Invitation.Trigger.DELIVERED,
    submitted_at=None,
) -> Response:
    """A response to the default survey: `values` maps question keys to answers."""
    survey = default_survey()
    invitation = InvitationFactory(trigger=outcome, used_at=submitted_at or timezone.now())
    response = Response.objects.create(
        survey=survey,
        invitation=invitation,
        channel=channel,
        request_channel=request_channel,
        request_type=request_type,
        outcome=outcome,
        submitted_at=submitted_at or timezone.now(),
    )
    questions = {q.key: q for q in survey.questions.all()}
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=questions[key],
            value=None if isinstance(value, str) else value,
            text=value if isinstance(value, str) else "",
        )
        for key, value in values.items()
    )
    return response


def satisfied_answers(rating: int = 5, recommend: int = 10, comment: str = "") -> dict:
    values = {
        "reception": rating,
        "answered": 1,
        "clarity": rating,
        "time_given": rating,
        "speed": rating,
        "outcome": rating,
        "recommend": recommend,
    }
    if comment:
        values["comments"] = comment
    return values


def in_last_month() -> datetime:
    """Noon on the 15th of last month: inside the period the results page shows by default
    (the last whole month, surveys.forms.PeriodForm)."""
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return timezone.make_aware(datetime.combine(last_month.replace(day=15), time(12)))
