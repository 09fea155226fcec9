from django.template import Context, Template
from django.utils import translation


def render(verb: str) -> str:
    with translation.override("ar"):
        return Template("{% load support_requests %}{{ verb|verb_label }}").render(
            Context({"verb": verb})
        )


def test_the_committee_and_window_events_read_as_arabic_sentences_on_her_timeline():
    assert render("research_report_complete") == "اكتمل تقرير البحث الاجتماعي"
    assert render("window_overdue") == "انقضت مهلة القرار: رُفع الأمر إلى الإدارة"


def test_an_unknown_verb_is_shown_as_it_is_rather_than_hidden():
    assert render("something_new") == "something_new"
