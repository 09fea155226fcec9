"""The default Arabic survey exists after migrate, and again after a flush."""

import pytest

from surveys import default_survey
from surveys.models import Question, Survey
from surveys.receivers import ensure_default_survey

pytestmark = pytest.mark.django_db


def test_the_default_survey_asks_the_policy_questions_in_order():
    survey = Survey.objects.get(slug=default_survey.SLUG)
    keys = list(survey.questions.order_by("position").values_list("key", "kind"))
    assert keys == [(key, kind) for key, kind, _text, _req in default_survey.QUESTIONS]
    assert survey.title == "استبانة رضا المستفيدات"


def test_the_post_migrate_hook_recreates_it_after_a_flush_and_never_doubles_it():
    Question.objects.all().delete()
    Survey.objects.all().delete()
    ensure_default_survey()
    ensure_default_survey()
    assert Survey.objects.count() == 1
    assert Question.objects.count() == len(default_survey.QUESTIONS)


def test_a_manager_edit_is_not_overwritten_by_the_hook():
    question = Question.objects.get(key="speed")
    question.text = "كيف تقيّمين سرعة الرد؟"
    question.save()
    ensure_default_survey()
    question.refresh_from_db()
    assert question.text == "كيف تقيّمين سرعة الرد؟"
