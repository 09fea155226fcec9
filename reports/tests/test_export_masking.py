"""Issue 18, item 8: exports are masked by default; whole identifiers only for the permission,
asked for explicitly, and the audit row says which."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role, permissions_of
from audit.models import Event
from reports.models import Export
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from wahaj.lib.masking import IDENTIFIERS_PERMISSION, mask_identifier

from .test_exports import export_url, read_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def exporter(make_staff):
    """Intake staff allowed to export, without the identifiers permission."""
    group, _ = Group.objects.get_or_create(name="exporters")
    group.permissions.add(Permission.objects.get(codename="export_data"))
    user = make_staff(Role.INTAKE)
    user.groups.add(group)
    return user


def test_only_the_manager_role_holds_the_identifiers_permission():
    holders = [role for role in Role if IDENTIFIERS_PERMISSION in permissions_of(role)]
    assert holders == [Role.MANAGER]
    assert IDENTIFIERS_PERMISSION in ROLE_PERMISSIONS[Role.MANAGER]


def test_a_manager_export_is_masked_unless_she_asks_for_full_identifiers(client_as, manager_user):
    beneficiary = request_in_state(SupportRequest.State.SUBMITTED).beneficiary
    client = client_as(manager_user)

    _header, masked_row = read_csv(client.get(export_url("requests")))
    assert beneficiary.national_id not in masked_row
    assert mask_identifier(beneficiary.national_id) in masked_row
    assert mask_identifier(str(beneficiary.mobile)) in masked_row

    _header, full_row = read_csv(client.get(export_url("requests", query="identifiers=full")))
    assert beneficiary.national_id in full_row
    assert str(beneficiary.mobile) in full_row

    masked, full = Export.objects.order_by("pk")
    assert (masked.masked, full.masked) == (True, False)
    assert Event.objects.for_subject(masked).get(verb="export").extra["masked"] is True
    full_event = Event.objects.for_subject(full).get(verb="export")
    assert full_event.extra["masked"] is False
    assert full_event.actor == manager_user
    assert "identifiers" not in full_event.extra["filters"]


def test_full_identifiers_are_refused_without_the_permission(client_as, exporter):
    request_in_state(SupportRequest.State.SUBMITTED)
    response = client_as(exporter).get(export_url("requests", query="identifiers=full"))
    assert response.status_code == 403
    assert not Export.objects.exists()


def test_the_full_identifiers_link_shows_only_with_the_permission(
    client_as, manager_user, exporter
):
    full = 'data-testid="export-full"'
    assert full in client_as(manager_user).get("/requests/").content.decode()
    page = client_as(exporter).get("/requests/").content.decode()
    assert 'data-testid="export-csv"' in page
    assert full not in page
