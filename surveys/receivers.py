"""What the surveys app does when something happens elsewhere (connected in apps.ready)."""

from . import default_survey


def ensure_default_survey(**kwargs) -> None:
    """post_migrate: the default survey exists (again, after a test flush). Idempotent."""
    from .models import Question, Survey

    default_survey.ensure(Survey, Question)


def invite_after_transition(sender, *, support_request, new_state, **kwargs) -> None:
    """After delivered or rejected she is invited to evaluate the service (her right either way).

    Runs inside the transition's transaction: the invitation and its outbox row commit with it.
    """
    from .services import TRIGGER_OF_STATE, invitation_create

    if new_state == "closed":  # closing a delivered request is not a new service
        return
    trigger = TRIGGER_OF_STATE.get(new_state)
    if trigger is not None:
        invitation_create(support_request=support_request, trigger=trigger)


def connect_request_transitions() -> None:
    from requests_app.signals import support_request_transitioned

    support_request_transitioned.connect(
        invite_after_transition, dispatch_uid="surveys.invite_after_transition"
    )
