"""The development e-mail backend: Django's console backend without personal data."""

from django.core.mail.backends.console import EmailBackend

from .sms import masked_text


def masked_address(address: str) -> str:
    """`n•••@example.org`: which mailbox, roughly, without the address itself."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}•••{at}{domain}"


class ConsoleEmailBackend(EmailBackend):
    """Prints the subject and the text with every digit hidden (codes, references, IDs) and the
    addresses shortened: a console is a log. The outbox row in the admin shows the rest."""

    def write_message(self, message) -> None:
        to = ", ".join(masked_address(address) for address in message.to)
        self.stream.write(
            f"E-mail to {to}\nSubject: {masked_text(message.subject)}\n\n"
            f"{masked_text(message.body)}\n{'-' * 79}\n"
        )
