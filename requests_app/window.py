"""The two-week decision window's only clock: a periodic sweep (SPEC §5, policy step 5).

`decision_window_enforce` runs every 15 minutes (beat) and as `manage.py
enforce_decision_window`. It reminds the researcher (while `in_research`) or the committee
chair (while `in_committee`) when DECISION_REMINDER_DAYS days are left, flags a request whose
due time passed undecided as overdue and tells the managers — once each, with an event on the
request's timeline.

Safe to run twice or at the same time: candidates are locked with SKIP LOCKED (a concurrent
sweep passes over them), the request's own timestamps say what was already done, and every
message has a unique idempotency key. The number of queries does not grow with the number of
due requests: everything is read, updated and written in bulk.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import Event
from notifications.models import Message
from notifications.services import message_build, messages_queue_bulk, staff_address
from wahaj.lib.bulk import insert_many

from .models import SupportRequest
from .selectors import request_url

State = SupportRequest.State
DAY = timedelta(days=1)


@dataclass(frozen=True)
class WindowSweep:
    reminded: int  # requests whose researcher / chair was reminded
    overdue: int  # requests newly flagged overdue
    messages: int  # outbox rows queued


# What a sweep reads of a request and of its researcher (thousands of rows: read no more),
# as tuples: the sweep only reads them, and a model instance costs more to build than its row
# costs to fetch (issue 23; PhoneNumberField parses the number of each researcher it sets).
_FIELDS = ("id", "reference", "state", "decision_due_at")
_STAFF_FIELDS = ("id", "email", "mobile", "preferred_language")


class _Due(NamedTuple):
    pk: int
    reference: str | None
    state: str
    decision_due_at: datetime
    threshold: int | None = None
    researcher: SimpleNamespace | None = None  # pk, email, mobile, preferred_language


def _reminder_row(row: tuple) -> _Due:
    *request, threshold, researcher_pk, email, mobile, language = row
    researcher = None
    if researcher_pk is not None:
        researcher = SimpleNamespace(
            pk=researcher_pk, email=email, mobile=mobile or "", preferred_language=language
        )
    return _Due(*request, threshold=threshold, researcher=researcher)


def _reminder_thresholds() -> list[int]:
    return sorted({int(d) for d in settings.DECISION_REMINDER_DAYS if int(d) > 0})


def _due_for_reminder(now: datetime) -> models.QuerySet[SupportRequest]:
    """In research / committee, with a reminder threshold crossed and not yet reminded for it.

    Threshold d covers due times in (now + the next smaller threshold, now + d]: a request that
    skipped a band (it entered research late) gets only the most urgent reminder. The reminder
    of band d is done when `window_reminded_at` is on or after `decision_due_at - d days`.
    """
    thresholds = _reminder_thresholds()
    if not thresholds:
        return SupportRequest.objects.none()
    needs = Q()
    whens = []
    lower = now
    for d in thresholds:
        band = Q(decision_due_at__gt=lower, decision_due_at__lte=now + d * DAY)
        not_yet = Q(window_reminded_at__isnull=True) | Q(
            window_reminded_at__lt=F("decision_due_at") - d * DAY
        )
        needs |= band & not_yet
        whens.append(When(band, then=Value(d)))
        lower = now + d * DAY
    return (
        SupportRequest.objects.filter(needs, state__in=(State.IN_RESEARCH, State.IN_COMMITTEE))
        .annotate(threshold=Case(*whens, output_field=models.IntegerField()))
        .select_for_update(skip_locked=True, of=("self",))
        .order_by()
        .values_list(*_FIELDS, "threshold", *(f"researcher__{f}" for f in _STAFF_FIELDS))
    )


def _newly_overdue(now: datetime) -> models.QuerySet[SupportRequest]:
    """The clock runs, the due time passed, and this due time was not flagged yet (a due time
    moved later by a pause makes a new episode)."""
    return (
        SupportRequest.objects.filter(
            Q(overdue_flagged_at__isnull=True) | Q(overdue_flagged_at__lt=F("decision_due_at")),
            state__in=SupportRequest.CLOCK_RUNNING,
            decision_due_at__lt=now,
        )
        .select_for_update(skip_locked=True)
        .order_by()
        .values_list(*_FIELDS)
    )


def _role_holders(role: str) -> list[User]:
    return list(User.objects.filter(groups__name=role, is_active=True).distinct().order_by("pk"))


def _context(support_request: _Due, now: datetime, url: Callable[[int], str]) -> dict:
    due = support_request.decision_due_at
    return {
        "reference": support_request.reference or "",
        "state": support_request.state,
        "due_date": timezone.localtime(due).date().isoformat(),
        "days_left": max(math.ceil((due - now) / DAY), 0),
        "url": settings.SITE_URL + url(support_request.pk),
    }


def _messages_to(
    users: list, support_request: _Due, content_type, *, template: str, key: str, context: dict
) -> list[Message]:
    rows = []
    for user in users:
        channel, to, language = staff_address(user)
        message = message_build(
            channel=channel,
            to=to,
            template=template,
            language=language,
            context=context,
            idempotency_key=f"{key}:u{user.pk}",
        )
        message.subject_type = content_type  # the request's (read as a tuple, not an instance)
        message.subject_id = support_request.pk
        rows.append(message)
    return rows


def _event(support_request: _Due, content_type, verb: str, now, extra: dict) -> Event:
    # The system's timeline entry (event_record writes one row at a time; a sweep writes them
    # in one statement, with the same fields event_record fills for actor None).
    return Event(
        actor=None,
        actor_kind=Event.ActorKind.SYSTEM,
        content_type=content_type,
        object_id=support_request.pk,
        verb=verb,
        old_state=support_request.state,
        new_state=support_request.state,
        extra=extra,
        created_at=now,
    )


@transaction.atomic
def decision_window_enforce(*, now: datetime | None = None) -> WindowSweep:
    """Send the due reminders and escalations once. See the module docstring."""
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(SupportRequest)
    url = request_url()
    messages: list[Message] = []
    events: list[Event] = []

    reminders = [_reminder_row(row) for row in _due_for_reminder(now)]
    if reminders:
        # Both read whatever the reminders need, so that the queries do not depend on the data.
        chairs = _role_holders(Role.CHAIR)
        researchers = _role_holders(Role.RESEARCHER)  # for a request with none assigned yet
        for support_request in reminders:
            if support_request.state == State.IN_COMMITTEE:
                users, role = chairs, Role.CHAIR
            elif support_request.researcher is not None:
                users, role = [support_request.researcher], Role.RESEARCHER
            else:
                users, role = researchers, Role.RESEARCHER
            context = _context(support_request, now, url)
            due_key = int(support_request.decision_due_at.timestamp())
            messages += _messages_to(
                users,
                support_request,
                content_type,
                template="window_reminder",
                key=f"window-reminder-{support_request.pk}-{due_key}-d{support_request.threshold}",
                context=context,
            )
            events.append(
                _event(
                    support_request,
                    content_type,
                    "window_reminder",
                    now,
                    {
                        "days_left": context["days_left"],
                        "threshold": support_request.threshold,
                        "to_role": role,
                        "recipients": [u.pk for u in users],
                    },
                )
            )
        SupportRequest.objects.filter(pk__in=[r.pk for r in reminders]).update(
            window_reminded_at=now
        )

    overdue = [_Due(*row) for row in _newly_overdue(now)]
    if overdue:
        managers = _role_holders(Role.MANAGER)
        for support_request in overdue:
            due_key = int(support_request.decision_due_at.timestamp())
            messages += _messages_to(
                managers,
                support_request,
                content_type,
                template="window_overdue",
                key=f"window-overdue-{support_request.pk}-{due_key}",
                context=_context(support_request, now, url),
            )
            events.append(
                _event(
                    support_request,
                    content_type,
                    "window_overdue",
                    now,
                    {
                        "decision_due_at": support_request.decision_due_at.isoformat(),
                        "recipients": [u.pk for u in managers],
                    },
                )
            )
        SupportRequest.objects.filter(pk__in=[r.pk for r in overdue]).update(overdue_flagged_at=now)

    insert_many(events)
    queued = messages_queue_bulk(messages)
    return WindowSweep(reminded=len(reminders), overdue=len(overdue), messages=len(queued))
