import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.pages import staff_session_cookie


@pytest.mark.django_db(transaction=True)
def test_shot(page, live_server, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    call_command("seed_demo", beneficiaries=60, verbosity=0)
    manager = User.objects.filter(groups__name=Role.MANAGER).first()
    cookie = staff_session_cookie(manager)
    for lang in ("ar", "en"):
        page.context.add_cookies([{**cookie, "url": live_server.url}, {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url}])
        page.goto(reverse("reports:dashboard"))
        page.locator("canvas[data-chart]").first.scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/h5_dash_{lang}.png", full_page=True)
        page.goto(reverse("reports:monthly"))
        page.screenshot(path=f"/tmp/h5_monthly_{lang}.png", full_page=False)
