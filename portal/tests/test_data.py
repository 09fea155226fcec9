"""Her data (PDPL): everything held about her as JSON and PDF, and her correction requests."""

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from audit.models import Event
from beneficiaries.tests.factories import (
    BeneficiaryFactory,
    DocumentFactory,
    HouseholdMemberFactory,
)
from portal.models import CorrectionRequest, PortalCode
from portal.services import portal_code_issue
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state
from surveys.services import invitation_create

pytestmark = pytest.mark.django_db

State = SupportRequest.State
SHARED_NAME = "نورة عبدالله"


@pytest.fixture
def two_families():
    """Two beneficiaries, each with a daughter of the same name, a request and a document."""
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    for beneficiary, income in ((her, 300), (other, 999)):
        HouseholdMemberFactory(beneficiary=beneficiary, name=SHARED_NAME, monthly_income=income)
        DocumentFactory(beneficiary=beneficiary, original_name=f"id-{beneficiary.pk}.pdf")
    mine = request_in_state(State.SUBMITTED, beneficiary=her)
    theirs = request_in_state(State.SUBMITTED, beneficiary=other)
    Event.objects.create(
        subject=mine, verb="submit", actor_kind="beneficiary", new_state="submitted"
    )
    Event.objects.create(subject=theirs, verb="submit", actor_kind="beneficiary", note="OTHER")
    return her, other, mine, theirs


def test_the_json_download_holds_her_file_household_requests_documents_and_timeline(
    portal_client, two_families
):
    her, other, mine, theirs = two_families
    response = portal_client(her).get(reverse("portal:data_json"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert her.national_id not in response["Content-Disposition"]
    data = json.loads(response.content)["sections"]
    assert data["file"][0]["national_id"] == her.national_id
    assert data["file"][0]["full_name"] == her.full_name
    assert [m["name"] for m in data["household"]] == [SHARED_NAME]
    assert data["household"][0]["monthly_income"] == "300.00"
    assert [r["reference"] for r in data["requests"]] == [mine.reference]
    assert [d["original_name"] for d in data["documents"]] == [f"id-{her.pk}.pdf"]
    assert [(e["reference"], e["verb"]) for e in data["timeline"]] == [(mine.reference, "submit")]

    # Nothing of the other family, though a member shares the name.
    body = response.content.decode()
    for foreign in (other.national_id, other.full_name, theirs.reference, "999.00", "OTHER"):
        assert foreign not in body


def test_the_download_never_holds_a_login_code_or_its_hash(portal_client, send_queued):
    her = BeneficiaryFactory()
    portal_code_issue(national_id=her.national_id)
    send_queued()
    stored = PortalCode.objects.get().code_hash
    response = portal_client(her).get(reverse("portal:data_json"))
    data = json.loads(response.content)["sections"]
    assert [m["template"] for m in data["messages"]] == ["portal_otp"]
    assert stored not in response.content.decode()
    assert "code" not in json.dumps(data["messages"])


def test_the_pdf_download_is_her_data_in_arabic(portal_client, two_families):
    her, other, mine, _theirs = two_families
    response = portal_client(her).get(reverse("portal:data_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert her.file_number in text
    assert mine.reference in text
    assert other.file_number not in text
    assert other.national_id not in text


def test_her_data_page_is_hers_only_and_needs_the_portal_session(client, portal_client):
    for name in ("portal:data", "portal:data_json", "portal:data_pdf", "portal:surveys"):
        response = client.get(reverse(name))
        assert response.url == reverse("portal:login")
    assert portal_client(BeneficiaryFactory()).get(reverse("portal:data")).status_code == 200


def test_a_correction_request_is_a_task_for_intake_due_in_thirty_days(portal_client):
    her = BeneficiaryFactory()
    response = portal_client(her).post(
        reverse("portal:data"), {"details": "اسم الحي خطأ: الصحيح النسيم"}
    )
    assert response.url == reverse("portal:data")
    correction = CorrectionRequest.objects.get(beneficiary=her)
    assert correction.status == CorrectionRequest.Status.OPEN
    assert correction.due_at - correction.created_at == timedelta(days=30)
    event = Event.objects.for_subject(her).get(verb="correction_requested")
    assert event.actor_kind == Event.ActorKind.BENEFICIARY
    assert event.extra == {"correction_request": correction.pk}


def test_intake_sees_open_corrections_with_their_due_date_and_closes_them(client_as, intake_user):
    correction = CorrectionRequest.objects.create(
        beneficiary=BeneficiaryFactory(),
        details="رقم الجوال تغير",
        due_at=CorrectionRequest.due_from(CorrectionRequest().created_at),
    )
    client = client_as(intake_user)
    page = client.get(reverse("portal:corrections"))
    content = page.content.decode()
    assert "رقم الجوال تغير" in content
    assert 'class="dual-date"' in content
    client.post(reverse("portal:correction_close", args=[correction.pk]), {"answer": "عُدّل"})
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.DONE
    assert correction.handled_by == intake_user
    event = Event.objects.get(verb="correction_closed")
    assert (event.actor, event.old_state, event.new_state) == (intake_user, "open", "done")
    assert "رقم الجوال تغير" not in client.get(reverse("portal:corrections")).content.decode()


def test_the_correction_list_takes_a_constant_number_of_queries(
    client_as, intake_user, django_assert_max_num_queries
):
    for _ in range(5):
        CorrectionRequest.objects.create(
            beneficiary=BeneficiaryFactory(),
            details="x",
            due_at=CorrectionRequest.due_from(CorrectionRequest().created_at),
        )
    client = client_as(intake_user)
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:corrections"))


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.CHAIR])
def test_other_staff_may_not_see_the_correction_list(client_as, make_staff, role):
    response = client_as(make_staff(role)).get(reverse("portal:corrections"))
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_staff_login_for_the_correction_list(client):
    response = client.get(reverse("portal:corrections"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_beneficiary_session_does_not_open_the_staff_correction_list(portal_client):
    response = portal_client(BeneficiaryFactory()).get(reverse("portal:corrections"))
    assert response.url.startswith(reverse("login"))


def test_her_surveys_are_listed(portal_client):
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    delivered = request_in_state(State.DELIVERED, beneficiary=her)
    theirs = request_in_state(State.DELIVERED, beneficiary=other)
    invitation_create(support_request=delivered, trigger="delivered")
    invitation_create(support_request=theirs, trigger="delivered")
    content = portal_client(her).get(reverse("portal:surveys")).content.decode()
    assert delivered.reference in content
    assert theirs.reference not in content


def test_the_intake_dashboard_counts_open_and_overdue_corrections(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    now = timezone.now()
    CorrectionRequest.objects.create(
        beneficiary=beneficiary, details="a", due_at=now + timedelta(days=3)
    )
    CorrectionRequest.objects.create(
        beneficiary=beneficiary, details="b", due_at=now - timedelta(days=1)
    )
    CorrectionRequest.objects.create(
        beneficiary=beneficiary, details="c", due_at=now, status=CorrectionRequest.Status.DONE
    )
    content = client_as(intake_user).get("/").content.decode()
    assert 'data-queue-line="corrections_due"' in content
    assert reverse("portal:corrections") in content


def test_the_committee_dashboard_has_no_correction_section(client_as, member_user):
    content = client_as(member_user).get("/").content.decode()
    assert 'data-queue-line="corrections_due"' not in content
