"""Issue 19: what the researcher wrote about her household is stored encrypted."""

import pytest
from django.db import connection

from committee import services
from committee.models import ResearchReport
from committee.tests.factories import REPORT, request_in_research
from wahaj.lib.crypto import decrypt, is_token

TEXTS = ["household_findings", "income_findings", "housing_findings", "needs"]


@pytest.mark.django_db
def test_the_research_report_free_text_is_ciphertext_in_the_table_and_plain_on_the_page(
    researcher_user, intake_user
):
    support_request = request_in_research(researcher=researcher_user, intake=intake_user)
    report = services.research_report_save(
        actor=researcher_user, support_request=support_request, data=REPORT, complete=False
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, TEXTS))}, health_findings"  # noqa: S608
            f" FROM {quote(ResearchReport._meta.db_table)} WHERE id = %s",
            [report.pk],
        )
        *stored, health = cursor.fetchone()
    assert all(is_token(value) for value in stored)
    assert [decrypt(value) for value in stored] == [REPORT[name] for name in TEXTS]
    assert health == ""  # blank stays blank
    report.refresh_from_db()
    assert report.household_findings == REPORT["household_findings"]
