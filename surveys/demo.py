"""Demo survey data: invitations after the seeded deliveries and rejections, and answers to
about half of them (seed_demo; idempotent: requests that have an invitation are skipped)."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from requests_app.models import SupportRequest
from wahaj.lib.bulk import copy_rows, foreign_keys_checked_once, ids_reserve

from .models import Answer, Invitation, Question, Response, new_token, token_digest
from .selectors import questions_of, survey_active

BATCH = 5000
ANSWER_SHARE = 0.45
COMMENTS = [
    "شكرًا على حسن الاستقبال والتعامل الراقي.",
    "أتمنى أن تكون مدة دراسة الطلب أقصر.",
    "الإجراءات واضحة والموظفات متعاونات.",
    "احتجت إلى مراجعة الجمعية أكثر من مرة لإكمال المستندات.",
    "جزاكم الله خيرًا، وصلتني المساعدة في وقتها.",
    "أرجو إرسال الرسائل بموعد التسليم قبلها بيوم.",
]
# Mostly satisfied, some not: the results page has something to show in every breakdown.
RATINGS = (1, 2, 3, 3, 4, 4, 4, 5, 5, 5, 5)
RECOMMEND = (2, 5, 6, 7, 8, 8, 9, 9, 10, 10, 10)


def _trigger(state: str) -> str:
    return Invitation.Trigger.REJECTED if state == "rejected" else Invitation.Trigger.DELIVERED


def _value(rng: random.Random, question: Question):
    if question.kind == Question.Kind.RATING:
        return rng.choice(RATINGS), ""
    if question.kind == Question.Kind.YES_NO:
        return (1 if rng.random() < 0.85 else 0), ""
    if question.kind == Question.Kind.RECOMMEND:
        return rng.choice(RECOMMEND), ""
    return None, (rng.choice(COMMENTS) if rng.random() < 0.25 else "")


def seed(stdout, options: dict) -> None:
    survey = survey_active()
    questions = questions_of(survey)
    now = timezone.now()
    valid = timedelta(days=settings.SURVEY_TOKEN_VALID_DAYS)
    waiting = list(
        SupportRequest.objects.filter(
            state__in=["delivered", "closed", "rejected"], survey_invitations__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "state", "decided_at", "delivered_at", "channel", "request_type")
    )
    invited = answered = 0
    # One transaction: the foreign keys are checked once, after the last batch.
    with transaction.atomic(), foreign_keys_checked_once(Invitation, Response, Answer):
        for start in range(0, len(waiting), BATCH):
            rng = random.Random(f"{options.get('seed', 2026)}:surveys:{start}:{len(waiting)}")
            rows = waiting[start : start + BATCH]
            answered += _seed_batch(rng, survey, questions, rows, now=now, valid=valid)
            invited += len(rows)
    stdout.write(f"Surveys: {invited} invitations, {answered} answered.")


def _seed_batch(rng, survey, questions, rows, *, now, valid) -> int:
    """One batch of invitations, about half of them answered, written with COPY (plain tuples,
    no model instances: `make bench` seeds some 200,000 invitations). Returns the answers.

    Ids are reserved beforehand, so each table's rows are built while PostgreSQL inserts the
    previous ones, and no id is read back."""
    invitation_ids = iter(ids_reserve(Invitation, len(rows)))
    responses = []

    def invitations():
        for pk, state, decided_at, delivered_at, channel, request_type in rows:
            invitation_id = next(invitation_ids)
            sent = delivered_at or decided_at or now
            used = None
            if rng.random() < ANSWER_SHARE:
                used = min(sent + timedelta(days=rng.randint(0, 6)), now)
                response_channel = rng.choice(["link", "link", "link", "portal", "phone", "paper"])
                outcome = _trigger(state)
                responses.append(
                    [
                        survey.pk,
                        invitation_id,
                        response_channel,
                        channel,
                        request_type,
                        outcome,
                        used,
                    ]
                )
            trigger = _trigger(state)
            yield (
                invitation_id,
                survey.pk,
                pk,
                trigger,
                token_digest(new_token()),
                sent,
                sent,
                sent + valid,
                used,
            )

    copy_rows(Invitation, ["id", *INVITATION_COLUMNS], invitations())
    for response, response_id in zip(responses, ids_reserve(Response, len(responses)), strict=True):
        response.insert(0, response_id)
    copy_rows(Response, ["id", *RESPONSE_COLUMNS], responses)

    def answers():
        for response in responses:
            for question in questions:
                value, text = _value(rng, question)
                if value is not None or text:
                    yield (response[0], question.pk, value, text)

    copy_rows(Answer, ANSWER_COLUMNS, answers())
    return len(responses)


INVITATION_COLUMNS = [
    "survey_id", "support_request_id", "trigger", "token_hash", "created_at", "send_after",
    "expires_at", "used_at",
]  # fmt: skip
RESPONSE_COLUMNS = [
    "survey_id", "invitation_id", "channel", "request_channel", "request_type", "outcome",
    "submitted_at",
]  # fmt: skip
ANSWER_COLUMNS = ["response_id", "question_id", "value", "text"]
