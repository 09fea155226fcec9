"""Outreach seen from the portal's side (issue 20): she answers the text message by uploading
the new document from her request's page whatever its state; a research report counts as the
file's review. (Here, not in outreach/tests: these reach into the portal and the committee,
which sit beside or above outreach.)"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Document, RegistrationStatus
from beneficiaries.tests.factories import PDF_BYTES, BeneficiaryFactory, DocumentFactory
from beneficiaries.tests.helpers import documents_post
from committee.tests.factories import request_before_committee
from outreach.models import OutreachTask
from outreach.services import outreach_sweep
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db
State = SupportRequest.State
Kind = OutreachTask.Kind


def _expiring_id(her):
    return DocumentFactory(
        beneficiary=her,
        doc_type="national_id",
        expires_on=timezone.localdate() + timedelta(days=10),
    )


def _active_file(months_ago: int):
    return BeneficiaryFactory(
        registration_status=RegistrationStatus.ACTIVE,
        created_at=timezone.now() - timedelta(days=31 * months_ago),
    )


def test_a_research_report_counts_as_a_review_and_closes_the_task(
    settings, researcher_user, intake_user
):
    settings.REASSESSMENT_MONTHS = 12
    stale = _active_file(13)
    outreach_sweep()
    task = OutreachTask.objects.get(kind=Kind.REASSESSMENT)
    request_before_committee(researcher=researcher_user, intake=intake_user, beneficiary=stale)
    assert outreach_sweep().closed == 1
    task.refresh_from_db()
    assert task.status == OutreachTask.Status.DONE
    assert outreach_sweep().reassessments == 0  # reviewed just now


def test_once_told_she_uploads_the_new_document_while_her_request_is_in_research(
    portal_client,
):
    her = BeneficiaryFactory()
    support_request = request_in_state(State.IN_RESEARCH, beneficiary=her)
    url = reverse("portal:request_document", args=[support_request.pk])
    row = {"doc_type": "national_id", "expires_on": "2035-01-01"}

    def upload():
        pdf = SimpleUploadedFile("id.pdf", PDF_BYTES, content_type="application/pdf")
        return client.post(url, documents_post("doc", {**row, "file": pdf}))

    client = portal_client(her)
    upload()
    assert not her.documents.exists()  # not told: the request is not open to uploads

    _expiring_id(her)
    outreach_sweep()
    page = client.get(reverse("portal:request_detail", args=[support_request.pk]))
    assert 'data-testid="upload-form"' in page.content.decode()
    upload()
    assert her.documents.filter(doc_type=Document.DocType.NATIONAL_ID).count() == 2
    assert outreach_sweep().closed == 1
