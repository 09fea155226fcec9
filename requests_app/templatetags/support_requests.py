"""Template helpers of the request pages, and her requests on the beneficiary file page."""

from django import template
from django.utils.translation import gettext_lazy as _

from requests_app.models import SupportRequest
from requests_app.selectors import support_requests_of_beneficiary

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

# What each audit verb of a request reads as on its timeline.
VERB_LABELS = {
    "create": _("Request created"),
    "sign_declaration": _("Declaration signed"),
    "verify": _("Verification checklist saved"),
    "submit": _("Submitted"),
    "return": _("Returned to her for completion"),
    "resubmit": _("Resubmitted"),
    "start_research": _("Social research started"),
    "send_to_committee": _("Sent to the committee"),
    "decide": _("Decided by the committee"),
    "deliver": _("Support delivered"),
    "close": _("Closed"),
    "withdraw": _("Withdrawn"),
    "reopen_for_appeal": _("Reopened on appeal"),
    # Written by the committee app and the window sweep on the request's timeline.
    "research_report_save": _("Research report saved"),
    "research_report_complete": _("Research report completed"),
    "window_reminder": _("Decision window reminder sent"),
    "window_overdue": _("Decision window passed: escalated to the managers"),
}


@register.filter
def state_colour(state: str) -> str:
    return STATE_COLOURS.get(state, "secondary")


@register.filter
def verb_label(verb: str) -> str:
    return VERB_LABELS.get(verb, verb)


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
