from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from wahaj.lib.hijri import hijri_text


def test_hijri_text_uses_umm_al_qura_in_arabic_and_english():
    assert hijri_text(date(2026, 11, 25), "ar") == "15 جمادى الآخرة 1448 هـ"
    assert hijri_text(date(2026, 11, 25), "en") == "15 Jumada al-Akhirah 1448 AH"


def test_an_aware_datetime_is_read_in_riyadh_time():
    # 22:30 UTC on the 24th is already the 25th in Riyadh (UTC+3).
    moment = datetime(2026, 11, 24, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert hijri_text(moment, "ar") == "15 جمادى الآخرة 1448 هـ"


def test_dual_date_filter_shows_both_calendars():
    with translation.override("ar"):
        html = Template("{{ d|dual_date }}").render(Context({"d": date(2026, 11, 25)}))
    assert "2026" in html
    assert "نوفمبر" in html
    assert "15 جمادى الآخرة 1448 هـ" in html
    assert 'datetime="2026-11-25"' in html


def test_dual_date_of_nothing_is_empty():
    assert Template("{{ d|dual_date }}").render(Context({"d": None})) == ""


def test_a_moment_is_given_to_machines_without_its_microseconds():
    # HTML's <time datetime> allows at most three digits of a fraction of a second.
    moment = datetime(2026, 11, 24, 22, 30, 5, 719284, tzinfo=ZoneInfo("UTC"))
    html = Template("{{ d|dual_date }}").render(Context({"d": moment}))
    assert 'datetime="2026-11-24T22:30:05+00:00"' in html
