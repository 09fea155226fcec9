"""Writes go through the apps' services, reads through their selectors, with the pages'
checks, masks and access records (issue 22)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import translation

from audit.models import Event
from beneficiaries.models import Document, FileAccess
from beneficiaries.tests.factories import PDF_BYTES
from beneficiaries.uploads import DOCUMENT_TYPE_REFUSED
from committee.models import Vote
from requests_app import views as request_views
from requests_app.models import SupportRequest
from wahaj.lib.masking import mask_identifier

pytestmark = pytest.mark.django_db
State = SupportRequest.State


@pytest.mark.parametrize("action", list(request_views.ACTIONS))
def test_each_transition_has_its_endpoint_calling_the_pages_service(action, world):
    url = reverse(f"api:request_{action}", args=[world["request"].pk])
    assert url.endswith(f"/{action.replace('_', '-')}/")
    view = resolve(url).func.view_class
    assert view.action == action
    assert request_views.ACTIONS[view.action][1].__name__ == f"support_request_{action}"


def test_a_transition_through_the_api_is_the_services_audited_move(api_as, researcher_user, world):
    submitted = world["submitted"]
    response = api_as(researcher_user).post(
        reverse("api:request_start_research", args=[submitted.pk]), {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == State.IN_RESEARCH
    event = Event.objects.get(verb="start_research", object_id=submitted.pk)
    assert event.actor == researcher_user
    assert (event.old_state, event.new_state) == (State.SUBMITTED, State.IN_RESEARCH)


def test_a_refused_transition_answers_409_with_the_services_words(api_as, intake_user, world):
    with translation.override("en"):
        response = api_as(intake_user).post(
            reverse("api:request_close", args=[world["request"].pk]),
            {},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 409
    assert response.json()["detail"]
    world["request"].refresh_from_db()
    assert world["request"].state == State.IN_COMMITTEE


def test_a_document_upload_has_the_pages_content_checks(api_as, intake_user, world):
    api = api_as(intake_user)
    url = reverse("api:documents", args=[world["her"].pk])
    disguised = SimpleUploadedFile("id.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 216)
    response = api.post(url, {"doc_type": "family_card", "file": disguised}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"] == [str(DOCUMENT_TYPE_REFUSED)]
    before = Document.objects.count()
    pdf = SimpleUploadedFile("كرت.pdf", PDF_BYTES, content_type="application/pdf")
    response = api.post(url, {"doc_type": "family_card", "file": pdf}, format="multipart")
    assert response.status_code == 201
    assert Document.objects.count() == before + 1
    assert response.json()["content_type"] == "application/pdf"
    assert Event.objects.filter(verb="document_added", actor=intake_user).count() == 1


def test_a_document_read_through_the_api_is_recorded_as_the_page_records_it(
    api_as, member_user, world
):
    her, document = world["her"], world["document"]
    response = api_as(member_user).get(reverse("api:document_file", args=[her.pk, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document.file.open("rb").read()
    access = FileAccess.objects.get(kind=FileAccess.Kind.DOCUMENT, user=member_user)
    assert (access.beneficiary_id, access.document_id) == (her.pk, document.pk)


def test_identifiers_are_masked_as_on_the_pages(
    api_as, intake_user, member_user, manager_user, world
):
    her = world["her"]
    whole, masked = her.national_id, mask_identifier(her.national_id)
    rows = api_as(intake_user).get(reverse("api:beneficiaries")).json()["results"]
    assert rows[0]["national_id"] == masked  # the list: only with the identifiers permission
    rows = api_as(manager_user).get(reverse("api:beneficiaries")).json()["results"]
    assert rows[0]["national_id"] == whole
    file = api_as(intake_user).get(reverse("api:beneficiary", args=[her.pk])).json()
    assert file["national_id"] == whole  # her file: intake serve her with it
    file = api_as(member_user).get(reverse("api:beneficiary", args=[her.pk])).json()
    assert file["national_id"] == masked
    assert file["iban"].endswith(her.iban[-4:])
    assert her.iban not in str(file)
    assert FileAccess.objects.filter(kind=FileAccess.Kind.FILE, user=member_user).count() == 1


def test_the_search_is_posted_never_in_the_address(api_as, intake_user, world):
    api = api_as(intake_user)
    url = reverse("api:beneficiary_search")
    found = api.post(url, {"q": world["her"].national_id}, format="json").json()
    assert [row["id"] for row in found] == [world["her"].pk]
    assert api.get(url, {"q": world["her"].national_id}).status_code == 405


def test_a_member_votes_through_the_api(api_as, member_user, world):
    item = world["item"]
    response = api_as(member_user).post(
        reverse("api:vote", args=[item.pk]), {"choice": "approve", "amount": "500"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Vote.objects.get(agenda_item=item, member=member_user).choice == "approve"


def test_the_status_lookup_shares_the_pages_rate_limits(world, settings, client):
    from rest_framework.test import APIClient

    settings.PORTAL_STATUS_RATE_PER_REFERENCE = "2/h"
    data = {"reference": world["request"].reference, "national_id": world["her"].national_id}
    api = APIClient()
    answers = [api.post(reverse("api:status"), data, format="json").status_code for _ in range(2)]
    assert answers == [200, 200]
    assert api.post(reverse("api:status"), data, format="json").status_code == 429
    assert client.post(reverse("portal:status"), data).status_code == 429  # one counter


def test_the_status_lookup_answers_a_wrong_pair_like_the_page(world):
    from rest_framework.test import APIClient

    data = {"reference": world["request"].reference, "national_id": "1000000008"}
    response = APIClient().post(reverse("api:status"), data, format="json")
    assert response.status_code == 404
    assert world["her"].national_id not in response.content.decode()


def test_survey_aggregates_withhold_groups_under_five(api_as, manager_user):
    from surveys.tests.factories import answered, in_last_month, satisfied_answers

    for _ in range(3):
        answered(satisfied_answers(), submitted_at=in_last_month())
    api = api_as(manager_user)
    body = api.get(reverse("api:survey_results")).json()
    assert body["overall"]["withheld"] is True
    assert body["overall"]["csat"] is None
    assert body["overall"]["responses"] is None
    for _ in range(2):
        answered(satisfied_answers(), submitted_at=in_last_month())
    body = api.get(reverse("api:survey_results")).json()
    assert body["overall"]["withheld"] is False
    assert body["overall"]["responses"] == 5
    assert body["overall"]["csat"] == 100.0
