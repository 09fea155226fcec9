"""Template helpers used on every page (loaded as a builtin in settings.TEMPLATES)."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wahaj.lib.hijri import gregorian_text, hijri_text
from wahaj.lib.validators import strip_bidi_controls

register = template.Library()


@register.filter
def dual_date(value: date | datetime | None) -> str:
    """A date in both calendars: `25 نوفمبر 2026 (15 جمادى الآخرة 1448 هـ)`.

    The one filter for every date a person reads, so Hijri is never forgotten on a page.
    """
    if not value:
        return ""
    hijri = hijri_text(value)
    time_part = ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        time_part = timezone.localtime(value).strftime(" %H:%M")
    return format_html(
        '<time datetime="{}" class="dual-date">{}{} '
        '<span class="text-body-secondary">({})</span></time>',
        value.isoformat(),
        gregorian_text(value),
        time_part,
        hijri or _("outside the Hijri table"),
    )


@register.filter
def hijri(value: date | datetime | None) -> str:
    return hijri_text(value) if value else ""


@register.simple_tag
def ltr(value: object) -> str:
    """Isolate a left-to-right token (ID, phone, reference, IBAN) inside Arabic text."""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def bdi(value: object) -> str:
    """A name someone typed, isolated (`<bdi>`) and without direction controls, so that it cannot
    reorder the text around it — her ID or phone beside it — whatever it contains."""
    if value is None or value == "":
        return ""
    return format_html("<bdi>{}</bdi>", strip_bidi_controls(value))


@register.filter
def no_bidi_controls(value: object) -> str:
    """For a name where no element may go (`<title>`, attributes): the controls removed."""
    return strip_bidi_controls(value)
