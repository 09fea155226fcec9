"""Applying online without a file (/apply/, issue 20): a verified mobile, her details kept
between steps, the request submitted into intake's verification queue, and the same answer
whether or not her ID or mobile is already on file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from beneficiaries.models import Beneficiary, Consent, RegistrationStatus
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory
from beneficiaries.tests.helpers import documents_post
from notifications.models import Message
from requests_app.models import SupportRequest
from requests_app.selectors import waiting_for_verification
from wahaj.lib.crypto import lookup_hash

pytestmark = pytest.mark.django_db
State = SupportRequest.State

NEW_ID = "1000000008"
MOBILE = "0551234567"
DETAILS = {
    "full_name": "نورة محمد عبدالله السبيعي",
    "nationality": "SA",
    "date_of_birth": "1985-03-02",
    "marital_status": "widow",
    "city": "الرياض",
    "district": "النسيم",
    "housing": "rented",
    "monthly_rent": "1500",
    "debts": "0",
    "income_social_security": "1800",
    "household-TOTAL_FORMS": "1",
    "household-INITIAL_FORMS": "0",
    "household-MIN_NUM_FORMS": "0",
    "household-MAX_NUM_FORMS": "30",
    "household-0-name": "سارة",
    "household-0-relation": "daughter",
    "household-0-sex": "F",
    "household-0-monthly_income": "0",
}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _request_post(**overrides) -> dict:
    data = {
        "request_type": "food_basket",
        "description": "أحتاج سلة غذائية لأسرتي",
        "signed_name": DETAILS["full_name"],
        "confirm": "on",
        "consent_service": "on",
        "consent_contact": "on",
        **documents_post(
            "doc",
            {"doc_type": "national_id", "expires_on": "2031-01-01", "file": _pdf("id.pdf")},
            {"doc_type": "family_card", "file": _pdf("card.pdf")},
            {"doc_type": "statement", "issued_on": _recent(), "file": _pdf("statement.pdf")},
        ),
    }
    data.update(overrides)
    return data


def _recent() -> str:
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _code(sms_outbox, send_queued) -> str:
    send_queued()
    text = next(text for _number, text in reversed(sms_outbox) if "رمز التحقق" in text)
    return re.search(r"(?<!\d)\d{6}(?!\d)", text).group()


def _verified(client, sms_outbox, send_queued, *, national_id=NEW_ID, mobile=MOBILE):
    response = client.post(reverse("portal:apply"), {"national_id": national_id, "mobile": mobile})
    assert response.status_code == 302
    code = _code(sms_outbox, send_queued)
    response = client.post(reverse("portal:apply_code"), {"code": code})
    assert response["Location"] == reverse("portal:apply_details")


def _apply(client, sms_outbox, send_queued, **identity):
    _verified(client, sms_outbox, send_queued, **identity)
    assert client.post(reverse("portal:apply_details"), DETAILS).status_code == 302
    return client.post(reverse("portal:apply_request"), _request_post())


def test_a_new_applicant_lands_as_a_draft_file_and_a_submitted_request_to_verify(
    client, sms_outbox, send_queued
):
    response = _apply(client, sms_outbox, send_queued)
    assert response["Location"] == reverse("portal:apply_done")

    her = Beneficiary.objects.get(national_id_hash=lookup_hash(NEW_ID))
    assert str(her.mobile) == "+966551234567"
    assert her.registration_status == RegistrationStatus.INCOMPLETE  # a draft file
    assert her.intake_channel == "website"
    assert her.household.get().name == "سارة"
    assert her.income_sources.get().amount == 1800
    assert set(Consent.objects.filter(beneficiary=her).values_list("purpose", flat=True)) == {
        "service",
        "contact",
    }
    assert sorted(her.documents.values_list("doc_type", flat=True)) == [
        "family_card",
        "national_id",
        "statement",
    ]
    request = SupportRequest.objects.get(beneficiary=her)
    assert request.state == State.SUBMITTED
    assert request.channel == "website"
    assert request.entered_by_beneficiary
    assert request.declaration.signed_via == "portal"
    assert SupportRequest.objects.filter(waiting_for_verification()).get() == request
    registered = Event.objects.for_subject(her).get(verb="beneficiary_registered")
    assert registered.actor is None
    assert registered.actor_kind == Event.ActorKind.BENEFICIARY
    assert Message.objects.filter(template="request_received", to="+966551234567").exists()
    # The application is over: its pages go back to the start.
    assert client.get(reverse("portal:apply_request"))["Location"] == reverse("portal:apply")


def test_without_the_code_nothing_after_the_first_step_opens(client, sms_outbox, send_queued):
    client.post(reverse("portal:apply"), {"national_id": NEW_ID, "mobile": MOBILE})
    assert client.get(reverse("portal:apply_details"))["Location"] == reverse("portal:apply")
    response = client.post(reverse("portal:apply_code"), {"code": "000000"})
    assert response.status_code == 200
    assert "هذا الرمز غير صحيح أو لم يعد صالحًا" in response.content.decode()
    assert client.post(reverse("portal:apply_details"), DETAILS)["Location"] == reverse(
        "portal:apply"
    )
    assert not Beneficiary.objects.exists()


def test_what_she_typed_is_kept_between_steps_and_errors_are_translated(
    client, sms_outbox, send_queued
):
    _verified(client, sms_outbox, send_queued)
    response = client.post(reverse("portal:apply_details"), {**DETAILS, "full_name": "نورة"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "نورة" in html
    assert "النسيم" in html
    assert 'class="invalid-feedback' in html
    client.post(reverse("portal:apply_details"), DETAILS)
    # Back from the last step, the details page shows what she typed.
    html = client.get(reverse("portal:apply_details")).content.decode()
    assert DETAILS["full_name"] in html
    assert "سارة" in html
    # A request without its documents says which ones, in her language, and keeps the text.
    response = client.post(
        reverse("portal:apply_request"),
        _request_post(**documents_post("doc", {"doc_type": "family_card", "file": _pdf("c.pdf")})),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "أحتاج سلة غذائية لأسرتي" in html
    assert "This request needs" not in html  # translated, not the English
    assert "يحتاج هذا الطلب إلى هذه المستندات" in html
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize("on_file", ["national_id", "mobile"])
def test_an_id_or_mobile_on_file_gets_the_same_answer_and_staff_are_told(
    client, sms_outbox, send_queued, intake_user, on_file
):
    existing = BeneficiaryFactory(
        **({"national_id": NEW_ID} if on_file == "national_id" else {"mobile": "+966551234567"})
    )
    files_before = Beneficiary.objects.count()
    response = _apply(client, sms_outbox, send_queued)
    assert response["Location"] == reverse("portal:apply_done")
    assert Beneficiary.objects.count() == files_before
    assert not SupportRequest.objects.filter(beneficiary=existing).exists()
    event = Event.objects.for_subject(existing).get(verb="online_application_matched")
    assert event.extra["matched"] == on_file
    assert event.extra["mobile"] == "+966551234567"
    told = Message.objects.get(template="application_matched")
    assert existing.file_number in str(told.context)
    assert told.to in (str(intake_user.mobile), intake_user.email)


def test_the_answer_pages_are_the_same_whoever_is_on_file(client, sms_outbox, send_queued):
    new = _apply(client, sms_outbox, send_queued)
    done_new = client.get(new["Location"]).content.decode()
    other = BeneficiaryFactory()
    client.cookies.clear()
    matched = _apply(
        client, sms_outbox, send_queued, national_id=other.national_id, mobile="0557654321"
    )
    done_matched = client.get(matched["Location"]).content.decode()
    assert new["Location"] == matched["Location"]
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(done_new) == strip(done_matched)
    assert other.full_name not in done_matched


def test_the_first_step_is_rate_limited_per_address(client, settings, sms_outbox, send_queued):
    settings.PORTAL_APPLY_RATE_PER_IP = "2/h"
    for _ in range(2):
        client.post(reverse("portal:apply"), {"national_id": NEW_ID, "mobile": MOBILE})
    response = client.post(reverse("portal:apply"), {"national_id": NEW_ID, "mobile": MOBILE})
    assert response.status_code == 429
    assert Message.objects.filter(template="phone_code").count() == 2


def test_the_first_page_carries_each_visitors_own_csrf_token(client):
    from django.test import Client

    first = client.get(reverse("portal:apply"))
    other = Client().get(reverse("portal:apply"))
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode())
        for r in (first, other)
    ]
    assert len(tokens[0]) == 2  # the form and the language switch
    assert "apply-csrf-slot" not in first.content.decode()
    assert tokens[0] != tokens[1]
    # And the form posts with it (the CSRF check is on for real browsers).
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(reverse("portal:apply")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(
        reverse("portal:apply"), {"national_id": "1", "mobile": "1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200  # the form's own errors, not a 403
