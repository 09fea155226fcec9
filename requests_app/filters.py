"""The staff list's filters (`/requests/`): state, type, channel, researcher, the clock, search."""

import re

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from wahaj.lib.choices import Channel
from wahaj.lib.crypto import lookup_hash
from wahaj.lib.validators import normalize_digits

from .models import RequestType, SupportRequest
from .selectors import (
    RESUBMITTED,
    due_within,
    order_by_days_left,
    waiting_for_research,
    waiting_for_verification,
)

State = SupportRequest.State

REFERENCE_SHAPE = re.compile(r"^whj-\d{4}-\d+$", re.IGNORECASE)
FILE_NUMBER_SHAPE = re.compile(r"^[a-z]-\d+$", re.IGNORECASE)
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
OPEN = "open"
STATE_CHOICES = [(OPEN, _("All open requests")), *State.choices]
SEARCH_SESSION_KEY = "requests_search"  # the posted search text (`wahaj.lib.search`)
SORTS = {
    "days_left": _("Days left (overdue first)"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
}


# What a submitted request waits for (the lines of the home queues, reports/queues.py).
WAITING_CHOICES = [
    ("verification", _("Verification of an online request")),
    ("resubmitted", _("Resubmitted after completion")),
    ("research", _("Research to start (unassigned or yours)")),
]


class AllYesNoWidget(django_filters.widgets.BooleanWidget):
    """Yes / no, and "All" where django-filter says "Unknown" for no filter."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


def with_list_defaults(data: QueryDict) -> QueryDict:
    """The list's filters as the page and its exports apply them: open requests by days left,
    unless a search (which looks in every state) or `state=` says otherwise."""
    if not data.get("q"):
        data.setdefault("state", OPEN)
    data.setdefault("sort", "days_left")
    return data


def _researchers(request=None) -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.RESEARCHER, is_active=True).order_by(
        "first_name", "username"
    )


class SupportRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Reference, name, national ID or file number"), method="search"
    )
    state = django_filters.ChoiceFilter(
        label=_("state"), choices=STATE_CHOICES, empty_label=_("All"), method="by_state"
    )
    request_type = django_filters.ChoiceFilter(
        label=_("type"), choices=RequestType.choices, empty_label=_("All")
    )
    channel = django_filters.ChoiceFilter(
        label=_("channel"), choices=Channel.choices, empty_label=_("All")
    )
    researcher = django_filters.ModelChoiceFilter(
        label=_("researcher"), queryset=_researchers, empty_label=_("All")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue only"), method="only_overdue", widget=AllYesNoWidget
    )
    waiting = django_filters.ChoiceFilter(
        label=_("Waiting for"),
        choices=WAITING_CHOICES,
        empty_label=_("All"),
        method="by_waiting",
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"), method="by_due_within", min_value=0
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=list(SORTS.items()),
        empty_label=None,
        method="sort_by",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bootstrap's classes on the widgets: the list renders its fields plainly (no crispy).
        for name, field in self.form.fields.items():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"
            if self.form.is_bound and name in self.form.errors:
                field.widget.attrs.update(
                    {
                        "class": field.widget.attrs["class"] + " is-invalid",
                        "aria-invalid": "true",
                        "aria-describedby": f"id_{name}_error",
                    }
                )

    class Meta:
        model = SupportRequest
        fields = [
            "q",
            "state",
            "request_type",
            "channel",
            "researcher",
            "waiting",
            "overdue",
            "due_within",
        ]

    def search(self, queryset, name, value):
        """By the shape of what was typed, so each lookup uses its unique index."""
        value = " ".join(value.translate(ARABIC_DIGITS).split())
        if not value:
            return queryset
        if REFERENCE_SHAPE.match(value):
            return queryset.filter(reference=value.upper())
        digits = normalize_digits(value)
        if digits.isdigit() and len(digits) == 10:
            # Her ID is stored encrypted: whole IDs only, through the lookup hash.
            return queryset.filter(beneficiary__national_id_hash=lookup_hash(digits))
        if FILE_NUMBER_SHAPE.match(value):
            return queryset.filter(beneficiary__file_number=value.upper())
        return queryset.filter(beneficiary__full_name__icontains=value)

    def by_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=SupportRequest.OPEN)
        return queryset.filter(state=value)

    def by_waiting(self, queryset, name, value):
        if value == "verification":
            return queryset.filter(waiting_for_verification())
        if value == "resubmitted":
            return queryset.filter(RESUBMITTED)
        # "research": hers when the list knows who looks (the page; an export passes no user).
        return queryset.filter(waiting_for_research(getattr(self.request, "user", None)))

    def only_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=True) if value else queryset

    def by_due_within(self, queryset, name, value):
        return due_within(queryset, int(value))

    def sort_by(self, queryset, name, value):
        return queryset  # applied last, in `qs`, so that it holds whatever else is filtered

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        if sort == "newest":
            return queryset.order_by("-created_at", "-pk")
        if sort == "oldest":
            return queryset.order_by("created_at", "pk")
        state = self.form.cleaned_data.get("state") if self.form.is_valid() else ""
        if state and state not in (OPEN, State.RETURNED):
            # One state whose days left follow its due date (running), or have none (decided,
            # closed…): the due date gives the same order and walks the (state, due) index
            # instead of sorting every row of the state by a computed value.
            return queryset.order_by("decision_due_at", "pk")
        return order_by_days_left(queryset)
