"""An outside tool checks the API against its own schema (issue 22): schemathesis generates
calls to every operation of /api/v1/schema/ with a staff token (a manager's: every role) and
fails on any 5xx, any status the schema does not list, and any body or content type that does
not match it. Few examples per operation, so that CI stays short."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db
MAX_EXAMPLES = 8

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def loaded_schema(settings, world):
    # One address and one token make every call: their budgets are not what is tested here.
    settings.API_RATE_PER_TOKEN = "100000/min"
    settings.API_RATE_PER_ADDRESS = "100000/min"
    settings.SMS_RECEIPT_SECRETS = {"unifonic": "receipt-secret"}
    # The calls go through the real WSGI handler, whose end of request closes a connection that
    # is inside a transaction (the test's): keep it open, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_matches_its_schema(loaded_schema, token_for, manager_user):
    headers = {"Authorization": f"Bearer {token_for(manager_user)}"}
    operations = [result.ok() for result in loaded_schema.get_all_operations()]
    assert len(operations) >= 25
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as failure:  # noqa: BLE001 - every operation reports, then one fails
            failures.append(f"{operation.label}: {failure}")
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
