from django.template import Context, Template
from django.utils import translation


def render(verb: str) -> str:
    with translation.override("ar"):
        return Template("{{ verb|verb_label }}").render(Context({"verb": verb}))


def test_the_committee_and_window_events_read_as_arabic_sentences_on_her_timeline():
    assert render("research_report_complete") == "اكتمل تقرير البحث الاجتماعي"
    assert render("window_overdue") == "انقضت مهلة القرار: رُفع الأمر إلى الإدارة"
    assert render("document_added") == "أُضيف مستند"


def test_an_unknown_verb_reads_as_a_recorded_action_never_as_code():
    assert render("something_new") == "إجراء مسجّل"
