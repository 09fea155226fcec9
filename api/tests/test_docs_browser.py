"""The API's documentation page works in a browser from the project's own static files (issue
22): Swagger UI (drf-spectacular-sidecar) draws every operation of the schema, and nothing is
fetched from another origin (no CDN)."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_documentation_page_draws_the_schema_without_a_cdn(page, live_server):
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.goto(reverse("api:docs"))
    page.wait_for_selector("text=/api/v1/requests/{id}/withdraw/")
    assert page.locator(".opblock").count() >= 25
    assert page.locator("text=Wahaj API").count() >= 1
    assert origins == {urlsplit(live_server.url).netloc}
