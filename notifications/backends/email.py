"""The development e-mail backend: a log line instead of a send, without personal data."""

import logging

from django.core.mail.backends.base import BaseEmailBackend

from .sms import masked_text, one_line

logger = logging.getLogger(__name__)


def masked_address(address: str) -> str:
    """`n•••@example.org`: which mailbox, roughly, without the address itself."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}•••{at}{domain}"


class ConsoleEmailBackend(BaseEmailBackend):
    """Logs one INFO line per e-mail — subject and text with every digit hidden (codes,
    references, IDs), addresses shortened: a console is a log. The admin shows the rest."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            to = ", ".join(masked_address(address) for address in message.to)
            logger.info(
                "E-mail to %s: %s | %s",
                to,
                masked_text(message.subject),
                one_line(masked_text(message.body)),
            )
        return len(email_messages)
