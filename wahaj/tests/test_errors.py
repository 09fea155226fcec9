import re

import pytest


@pytest.mark.urls("wahaj.tests.urls_error")
def test_a_server_error_shows_an_arabic_page_with_an_incident_number_and_no_traceback(
    client, caplog
):
    client.raise_request_exception = False
    response = client.get("/broken/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "حدث خطأ" in body
    assert "Traceback" not in body
    assert "1000000008" not in body
    incident = re.search(r'<bdi dir="ltr">([0-9A-F]{10})</bdi>', body).group(1)
    assert any(incident in record.getMessage() for record in caplog.records)


def test_an_unknown_page_is_a_plain_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "الصفحة غير موجودة" in response.content.decode()
