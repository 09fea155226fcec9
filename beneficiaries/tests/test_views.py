import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import Event
from beneficiaries.forms import DOCUMENT_TOO_LARGE, DOCUMENT_TYPE_REFUSED
from beneficiaries.models import Beneficiary, Document, FileAccess, Referral
from beneficiaries.selectors import household_income_summary
from beneficiaries.services import EDIT_CONFLICT, referral_create

from .factories import PDF_BYTES, BeneficiaryFactory, DocumentFactory, HouseholdMemberFactory
from .helpers import HOUSEHOLD_MANAGEMENT, documents_post, registration_data

pytestmark = pytest.mark.django_db

LIST = reverse("beneficiaries:list")
NEW = reverse("beneficiaries:create")


def _detail(b) -> str:
    return reverse("beneficiaries:detail", args=[b.pk])


def _download(d) -> str:
    return reverse("beneficiaries:document_download", args=[d.beneficiary_id, d.pk])


def _escape(message) -> str:
    from django.utils.html import escape

    return escape(str(message))


# --- outsiders -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["list", "create", "referrals", "import"])
def test_anonymous_visitor_is_sent_to_log_in(client, name):
    response = client.get(reverse(f"beneficiaries:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitor_cannot_open_a_file_or_a_document(client):
    document = DocumentFactory()
    for url in (_detail(document.beneficiary), _download(document)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", ["list", "create"])
def test_committee_member_may_not_list_or_register_beneficiaries(client_as, member_user, name):
    assert client_as(member_user).get(reverse(f"beneficiaries:{name}")).status_code == 403


def test_committee_member_cannot_open_a_file_or_a_document_outside_her_agenda(
    client_as, member_user
):
    document = DocumentFactory()
    client = client_as(member_user)
    assert client.get(_detail(document.beneficiary)).status_code == 404
    assert client.get(_download(document)).status_code == 404
    assert not FileAccess.objects.exists()


def test_committee_member_may_not_edit_upload_contact_or_refer(client_as, member_user):
    beneficiary = BeneficiaryFactory()
    client = client_as(member_user)
    for name in ("edit", "document_create", "contact_create", "referral_create"):
        url = reverse(f"beneficiaries:{name}", args=[beneficiary.pk])
        assert client.post(url, {}).status_code == 403


def test_intake_may_not_import_or_close_referrals(client_as, intake_user):
    client = client_as(intake_user)
    assert client.get(reverse("beneficiaries:import")).status_code == 403
    assert client.get(reverse("beneficiaries:referrals")).status_code == 403


def test_a_document_of_another_file_is_not_found_through_this_file(client_as, intake_user):
    document = DocumentFactory()
    other = BeneficiaryFactory()
    url = reverse("beneficiaries:document_download", args=[other.pk, document.pk])
    assert client_as(intake_user).get(url).status_code == 404


@pytest.mark.parametrize("role_user", ["intake_user", "researcher_user", "manager_user"])
def test_staff_of_the_file_roles_open_any_file(client_as, request, role_user):
    beneficiary = BeneficiaryFactory()
    assert (
        client_as(request.getfixturevalue(role_user)).get(_detail(beneficiary)).status_code == 200
    )


# --- registration ----------------------------------------------------------------------------
def test_intake_registers_her_with_household_income_and_a_document(client_as, intake_user):
    pdf = SimpleUploadedFile("هوية نورة.pdf", PDF_BYTES, content_type="application/pdf")
    data = registration_data(**{"document-doc_type": "national_id", "document-file": pdf})

    response = client_as(intake_user).post(NEW, data)

    beneficiary = Beneficiary.objects.get()
    assert response.status_code == 302
    assert response.url == _detail(beneficiary)
    assert beneficiary.file_number == "B-000001"
    assert beneficiary.mobile.as_e164 == "+966501234567"
    assert beneficiary.created_by == intake_user
    assert [c.category for c in beneficiary.categories.all()] == ["orphans"]
    assert household_income_summary(beneficiary) == {
        "size": 3,
        "total_income": Decimal("2400.00"),
        "per_capita_income": Decimal("800.00"),
    }
    document = beneficiary.documents.get()
    assert document.content_type == "application/pdf"
    assert "نورة" not in document.file.name  # stored under a random name
    assert beneficiary.contacts.get().channel == "interview"
    assert list(Event.objects.values_list("verb", flat=True)) == [
        "beneficiary_registered",
        "document_added",
    ]
    assert Event.objects.first().actor == intake_user


def test_arabic_digits_are_normalised_at_registration(client_as, intake_user):
    data = registration_data(national_id="١٠٠٠٠٠٠٠٠٨", mobile="٠٥٠١٢٣٤٥٦٧")
    client_as(intake_user).post(NEW, data)
    beneficiary = Beneficiary.objects.get()
    assert beneficiary.national_id == "1000000008"
    assert str(beneficiary.mobile) == "+966501234567"


def test_a_bad_id_is_shown_beside_the_field_and_nothing_typed_is_lost(client_as, intake_user):
    response = client_as(intake_user).post(NEW, registration_data(national_id="1000000000"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error_1_id_national_id"' in html or "invalid-feedback" in html
    assert "نورة محمد عبدالله العتيبي" in html
    assert "سارة" in html
    assert "خالد" in html
    assert not Beneficiary.objects.exists()


def test_a_national_id_already_on_file_sends_the_desk_to_the_existing_file(client_as, intake_user):
    existing = BeneficiaryFactory(national_id="1000000008")
    response = client_as(intake_user).post(NEW, registration_data())
    assert response.status_code == 302
    assert response.url == _detail(existing)
    assert Beneficiary.objects.count() == 1


def test_a_mobile_already_on_file_stops_the_registration_and_links_to_her_file(
    client_as, intake_user
):
    existing = BeneficiaryFactory(mobile="+966501234567")
    response = client_as(intake_user).post(NEW, registration_data())
    assert response.status_code == 200
    assert _detail(existing) in response.content.decode()
    assert Beneficiary.objects.count() == 1


def test_a_household_member_already_on_another_file_is_flagged(client_as, intake_user):
    other = BeneficiaryFactory(national_id="1000000016")
    client = client_as(intake_user)
    client.post(NEW, registration_data())
    beneficiary = Beneficiary.objects.exclude(pk=other.pk).get()
    html = client.get(_detail(beneficiary)).content.decode()
    assert 'data-testid="member-flag"' in html
    assert _detail(other) in html


# --- documents (acceptance 3) ----------------------------------------------------------------
def _png_of(size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue() + b"\0" * (size - buffer.tell())


EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8 + b"\x02\x00\x3e\x00" + b"\0" * 200


def test_an_executable_named_pdf_is_refused_and_the_other_fields_are_kept(client_as, intake_user):
    fake = SimpleUploadedFile("statement.pdf", EXECUTABLE, content_type="application/pdf")
    data = registration_data(**{"document-doc_type": "statement", "document-file": fake})
    response = client_as(intake_user).post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert _escape(DOCUMENT_TYPE_REFUSED) in html
    assert "نورة محمد عبدالله العتيبي" in html
    assert 'value="1000000008"' in html
    assert not Beneficiary.objects.exists()


def test_an_11_mb_image_is_refused_with_a_clear_message_and_the_other_fields_are_kept(
    client_as, intake_user
):
    big = SimpleUploadedFile("scan.png", _png_of(11 * 1024 * 1024), content_type="image/png")
    data = registration_data(**{"document-doc_type": "family_card", "document-file": big})
    response = client_as(intake_user).post(NEW, data)
    html = response.content.decode()
    assert _escape(DOCUMENT_TOO_LARGE) in html
    assert "نورة محمد عبدالله العتيبي" in html
    assert "خالد" in html
    assert not Beneficiary.objects.exists()


def test_an_executable_uploaded_to_an_existing_file_is_refused(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("beneficiaries:document_create", args=[beneficiary.pk])
    fake = SimpleUploadedFile("id.pdf", EXECUTABLE)
    response = client_as(intake_user).post(
        url, documents_post("documents", {"doc_type": "national_id", "file": fake})
    )
    assert response.status_code == 400
    assert _escape(DOCUMENT_TYPE_REFUSED) in response.content.decode()
    assert not Document.objects.exists()


def test_a_png_uploaded_to_an_existing_file_is_kept_and_served_to_staff(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("beneficiaries:document_create", args=[beneficiary.pk])
    png = SimpleUploadedFile("card.pdf", _png_of(2000))  # named .pdf, really a PNG
    client = client_as(intake_user)
    client.post(url, documents_post("documents", {"doc_type": "family_card", "file": png}))
    document = Document.objects.get()
    assert document.content_type == "image/png"
    response = client.get(_download(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    served = b"".join(response.streaming_content)
    # Re-encoded (uploads.checked_upload): the same pixels, not the padding after the image.
    assert served.endswith(b"IEND\xaeB`\x82")
    assert Image.open(io.BytesIO(served)).size == (8, 8)
    assert FileAccess.objects.filter(kind="document", user=intake_user).count() == 1


def test_the_file_page_flags_an_expired_document(client_as, intake_user):
    document = DocumentFactory(expires_on="2020-01-01")
    html = client_as(intake_user).get(_detail(document.beneficiary)).content.decode()
    assert 'data-testid="document-expired"' in html


# --- file page -------------------------------------------------------------------------------
def test_opening_a_file_records_who_viewed_it(client_as, researcher_user):
    beneficiary = BeneficiaryFactory()
    client_as(researcher_user).get(_detail(beneficiary))
    access = FileAccess.objects.get()
    assert (access.user, access.beneficiary, access.kind) == (researcher_user, beneficiary, "file")


def test_the_file_page_shows_per_capita_income_and_an_empty_requests_section(
    client_as, intake_user
):
    beneficiary = BeneficiaryFactory()
    HouseholdMemberFactory(beneficiary=beneficiary, monthly_income=900)
    html = client_as(intake_user).get(_detail(beneficiary)).content.decode()
    assert "450.00" in html
    assert 'id="requests"' in html


def test_the_file_page_reads_a_constant_number_of_queries(
    client_as, intake_user, django_assert_max_num_queries
):
    beneficiary = BeneficiaryFactory()
    for _ in range(5):
        HouseholdMemberFactory(beneficiary=beneficiary)
        DocumentFactory(beneficiary=beneficiary)
    client = client_as(intake_user)
    with django_assert_max_num_queries(25):
        assert client.get(_detail(beneficiary)).status_code == 200


# --- contacts and referrals (acceptance 4) ---------------------------------------------------
def test_staff_record_a_contact_with_its_channel(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("beneficiaries:contact_create", args=[beneficiary.pk])
    client_as(intake_user).post(
        url,
        {"contact-channel": "phone", "contact-direction": "out", "contact-summary": "اتصال"},
    )
    contact = beneficiary.contacts.get()
    assert (contact.channel, contact.staff) == ("phone", intake_user)
    assert Event.objects.get().verb == "contact_recorded"


def test_intake_refers_her_and_the_researcher_sees_answers_and_closes_the_referral(
    client_as, intake_user, researcher_user, settings
):
    settings.SMS_BACKEND = "notifications.backends.sms.RecordingBackend"
    beneficiary = BeneficiaryFactory()
    url = reverse("beneficiaries:referral_create", args=[beneficiary.pk])
    client_as(intake_user).post(url, {"referral-reason": "لم تفهم متطلبات طلب الإيجار"})
    referral = Referral.objects.get()
    assert referral.assigned_to == researcher_user

    client = client_as(researcher_user)
    page = client.get(reverse("beneficiaries:referrals")).content.decode()
    assert "لم تفهم متطلبات طلب الإيجار" in page
    client.post(reverse("beneficiaries:referral_close", args=[referral.pk]), {"answer": "شرحت لها"})

    referral.refresh_from_db()
    assert referral.closed_at is not None
    assert (referral.answer, referral.closed_by) == ("شرحت لها", researcher_user)
    assert list(Event.objects.values_list("verb", flat=True)) == [
        "referral_created",
        "referral_closed",
    ]
    assert "لم تفهم" not in client.get(reverse("beneficiaries:referrals")).content.decode()


def test_a_referral_is_assigned_to_the_researcher_with_fewest_open_ones(make_staff, intake_user):
    busy, free = make_staff("researcher"), make_staff("researcher")
    referral_create(
        actor=intake_user, beneficiary=BeneficiaryFactory(), reason="x", assigned_to=busy
    )
    assert (
        referral_create(actor=intake_user, beneficiary=BeneficiaryFactory(), reason="y").assigned_to
        == free
    )


def test_a_closed_referral_cannot_be_closed_again(client_as, researcher_user):
    referral = referral_create(actor=researcher_user, beneficiary=BeneficiaryFactory(), reason="x")
    client = client_as(researcher_user)
    url = reverse("beneficiaries:referral_close", args=[referral.pk])
    client.post(url, {"answer": "a"})
    client.post(url, {"answer": "b"})
    referral.refresh_from_db()
    assert referral.answer == "a"
    assert Event.objects.filter(verb="referral_closed").count() == 1


# --- list and search (acceptance 5) ----------------------------------------------------------
@pytest.mark.parametrize("count", [5, 60])
def test_the_list_page_issues_the_same_number_of_queries_at_any_size(
    client_as, intake_user, django_assert_num_queries, count
):
    BeneficiaryFactory.create_batch(count)
    client = client_as(intake_user)
    client.get(LIST)  # warm the session
    # session, user, her groups, count, the permissions given to her alone (the export links
    # ask `perms.reports.export_data`; her roles' come from the code, accounts/backends.py),
    # the page of rows: the same whether 5 or 60 beneficiaries are on the page (the session
    # is renewed at most once a minute, not on every page).
    with django_assert_num_queries(6):
        response = client.get(LIST, {"per_page": 100})
    assert len(response.context["page"]) == count


def test_search_finds_her_by_partial_arabic_name_id_mobile_and_file_number(client_as, intake_user):
    noura = BeneficiaryFactory(full_name="نورة محمد عبدالله العتيبي", mobile="+966501234567")
    BeneficiaryFactory(full_name="هيا سعد ناصر الدوسري")
    client = client_as(intake_user)
    for q in ("العتيب", noura.national_id, "٠٥٠١٢٣٤٥٦٧", noura.file_number):
        page = client.post(LIST, {"q": q}, follow=True).context["page"]
        assert [b.pk for b in page] == [noura.pk], q


def test_list_filters_by_status_marital_status_category_and_city(client_as, intake_user):
    wanted = BeneficiaryFactory(marital_status="divorced", city="جدة")
    wanted.categories.create(category="disability")
    BeneficiaryFactory(marital_status="divorced", city="الرياض")
    BeneficiaryFactory(marital_status="widow", city="جدة")
    page = (
        client_as(intake_user)
        .get(
            LIST,
            {
                "status": "incomplete",
                "marital_status": "divorced",
                "category": "disability",
                "city": "جدة",
            },
        )
        .context["page"]
    )
    assert [b.pk for b in page] == [wanted.pk]


# --- no lost edits (acceptance 6) ------------------------------------------------------------
def _edit_data(beneficiary, **overrides) -> dict:
    return registration_data(
        national_id=beneficiary.national_id,
        mobile=str(beneficiary.mobile),
        version=str(beneficiary.version),
        **{**HOUSEHOLD_MANAGEMENT, "household-TOTAL_FORMS": "0"},
        **overrides,
    )


def test_a_second_save_of_a_stale_form_is_refused_with_what_changed(
    client_as, intake_user, researcher_user
):
    beneficiary = BeneficiaryFactory(city="الرياض")
    url = reverse("beneficiaries:edit", args=[beneficiary.pk])
    first = _edit_data(beneficiary, city="جدة")
    second = _edit_data(beneficiary, city="الدمام", district="الفيصلية")

    assert client_as(intake_user).post(url, first).status_code == 302
    response = client_as(researcher_user).post(url, second)

    beneficiary.refresh_from_db()
    assert response.status_code == 409
    html = response.content.decode()
    assert _escape(EDIT_CONFLICT) in html
    assert "جدة" in html  # what her colleague changed
    assert "الفيصلية" in html  # her own input is kept on the form
    assert (beneficiary.city, beneficiary.version) == ("جدة", 2)
    assert Event.objects.filter(verb="beneficiary_updated").count() == 1


def test_an_edit_saves_changes_bumps_the_version_and_keeps_the_history(client_as, intake_user):
    beneficiary = BeneficiaryFactory()
    url = reverse("beneficiaries:edit", args=[beneficiary.pk])
    client = client_as(intake_user)
    assert client.get(url).status_code == 200
    client.post(url, _edit_data(beneficiary, marital_status="divorced"))
    beneficiary.refresh_from_db()
    assert (beneficiary.marital_status, beneficiary.version) == ("divorced", 2)
    assert beneficiary.history.first().history_user == intake_user
    event = Event.objects.get(verb="beneficiary_updated")
    assert "marital_status" in event.extra["fields"]
