"""PostgreSQL restarting mid-request: a clean 503 page, nothing half-saved, then service resumes.

The shared server is never restarted: killing this test's own backend (pg_terminate_backend)
is exactly what a restart does to a connection.
"""

import pytest
from django.db import connection
from django.urls import reverse

from beneficiaries.models import Beneficiary
from beneficiaries.tests.helpers import registration_data
from tests.urls_db_lost import terminate_backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NEW = reverse("beneficiaries:create")


@pytest.fixture(autouse=True)
def _fresh_connection_after():
    yield
    connection.close()  # never hand a killed connection to the next test


def _kill_this_connection() -> None:
    connection.ensure_connection()
    terminate_backend(connection.connection.info.backend_pid)


def test_a_form_posted_while_the_database_restarts_gets_a_503_page_and_nothing_is_saved(
    client_as, intake_user
):
    client = client_as(intake_user)
    client.raise_request_exception = False
    assert client.get(NEW).status_code == 200
    _kill_this_connection()

    response = client.post(NEW, registration_data())

    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "الخدمة غير متاحة مؤقتاً" in body
    assert "Traceback" not in body
    assert "OperationalError" not in body
    assert not Beneficiary.objects.exists()
    # The broken connection was dropped: the very next request is served.
    assert client.get(NEW).status_code == 200


@pytest.mark.urls("tests.urls_db_lost")
def test_a_connection_lost_between_two_writes_of_one_change_rolls_back_both(client, caplog):
    client.raise_request_exception = False

    response = client.get("/write-twice/")

    assert response.status_code == 503
    assert "Traceback" not in response.content.decode()
    assert not Beneficiary.objects.filter(full_name__contains="الانقطاع").exists()
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


def test_readyz_names_the_database_when_its_connection_is_gone(client):
    _kill_this_connection()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
