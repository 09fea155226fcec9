"""Keep personal identifiers out of the logs (PDPL): a filter on every log handler."""

import logging
import re

# A Saudi national ID / iqama (10 digits starting 1 or 2), a Saudi mobile in any usual writing,
# a Saudi IBAN. Arabic-Indic digits are covered by \d in Python's re.
_PATTERNS = [
    (re.compile(r"(?<!\d)[12١٢]\d{9}(?!\d)"), "[national-id]"),
    (re.compile(r"(?:\+|00)?9665\d{8}(?!\d)|(?<!\d)05\d{8}(?!\d)"), "[phone]"),
    (re.compile(r"\bSA\d{2}[0-9A-Z]{20}\b", re.IGNORECASE), "[iban]"),
]


# Secrets that travel in a URL's path: a survey link's token, and any other long token-like
# segment (password-reset and invitation links). Static files keep their names (they have dots).
_PATH_TOKENS = [
    (re.compile(r"(/surveys/r/)[^/\s?\"]+"), r"\1[token]"),
    (re.compile(r"(?<=/)[A-Za-z0-9_\-]{20,}(?=[/?\s\"]|$)"), "[token]"),
]
_PATTERNS += _PATH_TOKENS


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_url(url: str) -> str:
    """A URL fit for an access log: tokens in the path masked, the query string dropped (codes,
    tokens, staff searches for a name or an ID)."""
    path, question_mark, _query = url.partition("?")
    return redact(path) + ("?[query]" if question_mark else "")


class PersonalDataFilter(logging.Filter):
    """Rewrite a record's message with identifiers masked, whatever logged it (us, Django,
    Celery, gunicorn): the arguments are merged first so that none escapes through them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
