"""Issue 23: the staff list without per-view rebuilding, and the landing list from its indexes.

The open list by days left is merged from three index-ordered branches (filters.DaysLeftPages)
on PostgreSQL; it must give exactly the order `order_by_days_left` gives, page after page. The
researcher filter's options come from the cache and must follow every change of researchers.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from requests_app.filters import DaysLeftPages, SupportRequestFilter, with_list_defaults
from requests_app.models import SupportRequest
from requests_app.selectors import order_by_days_left, support_request_list

from .factories import request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def _mixed_open_requests() -> None:
    """Running requests overdue and not, returned ones paused with more or fewer days than
    running ones have, drafts (no clock), and decided ones (not open)."""
    now = timezone.now()
    for days in (-4, -1, 0.2, 2, 5, 9, 13):
        request_in_state(State.SUBMITTED, due_in_days=days)
        request_in_state(State.IN_RESEARCH, due_in_days=days + 0.5)
        request_in_state(State.IN_COMMITTEE, due_in_days=days - 0.3)
    for paused_days_left in (1, 4, 4, 11):
        request_in_state(
            State.RETURNED, due_in_days=paused_days_left, paused_at=now - timedelta(days=3)
        )
    for _ in range(3):
        request_in_state(State.DRAFT)
    request_in_state(State.APPROVED, due_in_days=-20)
    request_in_state(State.CLOSED, due_in_days=1)


def _open_list(query: str = "") -> SupportRequestFilter:
    data = with_list_defaults(QueryDict(query, mutable=True))
    return SupportRequestFilter(data, queryset=support_request_list())


@pytest.mark.postgres
def test_the_open_list_merged_from_its_indexes_keeps_the_days_left_order_on_every_page():
    _mixed_open_requests()
    rows = _open_list().page_rows()
    assert isinstance(rows, DaysLeftPages)
    expected = list(
        order_by_days_left(
            support_request_list().filter(state__in=SupportRequest.OPEN)
        ).values_list("pk", flat=True)
    )
    assert rows.count() == len(expected) == 7 * 3 + 4 + 3
    for size in (1, 4, 7, 50):
        pages = [
            [sr.pk for sr in rows[start : start + size]] for start in range(0, len(expected), size)
        ]
        assert [pk for page in pages for pk in page] == expected, size
    # The rows carry what the list shows: the clock, her name, the researcher.
    first = rows[0:1][0]
    assert first.is_overdue
    assert first.days_left < 0
    assert first.beneficiary.full_name


@pytest.mark.postgres
def test_the_merged_list_applies_the_other_filters(researcher_user):
    _mixed_open_requests()
    mine = [
        request_in_state(State.IN_RESEARCH, due_in_days=d, researcher=researcher_user).pk
        for d in (3, -2)
    ]
    rows = _open_list(f"researcher={researcher_user.pk}").page_rows()
    assert isinstance(rows, DaysLeftPages)
    assert rows.count() == 2
    assert [sr.pk for sr in rows[0:50]] == list(reversed(mine))


def test_another_state_or_sort_lists_the_filtered_queryset():
    assert not isinstance(_open_list("state=in_committee").page_rows(), DaysLeftPages)
    assert not isinstance(_open_list("sort=newest").page_rows(), DaysLeftPages)


def test_the_partial_index_names_the_states_whose_clock_runs():
    """The planner uses `request_running_due` only if the branch's `state IN (…)` is its
    condition: the literal list in Meta must stay CLOCK_RUNNING, in its order."""
    (index,) = [i for i in SupportRequest._meta.indexes if i.name == "request_running_due"]
    assert index.condition.children == [("state__in", list(SupportRequest.CLOCK_RUNNING))]


def _researcher_options(client) -> str:
    page = client.get(reverse("requests_app:list")).content.decode()
    start = page.index('name="researcher"')
    return page[start : page.index("</select>", start)]


def test_an_empty_open_list_says_so(client_as, intake_user):
    response = client_as(intake_user).get(reverse("requests_app:list"))
    assert response.status_code == 200
    assert "لا توجد طلبات مطابقة." in response.content.decode()


def test_the_researcher_filter_follows_every_change_of_researchers(
    client_as, intake_user, make_staff
):
    client = client_as(intake_user)
    assert "نجلاء" not in _researcher_options(client)  # now read once, then from the cache
    najla = make_staff(Role.RESEARCHER, username="najla", first_name="نجلاء", last_name="")
    assert f'<option value="{najla.pk}">نجلاء</option>' in _researcher_options(client)
    najla.first_name = "نجلاء سعد"
    najla.save()
    assert "نجلاء سعد" in _researcher_options(client)
    najla.groups.remove(Group.objects.get(name=Role.RESEARCHER))
    assert "نجلاء" not in _researcher_options(client)


def test_the_filter_form_marks_what_was_chosen_and_keeps_it(client_as, intake_user):
    page = (
        client_as(intake_user)
        .get(reverse("requests_app:list"), {"state": "in_committee", "overdue": "true"})
        .content.decode()
    )
    page = page[page.index('role="search"') : page.index("</form>", page.index('role="search"'))]
    assert '<option value="in_committee" selected>' in page
    assert '<option value="true" selected>' in page
    assert '<option value="days_left" selected>' in page
    # The others (type, channel, researcher, waiting for) stand at "All".
    assert page.count('<option value="" selected>') == 4
    assert page.count(" selected>") == 3 + 4


def test_a_wrong_filter_value_is_shown_as_an_error_on_its_field(client_as, intake_user):
    page = (
        client_as(intake_user)
        .get(reverse("requests_app:list"), {"due_within": "-1"})
        .content.decode()
    )
    assert 'id="id_due_within_error"' in page
    assert 'aria-describedby="id_due_within_error"' in page
