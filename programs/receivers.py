"""What the programs app does when something happens elsewhere (connected in apps.ready)."""


def settle_request_funding(sender, *, support_request, new_state, actor=None, **kwargs) -> None:
    """A request charged to a fund: delivered → the money is spent; withdrawn or closed
    without delivery → the promise is released. Runs in the transition's transaction."""
    from .services import request_funding_settle

    if new_state == "delivered":
        request_funding_settle(actor=actor, support_request=support_request, delivered=True)
    elif new_state in ("withdrawn", "closed", "rejected") and support_request.delivered_at is None:
        request_funding_settle(actor=actor, support_request=support_request, delivered=False)


def connect_request_transitions() -> None:
    from requests_app.signals import support_request_transitioned

    support_request_transitioned.connect(
        settle_request_funding, dispatch_uid="programs.settle_request_funding"
    )
