"""Filters for plain-text messages (no HTML: an SMS shows tags as text)."""

from datetime import date, datetime

from django import template
from django.utils.dateparse import parse_date, parse_datetime

from wahaj.lib.hijri import gregorian_text, hijri_text
from wahaj.templatetags.wahaj import number

register = template.Library()
# Amounts read as on the pages (`7,500`, `1,500.50`): one way to write a number (issue 16).
register.filter("number", number)


def _as_date(value: object) -> date | datetime | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value) or parse_date(value)
    return None


@register.filter
def dual_date_text(value: object) -> str:
    """`9 ديسمبر 2026 (18 جمادى الآخرة 1448 هـ)`; the context stores dates as ISO strings."""
    day = _as_date(value)
    if day is None:
        return ""
    hijri = hijri_text(day)
    return f"{gregorian_text(day)} ({hijri})" if hijri else gregorian_text(day)
