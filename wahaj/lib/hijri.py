"""Umm al-Qura (Hijri) dates beside Gregorian ones, for every date a person reads."""

from datetime import date, datetime
from functools import lru_cache

from django.utils import formats, timezone
from django.utils.translation import get_language
from hijridate import Gregorian

HIJRI_NOTATION = {"ar": "هـ", "en": "AH"}


def to_local_date(value: date | datetime) -> date:
    """The calendar day a person in Riyadh sees for a date or an aware datetime."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def hijri_text(value: date | datetime, language: str | None = None) -> str:
    """`15 جمادى الآخرة 1448 هـ`, or `15 Jumada al-Akhirah 1448 AH` in English."""
    return _hijri_text(to_local_date(value), (language or get_language() or "ar")[:2])


# A list page shows the same few days on many rows: each (day, language) is converted once per
# process (a conversion and its formatting cost ~0.1 ms, 50 rows a page).
@lru_cache(maxsize=4096)
def _hijri_text(day: date, language: str) -> str:
    try:
        hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    except OverflowError:  # outside the Umm al-Qura tables (1343–1500 AH)
        return ""
    lang = "ar" if language == "ar" else "en"
    return f"{hijri.day} {hijri.month_name(lang)} {hijri.year} {HIJRI_NOTATION[lang]}"


def gregorian_text(value: date | datetime) -> str:
    return _gregorian_text(to_local_date(value), get_language() or "ar")


@lru_cache(maxsize=4096)
def _gregorian_text(day: date, language: str) -> str:
    # `language` is only the cache key: date_format reads the active language's month names.
    return formats.date_format(day, "j F Y")


def month_text(first: date, last: date) -> str:
    """A month as names in both calendars: `نوفمبر 2026 — جمادى الأولى – جمادى الآخرة 1448 هـ`.

    `first` and `last` are its first and last days: a Gregorian month spans one or two Hijri
    months, and the report names both rather than leave out part of the period.
    """
    gregorian = formats.date_format(first, "F Y")
    lang = "ar" if (get_language() or "ar")[:2] == "ar" else "en"
    try:
        start, end = (Gregorian(d.year, d.month, d.day).to_hijri() for d in (first, last))
    except OverflowError:  # outside the Umm al-Qura tables
        return gregorian
    if (start.year, start.month) == (end.year, end.month):
        hijri = f"{start.month_name(lang)} {start.year}"
    elif start.year == end.year:
        hijri = f"{start.month_name(lang)} – {end.month_name(lang)} {end.year}"
    else:
        hijri = f"{start.month_name(lang)} {start.year} – {end.month_name(lang)} {end.year}"
    return f"{gregorian} — {hijri} {HIJRI_NOTATION[lang]}"
