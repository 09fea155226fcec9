"""Issue 23: the staff list without per-view rebuilding, and the landing list from its indexes.

The open list by days left is merged from three index-ordered branches (filters.DaysLeftPages)
on PostgreSQL; it must give exactly the order `order_by_days_left` gives, page after page. The
researcher filter's options come from the cache and must follow every change of researchers.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from requests_app.filters import DaysLeftPages, SupportRequestFilter, with_list_defaults
from requests_app.models import SupportRequest
from requests_app.selectors import order_by_days_left, support_request_list
from requests_app.templatetags.support_requests import _input

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


@pytest.mark.postgres
def test_each_branch_of_the_open_list_walks_an_index_and_sorts_nothing_but_the_merge():
    """The running requests by `request_running_due`, the returned by the days left when
    paused (`request_returned_days_left`), the drafts by `request_draft_due`: a page reads
    its 50 rows of each, whatever the number of open requests. With sorting made the last
    resort, a branch that no index orders would show a Sort of its own in the plan."""
    _mixed_open_requests()
    rows = _open_list().page_rows()
    with CaptureQueriesContext(connection) as queries:
        list(rows[0:50])
    (page_sql,) = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    for index in ("request_running_due", "request_returned_days_left", "request_draft_due"):
        assert index in plan, plan
    # At most one sort: of the merged 150 rows (or a Merge Append), none inside a branch.
    assert plan.count("Sort  (cost") <= 1, plan


def test_another_state_or_sort_lists_the_filtered_queryset():
    assert not isinstance(_open_list("state=in_committee").page_rows(), DaysLeftPages)
    assert not isinstance(_open_list("sort=newest").page_rows(), DaysLeftPages)


def test_the_partial_indexes_name_the_states_of_their_queries():
    """The planner uses a partial index only if the query's `state IN (…)` is its condition:
    the literal lists in Meta must stay CLOCK_RUNNING and OPEN, in their order."""
    indexes = {i.name: i for i in SupportRequest._meta.indexes}
    running = indexes["request_running_due"].condition.children
    assert running == [("state__in", list(SupportRequest.CLOCK_RUNNING))]
    assert indexes["request_open_state"].condition.children == [
        ("state__in", list(SupportRequest.OPEN))
    ]


@pytest.mark.postgres
def test_the_open_requests_are_counted_from_their_own_index():
    _mixed_open_requests()
    with CaptureQueriesContext(connection) as queries:
        assert _open_list().page_rows().count() == 7 * 3 + 4 + 3
    (count_sql,) = [q["sql"] for q in queries.captured_queries]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {count_sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "request_open_state" in plan, plan


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


def test_a_log_in_keeps_the_researchers_read_once(client_as, intake_user, researcher_user):
    """A log-in saves her last_login only: the options stay in the cache (no query)."""
    client = client_as(intake_user)
    _researcher_options(client)
    Client().force_login(researcher_user)  # user_logged_in saves her last_login
    with CaptureQueriesContext(connection) as queries:
        assert researcher_user.display_name in _researcher_options(client)
    assert not [q for q in queries.captured_queries if '"auth_group"."name" =' in q["sql"]]


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


@pytest.mark.parametrize("query", ["", "q=%3Cb%3E%22x&due_within=-1", "due_within=5"])
def test_the_filter_form_s_inputs_are_written_as_django_writes_them(query):
    form = _open_list(query).form
    form.is_valid()
    for name in ("q", "due_within"):
        assert _input(form[name]) == str(form[name])
