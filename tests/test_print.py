"""The four documents people print — her request receipt, her file, the committee's minutes and
the monthly report — print cleanly on A4: no navigation or buttons, the association's header,
nothing wider than the sheet, and Chromium makes a PDF of them."""

import pytest
from django.conf import settings

from accounts.roles import Role
from tests.pages import build_world, page_paths, staff_session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_WIDTH_PX = 794  # 210 mm at 96 px per inch
PRINTED = ["requests_app:receipt", "beneficiaries:detail", "committee:minutes", "reports:monthly"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


def visible(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.getClientRects().length > 0 && "
        "getComputedStyle(e).visibility !== 'hidden').map(e => e.outerHTML.slice(0, 80))",
    )


def test_receipt_file_minutes_and_monthly_report_print_on_a4_without_navigation(
    chromium, live_server, personas
):
    world = build_world(personas)
    paths = page_paths(world)["staff"]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": A4_WIDTH_PX, "height": 1123}
    )
    cookie = staff_session_cookie(personas[Role.MANAGER])
    context.add_cookies([{**cookie, "url": live_server.url}])
    page = context.new_page()
    page.emulate_media(media="print")
    for name in PRINTED:
        response = page.goto(paths[name])
        assert response.status == 200, name
        assert visible(page, "nav, .navbar, footer, .btn, button, main form") == [], name
        header = page.locator(
            ".print-header, .minutes-association, .report-association, [data-testid=receipt] header"
        )
        assert settings.ASSOCIATION_NAME in " ".join(header.all_inner_texts()), name
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), name
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF"), name
    page.emulate_media(media="screen")
    page.goto(paths["beneficiaries:detail"])
    assert visible(page, "nav.navbar"), "the navigation is hidden on screen too"
    context.close()
