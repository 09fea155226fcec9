"""Tickets for tests: made through the service (so their events are real) or, for the sweep's
thousands, written in bulk."""

from feedback import services
from feedback.models import Ticket
from wahaj.lib.choices import Channel


def ticket(*, actor=None, kind=Ticket.Kind.INQUIRY, beneficiary=None, **fields) -> Ticket:
    if beneficiary is None and "contact_mobile" not in fields and kind != Ticket.Kind.COMPLAINT:
        fields["contact_mobile"] = "+966551112233"
    return services.ticket_create(
        actor=actor,
        kind=kind,
        channel=fields.pop("channel", Channel.PHONE),
        text=fields.pop("text", "متى يصرف الدعم؟"),
        beneficiary=beneficiary,
        **fields,
    )
