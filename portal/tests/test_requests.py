"""Her requests in the portal: new (channel website), documents while returned, resubmit,
withdraw — and nothing of another beneficiary's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from audit.models import Event
from beneficiaries.models import Document
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from beneficiaries.tests.helpers import documents_post
from committee.models import Appeal
from committee.services import decision_record
from committee.tests.factories import (
    committee_with,
    open_meeting,
    request_before_committee,
    votes_for,
)
from requests_app.models import (
    REQUIRED_DOCUMENTS,
    RequestType,
    SupportRequest,
    VerificationItem,
)
from requests_app.services import (
    InvalidTransition,
    support_request_start_research,
    support_request_verify,
)
from requests_app.tests.factories import (
    attach_documents,
    request_in_state,
    returned_for_family_card,
)
from wahaj.lib.choices import Channel

pytestmark = pytest.mark.django_db

State = SupportRequest.State


def _upload(doc_type: str = Document.DocType.FAMILY_CARD) -> dict:
    file = SimpleUploadedFile("card.pdf", PDF_BYTES, content_type="application/pdf")
    return documents_post("doc", {"doc_type": doc_type, "file": file})


def test_her_page_lists_only_her_requests_with_state_and_due_date(portal_client):
    her, other = BeneficiaryFactory(), BeneficiaryFactory()
    mine = request_in_state(State.SUBMITTED, beneficiary=her)
    theirs = request_in_state(State.SUBMITTED, beneficiary=other)
    content = portal_client(her).get(reverse("portal:home")).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content
    assert 'class="dual-date"' in content


def test_her_page_takes_a_constant_number_of_queries(portal_client, django_assert_max_num_queries):
    her = BeneficiaryFactory()
    for _ in range(8):
        request_in_state(State.IN_RESEARCH, beneficiary=her)
    client = portal_client(her)
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:home"))


def test_she_submits_a_new_request_online_and_it_waits_for_intake_with_channel_website(
    portal_client, intake_user
):
    """Acceptance 3, her part: channel website, waiting in `submitted` for verification."""
    her = BeneficiaryFactory()
    attach_documents(her, REQUIRED_DOCUMENTS[RequestType.FOOD_BASKET])
    client = portal_client(her)
    response = client.post(
        reverse("portal:request_new"),
        {"request_type": RequestType.FOOD_BASKET, "amount_requested": "", "description": "سلة"},
    )
    support_request = SupportRequest.objects.get(beneficiary=her)
    assert response.url == reverse("portal:request_detail", args=[support_request.pk])
    assert support_request.channel == Channel.WEBSITE
    assert support_request.state == State.DRAFT

    response = client.post(
        reverse("portal:request_submit", args=[support_request.pk]),
        {"signed_name": her.full_name, "confirm": "on"},
    )
    support_request.refresh_from_db()
    assert support_request.state == State.SUBMITTED
    assert support_request.reference
    assert support_request.declaration.signed_via == "portal"
    submit = Event.objects.for_subject(support_request).get(verb="submit")
    assert submit.actor_kind == Event.ActorKind.BENEFICIARY

    # Intake sees it in the staff list of website requests, waiting for verification.
    staff = reverse("requests_app:list") + "?channel=website&state=submitted"
    intake = Client()
    intake.force_login(intake_user)
    assert support_request.reference in intake.get(staff).content.decode()
    assert not support_request.verification_checks.exists()


def test_intake_verifies_an_online_request_before_research_starts(
    portal_client, intake_user, researcher_user
):
    """Acceptance 3, the staff part: the checklist is done by intake while it is `submitted`."""
    online = request_in_state(State.SUBMITTED, channel=Channel.WEBSITE, created_by=None)
    with pytest.raises(InvalidTransition):
        support_request_start_research(
            actor=researcher_user, support_request=online, researcher=researcher_user
        )
    support_request_verify(actor=intake_user, support_request=online, items=VerificationItem.values)
    support_request_start_research(
        actor=researcher_user, support_request=online, researcher=researcher_user
    )
    online.refresh_from_db()
    assert online.state == State.IN_RESEARCH


def test_a_request_without_the_declaration_is_not_sent(portal_client):
    her = BeneficiaryFactory()
    attach_documents(her, REQUIRED_DOCUMENTS[RequestType.OTHER])
    draft = request_in_state(State.DRAFT, beneficiary=her, request_type=RequestType.OTHER)
    response = portal_client(her).post(
        reverse("portal:request_submit", args=[draft.pk]), {"signed_name": her.full_name}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_an_incomplete_request_says_what_is_missing(portal_client):
    her = BeneficiaryFactory()
    draft = request_in_state(State.DRAFT, beneficiary=her, request_type=RequestType.MEDICAL)
    client = portal_client(her)
    response = client.post(
        reverse("portal:request_submit", args=[draft.pk]),
        {"signed_name": her.full_name, "confirm": "on"},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert (
        not hasattr(draft, "declaration")
        or not SupportRequest.objects.filter(pk=draft.pk, declaration__isnull=False).exists()
    )
    texts = [str(m) for m in response.context["messages"]]
    assert len(texts) > 1  # the refusal and each missing item


def test_she_uploads_the_missing_document_of_a_returned_request_and_resubmits(portal_client):
    her = BeneficiaryFactory()
    # Her own online request: no staff checklist.
    returned = returned_for_family_card(her, created_by=None)
    client = portal_client(her)
    page = client.get(reverse("portal:request_detail", args=[returned.pk])).content.decode()
    assert "صورة بطاقة العائلة" in page
    response = client.post(reverse("portal:request_document", args=[returned.pk]), _upload())
    assert response.status_code == 302
    document = Document.objects.get(beneficiary=her, doc_type=Document.DocType.FAMILY_CARD)
    assert document.uploaded_by is None
    assert Event.objects.for_subject(her).filter(verb="document_added").count() == 1

    client.post(reverse("portal:request_resubmit", args=[returned.pk]))
    returned.refresh_from_db()
    assert returned.state == State.SUBMITTED
    resubmit = Event.objects.for_subject(returned).get(verb="resubmit")
    assert resubmit.actor_kind == Event.ActorKind.BENEFICIARY


def test_a_file_that_is_not_a_pdf_or_image_is_refused(portal_client):
    her = BeneficiaryFactory()
    returned = request_in_state(State.RETURNED, beneficiary=her)
    data = documents_post(
        "doc",
        {
            "doc_type": Document.DocType.FAMILY_CARD,
            "file": SimpleUploadedFile(
                "x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
            ),
        },
    )
    response = portal_client(her).post(reverse("portal:request_document", args=[returned.pk]), data)
    assert response.status_code == 400
    assert not Document.objects.filter(beneficiary=her).exists()


def test_no_upload_once_the_request_is_in_research(portal_client):
    her = BeneficiaryFactory()
    in_research = request_in_state(State.IN_RESEARCH, beneficiary=her)
    portal_client(her).post(reverse("portal:request_document", args=[in_research.pk]), _upload())
    assert not Document.objects.filter(beneficiary=her).exists()


def test_she_withdraws_an_open_request_with_a_reason(portal_client):
    her = BeneficiaryFactory()
    submitted = request_in_state(State.SUBMITTED, beneficiary=her)
    client = portal_client(her)
    assert client.get(reverse("portal:request_withdraw", args=[submitted.pk])).status_code == 200
    client.post(reverse("portal:request_withdraw", args=[submitted.pk]), {"reason": "تيسرت أموري"})
    submitted.refresh_from_db()
    assert submitted.state == State.WITHDRAWN
    event = Event.objects.for_subject(submitted).get(verb="withdraw")
    assert event.note == "تيسرت أموري"
    assert event.actor_kind == Event.ActorKind.BENEFICIARY


def test_a_withdrawal_needs_a_reason(portal_client):
    her = BeneficiaryFactory()
    submitted = request_in_state(State.SUBMITTED, beneficiary=her)
    portal_client(her).post(reverse("portal:request_withdraw", args=[submitted.pk]), {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED


# --- Another beneficiary's request does not exist for her -------------------------------------
OBJECT_URLS = [
    ("get", "portal:request_detail", {}),
    ("post", "portal:request_submit", {"signed_name": "x", "confirm": "on"}),
    ("post", "portal:request_document", None),
    ("post", "portal:request_resubmit", {}),
    ("get", "portal:request_withdraw", {}),
    ("post", "portal:request_withdraw", {"reason": "x"}),
    ("post", "portal:request_appeal", {"reason": "x"}),
]


@pytest.mark.parametrize(("method", "name", "data"), OBJECT_URLS)
def test_another_beneficiary_gets_404_on_her_request(portal_client, method, name, data):
    owner, intruder = BeneficiaryFactory(), BeneficiaryFactory()
    support_request = request_in_state(State.RETURNED, beneficiary=owner)
    client = portal_client(intruder)
    url = reverse(name, args=[support_request.pk])
    response = getattr(client, method)(url, _upload() if data is None else data)
    assert response.status_code == 404
    support_request.refresh_from_db()
    assert support_request.state == State.RETURNED
    assert not Document.objects.exists()


@pytest.mark.parametrize(("method", "name", "data"), OBJECT_URLS)
def test_an_anonymous_visitor_is_sent_to_the_portal_login(client, method, name, data):
    support_request = request_in_state(State.RETURNED)
    response = getattr(client, method)(reverse(name, args=[support_request.pk]), data or {})
    assert response.status_code == 302
    assert response.url == reverse("portal:login")


def test_she_appeals_a_rejection_once_from_the_portal(
    portal_client, chair_user, make_staff, researcher_user, intake_user
):
    members = [make_staff(Role.COMMITTEE, username=f"m{i}") for i in range(3)]
    committee = committee_with(chair=chair_user, members=members)
    support_request = request_before_committee(researcher=researcher_user, intake=intake_user)
    meeting = open_meeting(committee=committee, requests=[support_request])
    votes_for(meeting, support_request, "reject")
    decision_record(
        actor=chair_user,
        agenda_item=meeting.agenda_items.get(support_request=support_request),
        outcome="rejected",
        rejection_code="income_above_threshold",
        rejection_reason="دخل الفرد أعلى من الحد",
    )
    client = portal_client(support_request.beneficiary)
    url = reverse("portal:request_appeal", args=[support_request.pk])
    client.post(url, {"reason": "توفي زوجي الشهر الماضي"})
    support_request.refresh_from_db()
    assert support_request.state == State.IN_COMMITTEE
    appeal = Appeal.objects.get(support_request=support_request)
    assert (appeal.filed_via, appeal.filed_by) == (Appeal.Via.PORTAL, None)
    event = Event.objects.for_subject(support_request).get(verb="reopen_for_appeal")
    assert event.actor_kind == Event.ActorKind.BENEFICIARY
