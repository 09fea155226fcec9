"""Demo survey data: invitations after the seeded deliveries and rejections, and answers to
about half of them (seed_demo; idempotent: requests that have an invitation are skipped)."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from requests_app.models import SupportRequest

from .models import Answer, Invitation, Question, Response, new_token
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
    for start in range(0, len(waiting), BATCH):
        rng = random.Random(f"{options.get('seed', 2026)}:surveys:{start}:{len(waiting)}")
        rows = waiting[start : start + BATCH]
        with transaction.atomic():
            invitations = Invitation.objects.bulk_create(
                Invitation(
                    survey=survey,
                    support_request_id=pk,
                    trigger=_trigger(state),
                    token=new_token(),
                    created_at=(sent := delivered_at or decided_at or now),
                    send_after=sent,
                    expires_at=sent + valid,
                )
                for pk, state, decided_at, delivered_at, _channel, _type in rows
            )
            chosen = [
                (invitation, row)
                for invitation, row in zip(invitations, rows, strict=True)
                if rng.random() < ANSWER_SHARE
            ]
            delays = [timedelta(days=rng.randint(0, 6)) for _ in chosen]
            responses = Response.objects.bulk_create(
                Response(
                    survey=survey,
                    invitation=invitation,
                    channel=rng.choice(["link", "link", "link", "portal", "phone", "paper"]),
                    request_channel=row[4],
                    request_type=row[5],
                    outcome=invitation.trigger,
                    submitted_at=min(invitation.created_at + delay, now),
                )
                for (invitation, row), delay in zip(chosen, delays, strict=True)
            )
            for response in responses:
                response.invitation.used_at = response.submitted_at
            Invitation.objects.bulk_update([r.invitation for r in responses], ["used_at"])
            answers = []
            for response in responses:
                for question in questions:
                    value, text = _value(rng, question)
                    if value is not None or text:
                        answers.append(
                            Answer(response=response, question=question, value=value, text=text)
                        )
            Answer.objects.bulk_create(answers, batch_size=BATCH)
        invited += len(invitations)
        answered += len(responses)
    stdout.write(f"Surveys: {invited} invitations, {answered} answered.")
