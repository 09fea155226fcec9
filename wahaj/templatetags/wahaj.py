"""Template helpers used on every page (loaded as a builtin in settings.TEMPLATES)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit import labels
from notifications.models import TEMPLATE_LABELS
from wahaj.lib.hijri import gregorian_text, hijri_text, month_text
from wahaj.lib.validators import strip_bidi_controls

register = template.Library()
LONG_TOKEN = 16
# Western digits and separators → Arabic-Indic digits, U+066C (thousands), U+066B (decimal).
ARABIC_INDIC = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩\u066c\u066b")


def display_digits(text: str) -> str:
    """`text` with the digits settings.DISPLAY_DIGITS asks for, on Arabic pages only.

    The one place the setting applies: the date and number filters below call it. Identifiers
    (IDs, phones, IBANs, references) never come here: `{% ltr %}` keeps their Western digits,
    so what she reads is what she types.
    """
    arabic_page = (translation.get_language() or "")[:2] == "ar"
    if settings.DISPLAY_DIGITS == "arabic" and arabic_page:
        return text.translate(ARABIC_INDIC)
    return text


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
    # HTML allows at most three digits of a second's fraction: none here.
    if isinstance(value, datetime):
        machine = value.isoformat(timespec="seconds")
    else:
        machine = value.isoformat()
    return format_html(
        '<time datetime="{}" class="dual-date">{} '
        '<span class="text-body-secondary">({})</span></time>',
        machine,
        display_digits(gregorian_text(value) + time_part),
        display_digits(hijri) if hijri else _("outside the Hijri table"),
    )


@register.filter
def hijri(value: date | datetime | None) -> str:
    return display_digits(hijri_text(value)) if value else ""


@register.filter
def month_name(month) -> str:
    """A month (anything with `first_day` and `last_day`) as names in both calendars."""
    return display_digits(month_text(month.first_day, month.last_day))


@register.filter
def number(value: object, places: int | None = None) -> str:
    """An amount, count or number of days for reading: `1,500.50` (or `١٬٥٠٠٫٥٠`).

    Thousands grouped; `places` decimals (default: none for a whole number, 2 otherwise).
    Not for identifiers: those go through `{% ltr %}` untouched.
    """
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is None:
        places = 0 if isinstance(value, int) else 2
    return display_digits(f"{amount:,.{int(places)}f}")


@register.simple_tag
def ltr(value: object) -> str:
    """Isolate a left-to-right token (ID, phone, reference, IBAN) inside Arabic text.

    Tokens up to LONG_TOKEN characters never break across lines; longer ones (an IBAN, an
    e-mail) may, rather than run off a phone's screen or a printed sheet.
    """
    if len(str(value)) > LONG_TOKEN:
        return format_html('<bdi dir="ltr" class="ltr-long">{}</bdi>', value)
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


@register.simple_tag
def list_separator() -> str:
    """The comma between items of a list: «، » in Arabic, ", " in English."""
    return "، " if translation.get_language_bidi() else ", "


@register.filter
def join_words(values) -> str:
    """`{{ items|join_words }}`: the items joined with the current language's comma."""
    return list_separator().join(str(v) for v in values)


@register.filter
def verb_label(verb: str) -> str:
    """An audit verb (`document_added`) as people read it (audit/labels.py)."""
    return labels.verb_label(verb)


@register.filter
def event_state(event, which: str = "new") -> str:
    """`{{ e|event_state:"old" }}`: the event's old or new state as its subject's label."""
    state = event.old_state if which == "old" else event.new_state
    return labels.state_label(event.content_type.model_class(), state)


@register.filter
def message_label(template_name: str) -> str:
    """A message template's code (`request_received`) as its name (`Request received`)."""
    return str(TEMPLATE_LABELS.get(template_name, _("Message")))


@register.filter
def role_label(role: str) -> str:
    """A stored role (`chair`) as its name (`Committee chair`)."""
    return str(Role(role).label) if role in Role.values else role


# The staff navigation's links depend only on the roles held and the language: written once per
# process for each pair rather than on every staff page (issue 23).
_NAV_ITEMS: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def staff_nav_items(context) -> str:
    roles = context.get("roles") or frozenset()
    key = (tuple(sorted(roles)), translation.get_language() or "")
    html = _NAV_ITEMS.get(key)
    if html is None:
        from django.template.loader import render_to_string

        html = _NAV_ITEMS[key] = render_to_string("includes/_nav_items.html", {"roles": roles})
    return mark_safe(html)  # noqa: S308 - our own template's output


# `{% once key … %}…{% endonce %}`: a fragment written once per process for each language and
# value of its keys, then reused (issue 23: the static links, the scripts and the portal's
# footer cost a few milliseconds on every page). Only for what depends on nothing else: never
# a CSRF token, the user, the address or the messages.
_ONCE: dict[tuple, str] = {}


class OnceNode(template.Node):
    def __init__(self, nodelist, keys) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context) -> str:
        values = tuple(
            v if isinstance(v, str | int | bool) or v is None else bool(v)
            for v in (key.resolve(context) for key in self.keys)
        )
        key = (id(self), translation.get_language(), values)
        html = _ONCE.get(key)
        if html is None:
            html = _ONCE[key] = self.nodelist.render(context)
        return html


@register.tag
def once(parser, token) -> OnceNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, keys)
