"""Template helpers of the request pages, and her requests on the beneficiary file page."""

from html import escape as _escape

from django import forms, template
from django.conf import settings
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from requests_app.filters import researcher_choices
from requests_app.models import SupportRequest
from requests_app.selectors import request_url, support_requests_of_beneficiary
from wahaj.lib.choices import choice_label
from wahaj.lib.hijri import _gregorian_text, _hijri_text
from wahaj.lib.validators import strip_bidi_controls
from wahaj.templatetags.wahaj import ARABIC_INDIC, LONG_TOKEN

register = template.Library()
State = SupportRequest.State

STATE_COLOURS = {
    State.DRAFT: "secondary",
    State.SUBMITTED: "primary",
    State.IN_RESEARCH: "info",
    State.IN_COMMITTEE: "warning",
    State.RETURNED: "dark",
    State.APPROVED: "success",
    State.REJECTED: "danger",
    State.DELIVERED: "success",
    State.CLOSED: "light",
    State.WITHDRAWN: "light",
}


@register.filter
def state_colour(state: str) -> str:
    return STATE_COLOURS.get(state, "secondary")


@register.inclusion_tag("requests_app/_beneficiary_requests_table.html", takes_context=True)
def beneficiary_requests(context, beneficiary) -> dict:
    """Her requests, newest first, with their clocks (one query)."""
    return {
        "rows": list(support_requests_of_beneficiary(beneficiary)),
        "beneficiary": beneficiary,
        "roles": context.get("roles", frozenset()),
    }


@register.filter
def days_late(days_left: int | None) -> int:
    """How many days past due (0 when due earlier today)."""
    return max(0, -(days_left or 0))


@register.filter
def state_label(state: str) -> str:
    return State(state).label if state in State.values else state


# The state and clock badges are Python, not included templates: a list page shows 50 of each,
# and an `{% include %}` with its translations costs ~0.15 ms a row where this costs ~0.01 ms.
@register.simple_tag
def state_badge(sr: SupportRequest) -> SafeString:
    return format_html(
        '<span class="badge text-bg-{}" data-state="{}">{}</span>',
        STATE_COLOURS.get(sr.state, "secondary"),
        sr.state,
        choice_label(sr, "state"),
    )


@register.simple_tag
def clock_badge(sr: SupportRequest) -> SafeString:
    """Days left of the two-week window (`days_left`, `is_overdue` from the selector)."""
    days = getattr(sr, "days_left", None)
    if getattr(sr, "is_overdue", False):
        late = days_late(days)
        text = gettext("Overdue")
        if late:
            text += " · " + ngettext("%(days)s day", "%(days)s days", late) % {"days": late}
        return format_html(
            '<span class="badge text-bg-danger" data-testid="overdue">{}</span>', text
        )
    if days is None:
        return format_html('<span class="text-body-secondary">{}</span>', "—")
    if sr.state == State.RETURNED:
        text = ngettext("Paused · %(days)s day left", "Paused · %(days)s days left", days)
        return format_html('<span class="badge text-bg-dark">{}</span>', text % {"days": days})
    style = "text-bg-warning" if days <= 3 else "text-bg-light border"
    text = ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}
    return format_html('<span class="badge {}">{}</span>', style, text)


@register.filter
def label(instance, field: str) -> str:
    """`{{ sr|label:"channel" }}`: what `get_channel_display` says, read from a cache."""
    return choice_label(instance, field)


# The staff list (`/requests/`) is the page staff open most and SPEC §11 times it against the
# admin: its 50 rows are written here in Python (~0.05 ms a row) rather than by the template
# language (~0.5 ms a row), with the same filters the templates use for every cell.
ROW = (
    '<tr class="{}" data-reference="{}"><td><a href="{}">{}</a></td>'
    '<td>{} <span class="text-body-secondary small">{}</span></td>'
    "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
)


@register.simple_tag
def request_rows(rows) -> SafeString:
    """The table rows of the staff request list (templates/requests_app/list.html).

    The cells that repeat from row to row (the labels of the type, channel and state, the
    clock's badge) are escaped once per page, each value once; what is typed (the name, the
    file number) is escaped in each row (issue 23)."""
    draft = gettext("Draft")
    url = request_url()
    seen: dict[tuple, str] = {}

    def once(key: tuple, make, sr: SupportRequest) -> str:
        text = seen.get(key)
        if text is None:
            text = seen[key] = str(make(sr))
        return text

    def type_label(sr: SupportRequest) -> str:
        return escape(choice_label(sr, "request_type"))

    def channel_label(sr: SupportRequest) -> str:
        return escape(choice_label(sr, "channel"))

    # What `ltr`, `bdi` and `dual_date` (wahaj/templatetags/wahaj.py) write, the language, time
    # zone and digits read once per page instead of in every cell.
    language = get_language() or "ar"
    tz = timezone.get_current_timezone()
    arabic_digits = settings.DISPLAY_DIGITS == "arabic" and language[:2] == "ar"
    outside = gettext("outside the Hijri table")

    def digits(text: str) -> str:
        return text.translate(ARABIC_INDIC) if arabic_digits else text

    def ltr_(value) -> str:
        value = str(value)
        long = ' class="ltr-long"' if len(value) > LONG_TOKEN else ""
        return f'<bdi dir="ltr"{long}>{_escape(value)}</bdi>'

    def bdi_(value) -> str:
        return f"<bdi>{_escape(strip_bidi_controls(value))}</bdi>" if value else ""

    def date_(value) -> str:
        if not value:
            return ""
        local = value.astimezone(tz)
        day = local.date()
        hijri = _hijri_text(day, language[:2])
        return (
            f'<time datetime="{value.isoformat(timespec="seconds")}" class="dual-date">'
            f"{_escape(digits(_gregorian_text(day, language) + local.strftime(' %H:%M')))} "
            f'<span class="text-body-secondary">({_escape(digits(hijri) if hijri else outside)})'
            "</span></time>"
        )

    parts = []
    for sr in rows:
        reference = sr.reference
        researcher = sr.researcher
        overdue = getattr(sr, "is_overdue", False)
        parts.append(
            ROW.format(
                "table-danger" if overdue else "",
                _escape(reference or ""),
                url(sr.pk),
                ltr_(reference) if reference else draft,
                bdi_(sr.beneficiary.full_name),
                ltr_(sr.beneficiary.file_number),
                once(("type", sr.request_type), type_label, sr),
                once(("channel", sr.channel), channel_label, sr),
                once(("state", sr.state), state_badge, sr),
                (bdi_(researcher.display_name) if researcher else "") or "—",
                date_(sr.decision_due_at),
                once(
                    ("clock", sr.state == State.RETURNED, overdue, getattr(sr, "days_left", None)),
                    clock_badge,
                    sr,
                ),
            )
        )
    return SafeString("".join(parts))


# The filter form of the staff list, written here rather than by the template language, and
# its options (the states, types, channels, researchers…) escaped once per language and
# researcher list, not on every view of the list (issue 23): per view only the chosen options,
# the typed values and any errors change.
FIELD_COLUMNS = {"q": "col-md-4", "sort": "col-md-3"}
_OPTIONS: dict[tuple, dict[str, list[tuple[str, str]]]] = {}


def _filter_options(form, language: str, researchers: list) -> dict[str, list[tuple[str, str]]]:
    key = (language, tuple(researchers))
    options = _OPTIONS.get(key)
    if options is None:
        options = {}
        for name, field in form.fields.items():
            if not isinstance(field.widget, forms.Select):
                continue
            if name == "researcher":
                choices = [("", field.empty_label), *researchers]
            else:
                choices = field.widget.choices
            options[name] = [(str(value), escape(text)) for value, text in choices]
        if len(_OPTIONS) > 64:  # researcher lists come and go: keep the latest few
            _OPTIONS.clear()
        _OPTIONS[key] = options
    return options


def _current(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # the yes / no widget's value
        return "true" if value else "false"
    return str(value)


def _input(field) -> str:
    """`<input>` as Django's widget template writes it (forms/widgets/input.html, attrs.html),
    without two templates per field on each view of the list."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    attrs = {
        "type": widget.input_type,
        "name": field.html_name,
        **({} if value is None else {"value": value}),
        **field.build_widget_attrs({**widget.attrs, "id": field.auto_id}),
    }
    return "<input{}>".format(
        "".join(
            f" {name}" if value is True else f' {name}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


@register.simple_tag
def request_filter_fields(filterset) -> SafeString:
    """The fields of the staff list's filter form (templates/requests_app/list.html)."""
    form = filterset.form
    errors = form.errors if form.is_bound else {}
    options = _filter_options(form, get_language() or "ar", researcher_choices())
    parts = []
    for field in form:
        name = field.name
        invalid = name in errors
        parts.append(
            f'<div class="{FIELD_COLUMNS.get(name, "col-md-2")} mb-3">'
            f'<label class="form-label" for="{field.auto_id}">{escape(field.label)}</label>'
        )
        if name in options:
            current = _current(field.value())
            css = "form-select is-invalid" if invalid else "form-select"
            described = (
                f' aria-invalid="true" aria-describedby="{field.auto_id}_error"' if invalid else ""
            )
            parts.append(
                f'<select name="{field.html_name}" id="{field.auto_id}" class="{css}"{described}>'
            )
            parts.extend(
                f'<option value="{value}"{" selected" if value == current else ""}>{text}</option>'
                for value, text in options[name]
            )
            parts.append("</select>")
        elif isinstance(field.field.widget, forms.widgets.Input):
            parts.append(_input(field))
        else:
            parts.append(str(field))
        parts.extend(
            f'<div class="invalid-feedback d-block" id="{field.auto_id}_error" '
            f'aria-live="polite">{escape(error)}</div>'
            for error in field.errors
        )
        parts.append("</div>")
    return SafeString("".join(parts))
