"""In headless Chromium: the manager's charts draw from local files under the CSP."""

import pytest

from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_dashboard_draws_its_charts_without_a_csp_violation(
    page, browser_login, manager_user, live_server
):
    request_in_state(SupportRequest.State.SUBMITTED)
    request_in_state(SupportRequest.State.IN_COMMITTEE, channel="website", due_in_days=-1)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    browser_login(manager_user)
    page.wait_for_url("**/")
    page.locator("[data-testid=manager-figures]").wait_for()
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length === 3")
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every(c => window.Chart && Chart.getChart(c) !== undefined)"
    )
    assert drawn
    figures = page.locator("[data-testid=manager-figures]")
    assert figures.locator("[data-testid=overdue]").inner_text().strip() == "1"
    missing = [url for url in missing if not url.endswith("/favicon.ico")]
    assert missing == []
    assert [e for e in errors if "Failed to load resource" not in e] == []  # CSP, JS errors
    assert all(url.startswith(live_server.url) for url in fetched)  # nothing from a CDN
