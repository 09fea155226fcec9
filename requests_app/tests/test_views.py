"""The staff pages: who may open them, what they show, and the moves they make."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import Event
from beneficiaries.models import Document
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from requests_app.models import Declaration, SupportRequest, VerificationItem

from .factories import SupportRequestFactory, attach_documents, ready_request, request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State


def _pages(sr: SupportRequest) -> dict[str, tuple[str, str]]:
    return {
        "list": ("get", reverse("requests_app:list")),
        "new": ("get", reverse("requests_app:new") + f"?beneficiary={sr.beneficiary_id}"),
        "detail": ("get", reverse("requests_app:detail", args=[sr.pk])),
        "receipt": ("get", reverse("requests_app:receipt", args=[sr.pk])),
        "sign": ("post", reverse("requests_app:sign", args=[sr.pk])),
        "verify": ("post", reverse("requests_app:verify", args=[sr.pk])),
        "attach": ("post", reverse("requests_app:attach", args=[sr.pk])),
        "submit": ("post", reverse("requests_app:act", args=[sr.pk, "submit"])),
    }


@pytest.mark.parametrize(
    "page", ["list", "new", "detail", "receipt", "sign", "verify", "attach", "submit"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, page):
    method, url = _pages(SupportRequestFactory())[page]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", ["list", "new", "receipt", "sign", "verify", "attach", "submit"])
def test_a_committee_member_may_not_use_the_intake_pages(client_as, member_user, page):
    method, url = _pages(SupportRequestFactory())[page]
    assert getattr(client_as(member_user), method)(url).status_code == 403


def test_a_committee_member_gets_404_for_a_request_outside_her_agenda(client_as, member_user):
    sr = request_in_state(State.IN_COMMITTEE)
    response = client_as(member_user).get(reverse("requests_app:detail", args=[sr.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["detail", "receipt", "sign", "submit"])
def test_a_request_that_does_not_exist_is_404(client_as, intake_user, page):
    sr = SupportRequestFactory()
    method, url = _pages(sr)[page]
    url = url.replace(f"/{sr.pk}/", "/999999/")
    assert getattr(client_as(intake_user), method)(url).status_code == 404


def test_a_new_request_for_a_beneficiary_who_does_not_exist_is_404(client_as, intake_user):
    response = client_as(intake_user).get(reverse("requests_app:new") + "?beneficiary=999999")
    assert response.status_code == 404


def test_intake_creates_a_draft_for_her(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("requests_app:new") + f"?beneficiary={beneficiary.pk}"
    response = client_as(intake_user).post(
        url,
        {"request_type": "rent", "amount_requested": "1500", "description": "", "channel": "phone"},
    )
    sr = SupportRequest.objects.get(beneficiary=beneficiary)
    assert response.status_code == 302
    assert response.url == sr.get_absolute_url()
    assert (sr.state, sr.request_type, sr.created_by) == (State.DRAFT, "rent", intake_user)
    event = Event.objects.for_subject(sr).get()
    assert (event.verb, event.new_state, event.actor) == ("create", "draft", intake_user)


def test_the_page_names_each_missing_item(client_as, intake_user):
    sr = SupportRequestFactory(request_type="medical", created_by=intake_user)
    attach_documents(sr.beneficiary, ["national_id"])
    html = client_as(intake_user).get(sr.get_absolute_url()).content.decode()
    missing = html.split('data-testid="missing"')[1].split("</section>")[0]
    assert str(Document.DocType.FAMILY_CARD.label) in missing
    assert str(Document.DocType.MEDICAL_REPORT.label) in missing
    assert str(Document.DocType.NATIONAL_ID.label) not in missing
    assert str(VerificationItem.IDENTITY.label) in missing


def _action_names(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


@pytest.mark.parametrize(
    ("state", "persona", "expected"),
    [
        (State.DRAFT, "intake_user", {"submit", "withdraw"}),
        (State.SUBMITTED, "intake_user", {"withdraw"}),
        (State.SUBMITTED, "researcher_user", {"return", "start_research", "withdraw"}),
        (State.IN_RESEARCH, "researcher_user", {"return", "withdraw"}),
        (State.RETURNED, "intake_user", {"resubmit", "withdraw"}),
        (State.APPROVED, "intake_user", {"deliver"}),
        (State.DELIVERED, "intake_user", {"close"}),
        (State.CLOSED, "manager_user", set()),
    ],
)
def test_only_the_moves_this_role_may_take_in_this_state_are_offered(
    client_as, state, persona, expected, request
):
    sr = request_in_state(state)
    user = request.getfixturevalue(persona)
    html = client_as(user).get(sr.get_absolute_url()).content.decode()
    assert _action_names(html) == expected


def test_signing_the_declaration_stores_the_arabic_text_her_name_and_the_witness(
    client_as, intake_user
):
    sr = SupportRequestFactory(created_by=intake_user)
    client_as(intake_user).post(
        reverse("requests_app:sign", args=[sr.pk]),
        {"read_to_her": "on", "signed_name": "فاطمة محمد عبدالله الحربي"},
    )
    declaration = Declaration.objects.get(support_request=sr)
    assert declaration.signed_name == "فاطمة محمد عبدالله الحربي"
    assert declaration.witness == intake_user
    assert "مسؤولة مسؤولية مباشرة" in declaration.text
    assert Event.objects.for_subject(sr).filter(verb="sign_declaration").exists()


def test_a_declaration_not_read_to_her_is_not_signed(client_as, intake_user):
    sr = SupportRequestFactory(created_by=intake_user)
    client_as(intake_user).post(
        reverse("requests_app:sign", args=[sr.pk]), {"signed_name": "فاطمة"}
    )
    assert not Declaration.objects.filter(support_request=sr).exists()


def test_the_checklist_records_who_matched_each_datum(client_as, intake_user):
    sr = SupportRequestFactory(created_by=intake_user)
    client_as(intake_user).post(
        reverse("requests_app:verify", args=[sr.pk]), {"items": ["identity", "iban"]}
    )
    checks = sr.verification_checks.all()
    assert {c.item for c in checks} == {"identity", "iban"}
    assert {c.checked_by for c in checks} == {intake_user}
    event = Event.objects.for_subject(sr).get(verb="verify")
    assert event.extra["checked"] == ["iban", "identity"]


def test_a_document_attached_from_the_request_goes_on_her_file(client_as, intake_user, tmp_path):
    sr = SupportRequestFactory(created_by=intake_user)
    upload = tmp_path / "card.pdf"
    upload.write_bytes(PDF_BYTES)
    with upload.open("rb") as handle:
        client_as(intake_user).post(
            reverse("requests_app:attach", args=[sr.pk]),
            {"doc_type": "family_card", "expires_on": "2031-01-01", "file": handle},
        )
    assert sr.beneficiary.documents.filter(doc_type="family_card").exists()


def test_submitting_shows_the_receipt_with_the_two_week_promise(client_as, intake_user):
    sr = ready_request(witness=intake_user)
    client = client_as(intake_user)
    response = client.post(reverse("requests_app:act", args=[sr.pk, "submit"]), follow=True)
    sr.refresh_from_db()
    assert sr.state == State.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse("requests_app:receipt", args=[sr.pk])
    html = response.content.decode()
    assert sr.reference in html
    assert "خلال أسبوعين" in html
    assert "هـ" in html.split('data-testid="due-date"')[1][:400]  # the Hijri date beside it
    assert "طلب دعم مستفيد" in html


def test_an_incomplete_submission_lists_what_is_missing_and_changes_nothing(client_as, intake_user):
    sr = SupportRequestFactory(created_by=intake_user)
    response = client_as(intake_user).post(
        reverse("requests_app:act", args=[sr.pk, "submit"]), follow=True
    )
    sr.refresh_from_db()
    assert sr.state == State.DRAFT
    html = response.content.decode()
    assert str(Document.DocType.FAMILY_CARD.label) in html


def test_a_return_without_saying_what_is_missing_is_refused(client_as, researcher_user):
    sr = request_in_state(State.SUBMITTED)
    client_as(researcher_user).post(reverse("requests_app:act", args=[sr.pk, "return"]), {})
    sr.refresh_from_db()
    assert sr.state == State.SUBMITTED


def test_intake_may_not_return_a_request_even_by_posting(client_as, intake_user):
    sr = request_in_state(State.SUBMITTED)
    client_as(intake_user).post(
        reverse("requests_app:act", args=[sr.pk, "return"]), {"note": "ناقص"}
    )
    sr.refresh_from_db()
    assert sr.state == State.SUBMITTED


# --- The list ----------------------------------------------------------------------------------
def _list_queries(client, count: int) -> int:
    for _ in range(count):
        request_in_state(State.SUBMITTED, researcher=None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("requests_app:list"))
    assert response.status_code == 200
    return len(captured)


def test_the_list_issues_the_same_queries_for_5_and_60_rows(client_as, intake_user):
    client = client_as(intake_user)
    client.get(reverse("requests_app:list"))  # the session renewed once after login
    few = _list_queries(client, 5)
    SupportRequest.objects.all().delete()
    many = _list_queries(client, 60)
    assert few == many
    assert many <= 12


def _references(response) -> list[str]:
    return [sr.reference for sr in response.context["page"]]


def test_sorting_by_days_left_lists_overdue_requests_first(client_as, intake_user):
    later = request_in_state(State.SUBMITTED, due_in_days=12)
    overdue = request_in_state(State.IN_COMMITTEE, due_in_days=-3)
    soon = request_in_state(State.IN_RESEARCH, due_in_days=2)
    response = client_as(intake_user).get(reverse("requests_app:list"), {"sort": "days_left"})
    assert _references(response) == [overdue.reference, soon.reference, later.reference]
    assert 'data-testid="overdue"' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue": "true"}, ["overdue"]),
        ({"due_within": "5"}, ["overdue", "soon"]),
        ({"state": "in_research"}, ["soon"]),
        ({"state": "approved"}, ["approved"]),
        ({"request_type": "rent"}, ["later"]),
        ({"channel": "phone"}, ["soon"]),
    ],
)
def test_the_list_filters(client_as, intake_user, params, expected):
    rows = {
        "later": request_in_state(State.SUBMITTED, due_in_days=12, request_type="rent"),
        "overdue": request_in_state(State.IN_COMMITTEE, due_in_days=-3),
        "soon": request_in_state(State.IN_RESEARCH, due_in_days=2, channel="phone"),
        "approved": request_in_state(State.APPROVED, due_in_days=-20),
    }
    response = client_as(intake_user).get(reverse("requests_app:list"), params)
    assert _references(response) == [rows[name].reference for name in expected]


def test_the_list_finds_a_request_by_reference_or_her_name(client_as, intake_user):
    wanted = request_in_state(State.CLOSED)
    request_in_state(State.SUBMITTED)
    client = client_as(intake_user)
    for q in (
        wanted.reference.lower(),
        wanted.beneficiary.full_name,
        wanted.beneficiary.national_id,
    ):
        found = client.post(reverse("requests_app:list"), {"q": q}, follow=True)
        assert _references(found) == [wanted.reference], q


def test_the_list_filters_by_researcher(client_as, intake_user, researcher_user):
    mine = request_in_state(State.IN_RESEARCH, researcher=researcher_user)
    request_in_state(State.IN_RESEARCH)
    response = client_as(intake_user).get(
        reverse("requests_app:list"), {"researcher": researcher_user.pk}
    )
    assert _references(response) == [mine.reference]


# --- Her file page -----------------------------------------------------------------------------
def test_her_file_page_partial_lists_her_requests_only(intake_user, rf):
    sr = request_in_state(State.SUBMITTED)
    other = request_in_state(State.SUBMITTED)
    html = render_to_string(
        "requests_app/_beneficiary_requests.html",
        {"beneficiary": sr.beneficiary, "roles": intake_user.roles},
    )
    assert sr.reference in html
    assert other.reference not in html
    assert f"?beneficiary={sr.beneficiary_id}" in html


def test_the_overdue_filter_offers_all_not_unknown(client_as, intake_user):
    """django-filter's yes/no widget calls "no filter" «مجهول» (unknown); the list says «الكل»."""
    body = client_as(intake_user).get(reverse("requests_app:list")).content.decode()
    select = body.split('name="overdue"')[1].split("</select>")[0]
    assert '<option value="" selected>الكل</option>' in select
    assert "مجهول" not in body
