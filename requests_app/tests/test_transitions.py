"""The life-cycle of SPEC §3: every legal move, every illegal one, and who may take them."""

from decimal import Decimal

import pytest

from audit.models import Event
from notifications.models import Message
from requests_app import services
from requests_app.models import RejectionCode, SupportRequest, VerificationItem
from requests_app.services import TRANSITIONS, InvalidTransition
from requests_app.signals import support_request_transitioned

from .factories import ready_request, request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def _last_event(support_request: SupportRequest, verb: str) -> Event:
    """The latest event of this verb (other apps, e.g. surveys, add events of their own)."""
    return Event.objects.for_subject(support_request).filter(verb=verb).order_by("-pk").first()


def _templates_of(event: Event) -> list[str]:
    """The outbox rows queued by the transition that wrote `event`."""
    key = f"support-request-{event.object_id}-{event.pk}-"
    rows = Message.objects.filter(idempotency_key__startswith=key)
    return sorted({row.template for row in rows})


def test_one_request_walks_every_legal_transition(
    intake_user, researcher_user, chair_user, manager_user
):
    support_request = ready_request(witness=intake_user)
    walk = [
        ("submit", intake_user, {}, State.SUBMITTED, ["request_received", "research_due"]),
        ("return", researcher_user, {"note": "صورة الهوية غير واضحة"}, State.RETURNED,
         ["request_returned"]),
        ("resubmit", intake_user, {}, State.SUBMITTED, ["request_received", "research_due"]),
        ("start_research", researcher_user, {}, State.IN_RESEARCH, []),
        ("return", researcher_user, {"note": "مشهد الضمان قديم"}, State.RETURNED,
         ["request_returned"]),
        ("resubmit", intake_user, {}, State.SUBMITTED, ["request_received", "research_due"]),
        ("start_research", manager_user, {"researcher": researcher_user}, State.IN_RESEARCH,
         ["research_due"]),
        ("send_to_committee", researcher_user, {}, State.IN_COMMITTEE, []),
        ("decide", chair_user, {"outcome": "approved", "approved_amount": Decimal("900")},
         State.APPROVED, ["request_decided"]),
        ("deliver", intake_user, {"delivery_note": "سلة غذائية", "delivered_amount": 900},
         State.DELIVERED, ["request_delivered"]),
        ("close", intake_user, {}, State.CLOSED, []),
    ]  # fmt: skip
    for name, actor, kwargs, new_state, templates in walk:
        old_state = SupportRequest.objects.get(pk=support_request.pk).state
        service = getattr(services, f"support_request_{name}")
        service(actor=actor, support_request=support_request, **kwargs)

        support_request.refresh_from_db()
        assert support_request.state == new_state, name
        event = _last_event(support_request, name)
        assert (event.verb, event.old_state, event.new_state) == (name, old_state, new_state)
        assert event.actor == actor
        assert _templates_of(event) == templates, name

    assert support_request.reference.startswith("WHJ-")
    assert support_request.researcher == researcher_user
    assert support_request.window_met is True


def test_a_rejection_tells_her_the_reason_and_an_appeal_reopens_it(intake_user, chair_user):
    support_request = request_in_state(State.IN_COMMITTEE)
    services.support_request_decide(
        actor=chair_user,
        support_request=support_request,
        outcome="rejected",
        rejection_code=RejectionCode.INCOME_ABOVE_THRESHOLD,
        rejection_reason="دخل الفرد أعلى من الحد",
    )
    support_request.refresh_from_db()
    assert support_request.state == State.REJECTED
    event = _last_event(support_request, "decide")
    assert (event.verb, event.new_state) == ("decide", State.REJECTED)
    message = Message.objects.get(template="request_decided", subject_id=support_request.pk)
    assert message.context["outcome"] == "rejected"
    assert message.context["rejection_reason"]
    assert message.to == str(support_request.beneficiary.mobile)

    services.support_request_reopen_for_appeal(actor=None, support_request=support_request)
    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    assert support_request.decided_at is None
    event = _last_event(support_request, "reopen_for_appeal")
    assert (event.new_state, event.actor_kind) == (State.IN_COMMITTEE, "beneficiary")


@pytest.mark.parametrize("state", SupportRequest.OPEN)
def test_she_may_withdraw_an_open_request_herself(state):
    support_request = request_in_state(state)
    services.support_request_withdraw(actor=None, support_request=support_request, note="x")
    support_request.refresh_from_db()
    assert support_request.state == State.WITHDRAWN
    event = _last_event(support_request, "withdraw")
    assert (event.old_state, event.new_state) == (state, "withdrawn")
    assert (event.actor, event.actor_kind) == (None, "beneficiary")
    assert support_request.paused_at is None


def _arguments(name: str, actor) -> dict:
    return {
        "return": {"note": "ناقص"},
        "decide": {"outcome": "approved", "approved_amount": Decimal(500)},
        "deliver": {"delivery_note": "تم"},
    }.get(name, {})


ILLEGAL = [
    (name, state)
    for name, rule in TRANSITIONS.items()
    for state in State.values
    if state not in rule.sources
]


@pytest.mark.parametrize(("name", "state"), ILLEGAL)
def test_an_illegal_transition_is_refused_and_changes_nothing(name, state, manager_user):
    support_request = request_in_state(state)
    events_before = Event.objects.count()
    service = getattr(services, f"support_request_{name}")

    with pytest.raises(InvalidTransition) as refused:
        service(actor=manager_user, support_request=support_request, **_arguments(name, None))

    assert refused.value.message == TRANSITIONS[name].refusal
    support_request.refresh_from_db()
    assert support_request.state == state
    assert Event.objects.count() == events_before
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("name", "state", "persona"),
    [
        ("return", State.SUBMITTED, "intake_user"),
        ("start_research", State.SUBMITTED, "intake_user"),
        ("send_to_committee", State.IN_RESEARCH, "intake_user"),
        ("decide", State.IN_COMMITTEE, "researcher_user"),
        ("decide", State.IN_COMMITTEE, "member_user"),
        ("deliver", State.APPROVED, "member_user"),
        ("withdraw", State.SUBMITTED, "chair_user"),
    ],
)
def test_a_role_that_may_not_take_a_transition_is_refused(name, state, persona, request):
    support_request = request_in_state(state)
    with pytest.raises(InvalidTransition) as refused:
        getattr(services, f"support_request_{name}")(
            actor=request.getfixturevalue(persona),
            support_request=support_request,
            **_arguments(name, None),
        )
    assert refused.value.message == services.NOT_PERMITTED
    support_request.refresh_from_db()
    assert support_request.state == state


@pytest.mark.parametrize("name", ["return", "start_research", "decide", "deliver", "close"])
def test_the_beneficiary_cannot_take_staff_transitions(name):
    rule = TRANSITIONS[name]
    support_request = request_in_state(rule.sources[0])
    with pytest.raises(InvalidTransition):
        getattr(services, f"support_request_{name}")(
            actor=None, support_request=support_request, **_arguments(name, None)
        )


def test_a_return_must_say_what_is_missing(researcher_user):
    support_request = request_in_state(State.SUBMITTED)
    with pytest.raises(InvalidTransition) as refused:
        services.support_request_return(
            actor=researcher_user, support_request=support_request, note="  "
        )
    assert refused.value.message == services.RETURN_NEEDS_REASON


def test_a_rejection_needs_its_coded_reason(chair_user):
    support_request = request_in_state(State.IN_COMMITTEE)
    with pytest.raises(InvalidTransition) as refused:
        services.support_request_decide(
            actor=chair_user, support_request=support_request, outcome="rejected"
        )
    assert refused.value.message == services.REJECTION_NEEDS_CODE


def test_every_transition_sends_the_signal_inside_the_transaction(researcher_user):
    received = []

    def receiver(**kwargs):
        received.append((kwargs["transition"], kwargs["old_state"], kwargs["new_state"]))

    support_request_transitioned.connect(receiver)
    try:
        services.support_request_start_research(
            actor=researcher_user, support_request=request_in_state(State.SUBMITTED)
        )
    finally:
        support_request_transitioned.disconnect(receiver)
    assert received == [("start_research", "submitted", "in_research")]


def test_an_online_request_waits_in_submitted_for_the_staff_checklist(intake_user, researcher_user):
    online = request_in_state(State.SUBMITTED, channel="website", created_by=None)
    with pytest.raises(InvalidTransition) as refused:
        services.support_request_start_research(actor=researcher_user, support_request=online)
    assert refused.value.message == services.VERIFY_FIRST

    services.support_request_verify(
        actor=intake_user, support_request=online, items=VerificationItem.values
    )
    services.support_request_start_research(actor=researcher_user, support_request=online)
    online.refresh_from_db()
    assert online.state == State.IN_RESEARCH
