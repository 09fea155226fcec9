"""The records of processing, generated from the models (PDPL)."""

import pytest
from django.urls import reverse

from privacy.processing import PROCESSING, personal_data_models, processing_records

PAGE = reverse("privacy:processing")


def test_every_model_holding_her_data_declares_its_purpose():
    undeclared = [m._meta.label for m in personal_data_models() if m._meta.label not in PROCESSING]
    assert undeclared == [], "declare their purpose in privacy/processing.py: PROCESSING"


@pytest.mark.django_db
def test_the_records_list_her_fields_flag_identifiers_and_health_and_name_retention(settings):
    settings.RETENTION_YEARS = 7
    record = next(r for r in processing_records() if r.label == "beneficiaries.Beneficiary")
    fields = {f.name: f for f in record.fields}
    assert fields["national_id"].identifier
    assert fields["health_notes"].sensitive
    assert not fields["city"].identifier
    assert "7" in record.retention
    assert record.purpose


@pytest.mark.django_db
def test_a_manager_reads_the_records_of_processing(client_as, manager_user):
    response = client_as(manager_user).get(PAGE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "beneficiaries.Beneficiary" in body
    assert "رقم الهوية أو الإقامة" in body  # the field's own label, from the model


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["intake_user", "researcher_user", "member_user", "chair_user"])
def test_only_managers_read_the_records_of_processing(client_as, request, role):
    assert client_as(request.getfixturevalue(role)).get(PAGE).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    assert client.get(PAGE).status_code == 302
