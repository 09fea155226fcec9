"""Arabic unless she or he chose English (issue 16, item 8): the first visit is Arabic whatever
the browser asks for, the switch is remembered; the dashboard's charts read from the right in
Arabic and show every label; months read as names in both calendars; the researcher filter
lists people by name."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from tests.pages import staff_session_cookie

pytestmark = pytest.mark.django_db


def test_an_english_browser_first_gets_arabic(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl"' in response.content.decode()


def test_the_language_she_chose_is_remembered_for_a_year_whatever_the_browser_says(
    client, settings
):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["max-age"] == 365 * 24 * 3600

    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ar-SA,ar;q=0.9")
    assert '<html lang="en" dir="ltr"' in page.content.decode()


def test_the_monthly_report_names_its_month_in_both_calendars(client_as, manager_user, settings):
    client = client_as(manager_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    arabic = client.get(reverse("reports:monthly") + "?month=2026-11").content.decode()
    assert "نوفمبر 2026 — جمادى الأولى – جمادى الآخرة 1448 هـ" in arabic
    assert ">2026-11<" not in arabic
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("reports:monthly") + "?month=2026-11").content.decode()
    assert "November 2026 — Jumada al-Ula – Jumada al-Akhirah 1448 AH" in english


def test_the_researcher_filter_lists_full_names_not_usernames(
    client_as, intake_user, researcher_user
):
    researcher_user.first_name, researcher_user.last_name = "هيفاء", "القحطاني"
    researcher_user.save(update_fields=["first_name", "last_name"])
    html = client_as(intake_user).get(reverse("requests_app:list")).content.decode()
    assert f'<option value="{researcher_user.pk}">هيفاء القحطاني</option>' in html
    assert researcher_user.username not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_charts_read_from_the_right_and_show_every_label(page, live_server, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    call_command("seed_demo", beneficiaries=30, verbosity=0)
    manager = User.objects.filter(groups__name=Role.MANAGER).first()
    cookie = staff_session_cookie(manager)
    page.context.add_cookies(
        [
            {**cookie, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": live_server.url},
        ]
    )
    page.goto(reverse("reports:dashboard"))
    charts = page.evaluate(
        """() => [...document.querySelectorAll("canvas[data-chart]")].map(canvas => {
            const chart = Chart.getChart(canvas);
            const x = chart.scales.x, y = chart.scales.y;
            return x ? {labels: chart.data.labels.length, ticks: x.ticks.length,
                        y: y.position, right: y.left > x.left} : null;
        }).filter(Boolean)"""
    )
    assert charts, "no bar chart on the dashboard"
    for chart in charts:
        assert chart["ticks"] == chart["labels"]  # no label skipped
        assert chart["y"] == "right"
        assert chart["right"]
