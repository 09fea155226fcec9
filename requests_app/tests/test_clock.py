"""The two-week decision clock (policy step 5): it pauses while returned, in the database."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from requests_app import services
from requests_app.models import SupportRequest
from requests_app.selectors import order_by_days_left, support_requests_with_clock

from .factories import ready_request, request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State
RIYADH = ZoneInfo("Asia/Riyadh")
DAY0 = datetime(2026, 3, 1, 10, 0, tzinfo=RIYADH)


def _day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


def _clock(support_request: SupportRequest, now: datetime) -> tuple[int | None, bool]:
    row = support_requests_with_clock(now=now).get(pk=support_request.pk)
    return row.days_left, row.is_overdue


def test_submitted_day_0_returned_day_3_resubmitted_day_8_is_due_day_19(
    settings, intake_user, researcher_user
):
    settings.DECISION_WINDOW_DAYS = 14
    support_request = ready_request(witness=intake_user)
    with time_machine.travel(_day(0), tick=False):
        services.support_request_submit(actor=intake_user, support_request=support_request)
    with time_machine.travel(_day(3), tick=False):
        services.support_request_return(
            actor=researcher_user, support_request=support_request, note="ينقص عقد الإيجار"
        )
    with time_machine.travel(_day(8), tick=False):
        services.support_request_resubmit(actor=intake_user, support_request=support_request)

    support_request.refresh_from_db()
    assert support_request.decision_due_at == _day(19)
    assert support_request.paused_total == timedelta(days=5)
    assert support_request.paused_at is None


def test_days_left_stand_still_while_returned_and_run_again_after(intake_user, researcher_user):
    support_request = ready_request(witness=intake_user)
    with time_machine.travel(_day(0), tick=False):
        services.support_request_submit(actor=intake_user, support_request=support_request)
    assert _clock(support_request, _day(1)) == (13, False)

    with time_machine.travel(_day(3), tick=False):
        services.support_request_return(
            actor=researcher_user, support_request=support_request, note="ينقص"
        )
    assert _clock(support_request, _day(4)) == (11, False)
    assert _clock(support_request, _day(30)) == (11, False)  # paused: never overdue

    with time_machine.travel(_day(8), tick=False):
        services.support_request_resubmit(actor=intake_user, support_request=support_request)
    assert _clock(support_request, _day(8)) == (11, False)
    assert _clock(support_request, _day(19) - timedelta(minutes=1)) == (0, False)
    assert _clock(support_request, _day(19) + timedelta(minutes=1)) == (0, True)
    assert _clock(support_request, _day(22)) == (-3, True)


def test_decided_requests_have_no_days_left_and_are_not_overdue():
    approved = request_in_state(State.APPROVED, due_in_days=-5)
    assert _clock(approved, _day(0)) == (None, False)


def test_sorting_by_days_left_puts_overdue_requests_first():
    later = request_in_state(State.SUBMITTED, due_in_days=9)
    overdue = request_in_state(State.IN_RESEARCH, due_in_days=-2)
    soon = request_in_state(State.IN_COMMITTEE, due_in_days=1)
    draft = request_in_state(State.DRAFT)
    rows = list(order_by_days_left(support_requests_with_clock()))
    assert rows == [overdue, soon, later, draft]
    assert [r.is_overdue for r in rows] == [True, False, False, False]
