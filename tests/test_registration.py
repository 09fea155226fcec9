"""Policy step 6: her registration completes once its requirements hold — her identity on the
file, her ID and family card verified against the originals, a signed declaration — and is
suspended or reactivated with a reason. The file page says what still blocks it."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from audit.models import Event
from beneficiaries import services
from beneficiaries.models import Beneficiary, Document, RegistrationStatus
from beneficiaries.selectors import registration_gaps
from beneficiaries.tests.conftest import _private_media  # noqa: F401 - documents in tmp
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from notifications.models import Message
from portal.selectors import FILE_SUSPENDED, what_she_still_needs
from requests_app import services as request_services
from requests_app.models import DECLARATION_TEXT_AR, Declaration
from requests_app.tests.factories import SupportRequestFactory, ready_request

pytestmark = pytest.mark.django_db
Status = RegistrationStatus


def _ready_for_registration(witness, **fields) -> Beneficiary:
    """A file with everything registration needs: identity, verified ID and family card, and
    her declaration signed with a request."""
    her = BeneficiaryFactory(date_of_birth=date(1985, 3, 1), **fields)
    for doc_type in (Document.DocType.NATIONAL_ID, Document.DocType.FAMILY_CARD):
        document = DocumentFactory(beneficiary=her, doc_type=doc_type)
        services.document_verify(actor=witness, document=document)
    Declaration.objects.create(
        support_request=SupportRequestFactory(beneficiary=her, created_by=witness),
        text=DECLARATION_TEXT_AR,
        signed_name=her.full_name,
        signed_at=her.created_at,
        signed_via=Declaration.SignedVia.STAFF,
        witness=witness,
    )
    return her


def _staff_words(items) -> list[str]:
    with translation.override("en"):
        return [str(item) for item in items]


# --- services --------------------------------------------------------------------------------
def test_registration_completes_when_every_requirement_holds_and_she_is_told(intake_user):
    her = _ready_for_registration(intake_user)
    assert registration_gaps(her) == []

    her = services.beneficiary_registration_complete(actor=intake_user, beneficiary=her)

    her.refresh_from_db()
    assert her.registration_status == Status.ACTIVE
    event = Event.objects.for_subject(her).get(verb="registration_completed")
    assert (event.actor, event.old_state, event.new_state) == (intake_user, "incomplete", "active")
    message = Message.objects.get(template="registration_completed")
    assert (message.to, message.channel) == (str(her.mobile), "sms")
    assert message.context == {"name": her.full_name.split()[0], "file_number": her.file_number}


def test_a_new_file_lists_every_requirement_it_still_lacks(intake_user):
    her = BeneficiaryFactory()  # no date of birth, no documents, no declaration
    with translation.override("en"):
        gaps = _staff_words(registration_gaps(her))
    assert gaps == [
        "Her date of birth is not on her file.",
        "Document missing or expired: National ID.",
        "Document missing or expired: Family card.",
        "Her signed declaration that her data is true (signed with a request).",
    ]


def test_an_unverified_or_expired_document_blocks_completion(intake_user):
    her = _ready_for_registration(intake_user)
    her.documents.filter(doc_type=Document.DocType.FAMILY_CARD).update(verified_at=None)
    her.documents.filter(doc_type=Document.DocType.NATIONAL_ID).update(
        expires_on=date.today() - timedelta(days=1)
    )
    with translation.override("en"):
        gaps = _staff_words(registration_gaps(her))
    assert gaps == [
        "Document missing or expired: National ID.",
        "Document not yet verified against the original: Family card.",
    ]


def test_completion_is_refused_with_what_is_missing_and_changes_nothing(intake_user):
    her = _ready_for_registration(intake_user)
    Declaration.objects.filter(support_request__beneficiary=her).delete()
    with pytest.raises(services.InvalidTransition) as refused:
        services.beneficiary_registration_complete(actor=intake_user, beneficiary=her)
    assert refused.value.message == services.REGISTRATION_INCOMPLETE
    assert len(refused.value.missing) == 1
    her.refresh_from_db()
    assert her.registration_status == Status.INCOMPLETE
    assert not Event.objects.for_subject(her).filter(verb="registration_completed").exists()
    assert not Message.objects.filter(template="registration_completed").exists()


def test_a_complete_registration_cannot_be_completed_twice(intake_user):
    her = _ready_for_registration(intake_user, registration_status=Status.ACTIVE)
    with pytest.raises(services.InvalidTransition) as refused:
        services.beneficiary_registration_complete(actor=intake_user, beneficiary=her)
    assert refused.value.message == services.REGISTRATION_NOT_INCOMPLETE


def test_suspension_and_reactivation_need_a_reason_and_are_audited(intake_user):
    her = _ready_for_registration(intake_user, registration_status=Status.ACTIVE)
    with pytest.raises(services.InvalidTransition) as refused:
        services.beneficiary_suspend(actor=intake_user, beneficiary=her, reason="  ")
    assert refused.value.message == services.REASON_REQUIRED

    services.beneficiary_suspend(actor=intake_user, beneficiary=her, reason="انتقلت إلى جدة")
    her.refresh_from_db()
    assert her.registration_status == Status.SUSPENDED
    suspended = Event.objects.for_subject(her).get(verb="registration_suspended")
    assert (suspended.old_state, suspended.new_state, suspended.note) == (
        "active",
        "suspended",
        "انتقلت إلى جدة",
    )
    with pytest.raises(services.InvalidTransition) as refused:
        services.beneficiary_suspend(actor=intake_user, beneficiary=her, reason="مرة أخرى")
    assert refused.value.message == services.SUSPEND_NEEDS_COMPLETE

    services.beneficiary_reactivate(actor=intake_user, beneficiary=her, reason="عادت إلى الرياض")
    her.refresh_from_db()
    assert her.registration_status == Status.ACTIVE
    reactivated = Event.objects.for_subject(her).get(verb="registration_reactivated")
    assert (reactivated.old_state, reactivated.new_state, reactivated.note) == (
        "suspended",
        "active",
        "عادت إلى الرياض",
    )
    # Suspension and reactivation are told to her in person, not by message.
    assert not Message.objects.exists()


def test_reactivation_returns_to_incomplete_when_a_document_expired_meanwhile(intake_user):
    her = _ready_for_registration(intake_user, registration_status=Status.SUSPENDED)
    her.documents.filter(doc_type=Document.DocType.NATIONAL_ID).update(
        expires_on=date.today() - timedelta(days=1)
    )
    services.beneficiary_reactivate(actor=intake_user, beneficiary=her, reason="عادت")
    her.refresh_from_db()
    assert her.registration_status == Status.INCOMPLETE


def test_a_status_change_moves_the_version_so_an_open_edit_form_cannot_undo_it(intake_user):
    her = _ready_for_registration(intake_user)
    version = her.version
    services.beneficiary_registration_complete(actor=intake_user, beneficiary=her)
    her.refresh_from_db()
    assert her.version == version + 1
    with pytest.raises(services.EditConflict):
        services.beneficiary_update(
            actor=intake_user, beneficiary=her, expected_version=version, data={"city": "جدة"}
        )


def test_a_document_is_verified_once_by_staff(intake_user):
    document = DocumentFactory()
    services.document_verify(actor=intake_user, document=document)
    document.refresh_from_db()
    assert document.verified_by == intake_user
    assert document.verified_at is not None
    event = Event.objects.for_subject(document.beneficiary).get(verb="document_verified")
    assert event.extra == {"document": document.pk, "doc_type": "national_id"}
    with pytest.raises(services.InvalidTransition):
        services.document_verify(actor=intake_user, document=document)


# --- views -----------------------------------------------------------------------------------
def _detail(her) -> str:
    return reverse("beneficiaries:detail", args=[her.pk])


def _status_badge(html: str) -> str:
    return re.search(r'data-testid="registration-status">([^<]*)<', html).group(1).strip()


def _move(her, move: str) -> str:
    return reverse("beneficiaries:registration", args=[her.pk, move])


def test_the_file_page_says_what_blocks_completion(client_as, intake_user):
    her = BeneficiaryFactory(date_of_birth=date(1985, 3, 1))
    DocumentFactory(beneficiary=her, doc_type=Document.DocType.NATIONAL_ID)
    html = client_as(intake_user).get(_detail(her)).content.decode()
    assert 'data-testid="registration-gaps"' in html
    with translation.override("ar"):
        assert escape(registration_gaps(her)[0]) in html  # the family card is missing
        assert "مستند لم يُطابَق مع أصله بعد: " in html  # her ID is not verified
    assert _move(her, "complete") not in html


def test_intake_completes_a_ready_registration_from_the_file_page(client_as, intake_user):
    her = _ready_for_registration(intake_user)
    client = client_as(intake_user)
    html = client.get(_detail(her)).content.decode()
    assert 'data-testid="registration-ready"' in html
    response = client.post(_move(her, "complete"))
    assert response.status_code == 302
    her.refresh_from_db()
    assert her.registration_status == Status.ACTIVE
    html = client.get(_detail(her)).content.decode()
    assert _status_badge(html) == "مكتمل"
    assert _move(her, "suspend") in html


def test_a_refused_completion_lists_what_is_missing(client_as, intake_user):
    her = BeneficiaryFactory()
    response = client_as(intake_user).post(_move(her, "complete"), follow=True)
    html = response.content.decode()
    assert "لا يمكن استكمال التسجيل بعد" in html
    her.refresh_from_db()
    assert her.registration_status == Status.INCOMPLETE


def test_intake_suspends_with_a_reason_shown_on_the_file_then_reactivates(client_as, intake_user):
    her = _ready_for_registration(intake_user, registration_status=Status.ACTIVE)
    client = client_as(intake_user)
    client.post(_move(her, "suspend"), {"registration-reason": "لم تحدّث بياناتها منذ سنتين"})
    her.refresh_from_db()
    assert her.registration_status == Status.SUSPENDED
    html = client.get(_detail(her)).content.decode()
    assert "لم تحدّث بياناتها منذ سنتين" in html
    client.post(_move(her, "reactivate"), {"registration-reason": "حدّثت بياناتها"})
    her.refresh_from_db()
    assert her.registration_status == Status.ACTIVE


def test_a_committee_member_cannot_change_a_registration_or_verify(client_as, member_user):
    her = _ready_for_registration(member_user)
    document = her.documents.first()
    client = client_as(member_user)
    assert client.post(_move(her, "complete")).status_code in (403, 404)
    verify = reverse("beneficiaries:document_verify", args=[her.pk, document.pk])
    assert client.post(verify).status_code in (403, 404)
    her.refresh_from_db()
    assert her.registration_status == Status.INCOMPLETE


def test_an_unknown_move_is_not_found(client_as, intake_user):
    her = BeneficiaryFactory()
    assert client_as(intake_user).post(_move(her, "delete")).status_code == 404


def test_staff_verify_a_document_from_the_file_page(client_as, intake_user):
    document = DocumentFactory()
    client = client_as(intake_user)
    verify = reverse("beneficiaries:document_verify", args=[document.beneficiary_id, document.pk])
    assert verify in client.get(_detail(document.beneficiary)).content.decode()
    client.post(verify)
    document.refresh_from_db()
    assert document.verified_by == intake_user
    html = client.get(_detail(document.beneficiary)).content.decode()
    assert 'data-testid="document-verified"' in html


def test_the_list_and_the_export_show_the_complete_status(client_as, manager_user):
    her = _ready_for_registration(manager_user)
    services.beneficiary_registration_complete(actor=manager_user, beneficiary=her)
    client = client_as(manager_user)
    html = client.get(reverse("beneficiaries:list")).content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{her.file_number}.*?</tr>", html, re.S).group(0)
    assert "<td>مكتمل</td>" in row
    export = client.get(reverse("reports:export", args=["beneficiaries", "csv"]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    row = next(line for line in text.splitlines() if her.file_number in line)
    assert "مكتمل" in row.split(",")


def test_a_suspended_file_submits_no_request_until_reactivated(intake_user):
    support_request = ready_request(witness=intake_user)
    her = support_request.beneficiary
    her.registration_status = Status.ACTIVE
    her.save()
    services.beneficiary_suspend(actor=intake_user, beneficiary=her, reason="انتقلت")
    support_request.refresh_from_db()
    with pytest.raises(request_services.InvalidTransition) as refused:
        request_services.support_request_submit(actor=intake_user, support_request=support_request)
    with translation.override("ar"):
        assert _staff_words(refused.value.missing) == ["تسجيلها معلَّق: أعيدي تفعيله من ملفها أولًا."]
        assert what_she_still_needs(support_request) == [str(FILE_SUSPENDED)]

    services.beneficiary_reactivate(actor=intake_user, beneficiary=her, reason="عادت")
    support_request.refresh_from_db()
    submitted = request_services.support_request_submit(
        actor=intake_user, support_request=support_request
    )
    assert submitted.state == "submitted"
