"""The staff list's filters (`/requests/`): state, type, channel, researcher, the clock, search."""

import contextlib
import copy
import re

import django_filters
from django import forms
from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField, QuerySet, Value
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from wahaj.lib.cache import CACHE_UNAVAILABLE
from wahaj.lib.choices import Channel
from wahaj.lib.crypto import lookup_hash
from wahaj.lib.validators import normalize_digits

from .models import PAUSED_DAYS_LEFT, RequestType, SupportRequest
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


class DaysLeftPages:
    """Open requests by days left, a page at a time, without sorting every open request.

    `order_by_days_left` sorts by a computed value: PostgreSQL computes and sorts it for every
    open request (20,000 at the association) to show 50. The same order is three that indexes
    give: the running requests by due date (days left is the due day minus today; the partial
    index `request_running_due`), the returned by the days their clock paused with
    (`request_returned_days_left`), the drafts (no clock) last (`request_draft_due`). A page
    is their first rows merged (one query for the page's keys, one for its rows), the count
    the filter's (issue 23). What Paginator asks of a list: `count()` and a slice."""

    def __init__(self, queryset: QuerySet[SupportRequest]) -> None:
        # Every filter but the state's: each branch names its own states, so that the planner
        # matches the partial index (a second `state IN …` would hide it).
        self.queryset = queryset.order_by()

    def count(self) -> int:
        return self.queryset.filter(state__in=SupportRequest.OPEN).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:  # an empty page (Paginator asks [0:0])
            return []
        keys = ("days_left", "decision_due_at", "pk")
        # Each branch in the order of its index; the returned by the days left when paused,
        # which is their `days_left` (the CASE that sorts them all is not an index's).
        branches = [
            self.queryset.filter(state__in=SupportRequest.CLOCK_RUNNING).order_by(
                "decision_due_at", "pk"
            ),
            self.queryset.filter(state=State.RETURNED)
            .annotate(paused_days_left=PAUSED_DAYS_LEFT)
            .order_by("paused_days_left", "decision_due_at", "pk"),
            # A draft has no clock: its days left are NULL, read from its index alone.
            self.queryset.filter(state=State.DRAFT)
            .annotate(no_clock=Value(None, output_field=IntegerField()))
            .order_by("decision_due_at", "pk"),
        ]
        columns = (keys, ("paused_days_left", *keys[1:]), ("no_clock", *keys[1:]))
        first, *others = (
            branch.values_list(*names)[:stop]
            for branch, names in zip(branches, columns, strict=True)
        )
        # Ascending puts NULLs last in PostgreSQL, as order_by_days_left asks.
        page = first.union(*others, all=True).order_by(*keys)[start:stop]
        pks = [pk for *_, pk in page]
        rows = self.queryset.in_bulk(pks)
        return [rows[pk] for pk in pks]


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


# The researcher filter's options, read from the cache rather than the database on every view
# of the list (issue 23); forgotten whenever a user or her groups change (apps.py connects
# `forget_researcher_choices` to those signals), so a new researcher appears at once.
RESEARCHER_CHOICES_KEY = "requests_app:researcher_choices"


def researcher_choices() -> list[tuple[str, str]]:
    """(pk, name) of every active researcher, in the filter's order."""
    choices = cache.get(RESEARCHER_CHOICES_KEY)
    if choices is None:
        choices = [
            (str(user.pk), user.display_name)
            for user in _researchers().only("pk", "first_name", "last_name", "username")
        ]
        cache.set(RESEARCHER_CHOICES_KEY, choices, timeout=None)
    return choices


def forget_researcher_choices(update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # every log-in saves her last_login: no name, role or activity changed
    # A user saved while Redis is down must still be saved (tests/test_cache_unavailable.py);
    # unfinished: the stale options then outlive the change until their timeout.
    with contextlib.suppress(*CACHE_UNAVAILABLE):
        cache.delete(RESEARCHER_CHOICES_KEY)


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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # What django-filter's __init__ does, without deep-copying every filter (their choices,
        # querysets and widgets) on each view of the list: a shallow copy per filter is enough,
        # as a filter keeps no state of a request but its parent (issue 23).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, prototype in self.base_filters.items():
            filter_ = copy.copy(prototype)
            if prototype.method is not None:
                filter_.method = prototype.method  # a FilterMethod bound to this copy
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_
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

    @classmethod
    def _form_class(cls) -> type[forms.Form]:
        """The filter form's class, built once per process rather than per view: its fields
        hold lazy labels and choices (translated when rendered) and the researchers' queryset
        (evaluated per form, as each form deep-copies its fields)."""
        if "_form_class_built" not in cls.__dict__:
            prototype = cls.__new__(cls)
            prototype.filters = cls.base_filters
            prototype.request = None
            cls._form_class_built = super(SupportRequestFilter, prototype).get_form_class()
        return cls._form_class_built

    def get_form_class(self):
        return self._form_class()

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

    def page_rows(self):
        """What the page lists: the filtered rows, or the open requests by days left merged
        from their indexes (`DaysLeftPages`) on PostgreSQL."""
        valid = self.form.is_valid()
        data = self.form.cleaned_data if valid else {}
        if (
            valid
            and data.get("state") == OPEN
            and data.get("sort") in ("", None, "days_left")
            and connection.vendor == "postgresql"
        ):
            queryset = self.queryset.all()
            for name, value in data.items():
                if name != "state":
                    queryset = self.filters[name].filter(queryset, value)
            return DaysLeftPages(queryset)
        return self.qs

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
