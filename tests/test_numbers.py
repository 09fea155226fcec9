"""One way to write a number per language (issue 16, item 6).

The dashboard, the monthly report, the survey results and the committee's pages are rendered
with the demo data (`seed_demo`) in Arabic and English, with Western and Arabic-Indic display
digits. Every number goes through the `number` filter, so a page never holds a decimal comma
("3,74", "64,5%": Django's Arabic locale) beside a thousands comma ("1,200.00"), a thousands
point ("1.200"), or an amount without its separator ("1500.00").
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from committee.models import Meeting
from reports.selectors import Month
from tests.pages import staff_session_cookie
from tests.test_code_words import read_text

pytestmark = pytest.mark.django_db

# Western digits: "1,234.50" only. Arabic-Indic: "١٬٢٣٤٫٥٠" only.
MIXED = {
    "latin": {
        "decimal comma": re.compile(r"(?<![\d,])\d{1,3},\d{1,2}(?![\d٫])"),
        "thousands point": re.compile(r"\d\.\d{3}(?!\d)"),
        "amount without separator": re.compile(r"(?<![\d,.\-/])\d{4,}\.\d"),
    },
    "arabic": {
        "Western separator between Arabic-Indic digits": re.compile(r"[٠-٩][.,][٠-٩]"),
        "amount without separator": re.compile(r"(?<![٠-٩٬])[٠-٩]{4,}٫"),
    },
}


def mixed_numbers(text: str, digits: str) -> dict[str, list[str]]:
    found = {name: pattern.findall(text) for name, pattern in MIXED[digits].items()}
    return {name: hits for name, hits in found.items() if hits}


def test_the_check_finds_a_decimal_comma_beside_a_thousands_comma():
    planted = "<p>نسبة الرضا 64,5% · المتوسط 3,74 · المبلغ 1,200.00 · 1500.00</p>"
    assert mixed_numbers(read_text(planted), "latin") == {
        "decimal comma": ["64,5", "3,74"],
        "amount without separator": ["1500.0"],
    }
    assert mixed_numbers("1,200.00 · 64.5% · WHJ-2026-000123 · 12:30", "latin") == {}
    assert mixed_numbers("١٬٢٠٠٫٠٠ و١,٢", "arabic") == {
        "Western separator between Arabic-Indic digits": ["١,٢"]
    }


def pages() -> list[str]:
    this_month = Month.of(timezone.localdate())
    paths = [
        reverse("reports:dashboard"),
        reverse("reports:monthly") + f"?month={this_month}",
        reverse("reports:monthly") + f"?month={this_month.previous()}",
        reverse("surveys:results"),
        reverse("committee:queue"),
        reverse("committee:scoring"),
    ]
    for meeting in Meeting.objects.all():
        paths += [
            reverse("committee:meeting", args=[meeting.pk]),
            reverse("committee:minutes", args=[meeting.pk]),
        ]
    return paths


@pytest.mark.parametrize("digits", ["latin", "arabic"])
def test_the_dashboard_reports_and_committee_pages_write_numbers_one_way(settings, digits):
    settings.WAHAJ_DEMO_PASSWORD = "demo-password-for-tests-2026"
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.DISPLAY_DIGITS = digits
    call_command("seed_demo", beneficiaries=60, verbosity=0)
    session = staff_session_cookie(User.objects.get(username="manager"))
    found, numbers = {}, 0
    for language in ("ar", "en"):
        for path in pages():
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            client.cookies[session["name"]] = session["value"]
            response = client.get(path)
            assert response.status_code == 200, path
            text = read_text(response.content.decode())
            numbers += len(re.findall(r"[\d٠-٩]+[.,٫٬][\d٠-٩]+", text))
            page_digits = digits if language == "ar" else "latin"
            for name, hits in mixed_numbers(text, page_digits).items():
                found[f"{language} {path} {name}"] = hits
    assert numbers > 20  # the demo data gives the pages amounts and rates to write
    assert found == {}
