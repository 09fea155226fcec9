"""Exports: refused without the permission, masked without the identifiers permission,
audited, filtered like the list, streamed."""

import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from audit.models import Event
from beneficiaries.tests.factories import BeneficiaryFactory
from reports.exports import mask
from reports.models import Export
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.tests.factories import answered, in_last_month, satisfied_answers

State = SupportRequest.State
pytestmark = pytest.mark.django_db


def export_url(list_name: str, fmt: str = "csv", query: str = "") -> str:
    url = reverse("reports:export", args=[list_name, fmt])
    return f"{url}?{query}" if query else url


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def exporter(make_staff):
    """Intake staff allowed to export, but not to see personal identifiers."""
    group, _ = Group.objects.get_or_create(name="exporters")
    group.permissions.add(Permission.objects.get(codename="export_data"))
    user = make_staff(Role.INTAKE)
    user.groups.add(group)
    return user


def test_an_export_is_refused_without_the_export_permission(client_as, intake_user):
    request_in_state(State.SUBMITTED)
    response = client_as(intake_user).get(export_url("requests"))
    assert response.status_code == 403
    assert not Export.objects.exists()


def test_an_export_sends_anonymous_visitors_to_login(client):
    response = client.get(export_url("requests"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_list_or_format_is_not_found(client_as, manager_user):
    client = client_as(manager_user)
    assert client.get(export_url("users")).status_code == 404
    assert client.get(export_url("requests", "pdf")).status_code == 404


def test_a_manager_exports_the_current_filter_with_identifiers_and_it_is_audited(
    client_as, manager_user
):
    delivered = request_in_state(State.DELIVERED)
    request_in_state(State.SUBMITTED)
    response = client_as(manager_user).get(
        export_url("requests", query="state=delivered&identifiers=full")
    )
    assert response["Content-Disposition"].startswith('attachment; filename="wahaj-requests-')
    header, *rows = read_csv(response)
    assert header[0] == "الرقم المرجعي"
    assert [row[0] for row in rows] == [delivered.reference]
    assert rows[0][1] == "تم التسليم"
    assert delivered.beneficiary.national_id in rows[0]
    export = Export.objects.get()
    assert (export.list_name, export.format, export.masked) == ("requests", "csv", False)
    event = Event.objects.for_subject(export).get()
    assert event.verb == "export"
    assert event.actor == manager_user
    assert event.extra["filters"] == {"state": ["delivered"]}


def test_without_the_identifiers_permission_national_id_and_mobile_are_masked(client_as, exporter):
    support_request = request_in_state(State.SUBMITTED)
    beneficiary = support_request.beneficiary
    _header, row = read_csv(client_as(exporter).get(export_url("requests")))
    assert beneficiary.national_id not in row
    assert mask(beneficiary.national_id) in row
    assert str(beneficiary.mobile) not in row
    assert mask(str(beneficiary.mobile)) in row
    assert Export.objects.get().masked is True


def test_the_list_page_default_applies_open_requests_unless_the_state_is_cleared(
    client_as, manager_user
):
    request_in_state(State.SUBMITTED)
    request_in_state(State.DELIVERED)
    client = client_as(manager_user)
    assert len(read_csv(client.get(export_url("requests")))) == 1 + 1
    assert len(read_csv(client.get(export_url("requests", query="state=")))) == 1 + 2


def test_the_xlsx_export_has_the_same_rows_masked_alike(client_as, exporter):
    support_request = request_in_state(State.SUBMITTED)
    response = client_as(exporter).get(export_url("requests", "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == support_request.reference
    assert mask(support_request.beneficiary.national_id) in rows[1]
    assert Export.objects.get().format == "xlsx"


def test_the_beneficiaries_export_uses_the_list_search(client_as, manager_user):
    wanted = BeneficiaryFactory(full_name="هيا سعد ناصر العتيبي")
    BeneficiaryFactory(full_name="نوف علي حمد الشمري")
    client = client_as(manager_user)
    client.post(reverse("beneficiaries:list"), {"q": "العتيبي"})
    _header, *rows = read_csv(client.get(export_url("beneficiaries", query="search=1")))
    assert [row[0] for row in rows] == [wanted.file_number]


def test_the_survey_export_names_neither_her_nor_the_staff(client_as, manager_user):
    # Last month (the default period), and five answers: fewer are not exported at all.
    response = answered(satisfied_answers(comment="خدمة ممتازة"), submitted_at=in_last_month())
    for _ in range(4):
        answered(satisfied_answers(), submitted_at=in_last_month())
    support_request = response.invitation.support_request
    _header, *rows = read_csv(client_as(manager_user).get(export_url("survey-responses")))
    assert len(rows) == 8 + 4 * 7
    text = str(rows)
    assert "خدمة ممتازة" in text
    assert support_request.reference not in text
    assert support_request.beneficiary.full_name not in text


def test_the_export_links_show_only_with_the_permission(client_as, manager_user, rf, intake_user):
    from django.template.loader import render_to_string

    def links(user):
        request = rf.get("/requests/?state=delivered")
        request.user = user
        return render_to_string(
            "reports/_export_links.html", {"export_list": "requests"}, request=request
        )

    assert 'href="/reports/export/requests.csv?state=delivered"' in links(manager_user)
    assert links(intake_user).strip() == ""


@pytest.mark.postgres
def test_the_csv_export_of_50000_requests_raises_peak_memory_by_less_than_50_mb(
    client_as, manager_user, capsys
):
    beneficiaries = BeneficiaryFactory.create_batch(25)
    now = timezone.now()
    SupportRequest.objects.bulk_create(
        (
            SupportRequest(
                beneficiary=beneficiaries[i % 25],
                request_type="food_basket",
                channel="interview",
                state=State.SUBMITTED,
                reference=f"WHJ-2026-{i:06d}",
                submitted_at=now,
                decision_due_at=now + timedelta(days=14),
                amount_requested=750,
                description="سلة غذائية شهرية للأسرة " * 4,
            )
            for i in range(50_000)
        ),
        batch_size=5000,
    )
    client = client_as(manager_user)
    tracemalloc.start()
    try:
        response = client.get(export_url("requests", query="state="))
        lines = 0
        size = 0
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 50_001
    with capsys.disabled():
        print(
            f"\nCSV export of 50,000 requests: {size / 2**20:.1f} MB written, "
            f"peak traced memory {peak / 2**20:.1f} MB"
        )
    assert peak < 50 * 2**20
    # The file is several MB; a streamed export holds a small part of it at any time.
    assert peak < size
