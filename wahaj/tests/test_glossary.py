"""One Arabic word per concept (issue 16, item 7): no word docs/glossary.md forbids appears in
the Arabic catalogue or in a template, and counts of days read naturally in all six forms."""

import re
from pathlib import Path

import polib
from django.utils import translation
from django.utils.translation import ngettext

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "locale" / "ar" / "LC_MESSAGES" / "django.po"


def forbidden_words(glossary: str) -> set[str]:
    """The «words» of the table's "Not to use" column (its third)."""
    words = set()
    for line in glossary.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 3:
            words.update(re.findall(r"«([^»]+)»", cells[2]))
    return words


def uses(words: set[str], texts: dict[str, str]) -> dict[str, list[str]]:
    """`{where: [forbidden words found]}` over `texts` (`{where: text}`)."""
    found = {where: sorted(w for w in words if w in text) for where, text in texts.items()}
    return {where: hits for where, hits in found.items() if hits}


def catalogue_texts(path: Path) -> dict[str, str]:
    texts = {}
    for entry in polib.pofile(str(path)):
        translations = [entry.msgstr, *entry.msgstr_plural.values()]
        texts[f"msgid {entry.msgid!r}"] = "\n".join(t for t in translations if t)
    return texts


def template_texts() -> dict[str, str]:
    files = [p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt")]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}


def test_the_glossary_forbids_the_words_the_issue_found():
    words = forbidden_words(GLOSSARY.read_text(encoding="utf-8"))
    assert {"كرت العائلة", "اللجنة الاجتماعية", "مسؤول البحث الاجتماعي"} <= words
    assert {"المستفيد الحقيقي", "بقي 0 يوم", "موعد القرار في موعد أقصاه"} <= words


def test_the_check_finds_a_forbidden_word_planted_in_a_catalogue(tmp_path):
    planted = tmp_path / "django.po"
    planted.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Family card"\nmsgstr "كرت العائلة"\n',
        encoding="utf-8",
    )
    words = forbidden_words(GLOSSARY.read_text(encoding="utf-8"))
    assert uses(words, catalogue_texts(planted)) == {"msgid 'Family card'": ["كرت العائلة"]}


def test_no_translation_uses_a_word_the_glossary_forbids():
    words = forbidden_words(GLOSSARY.read_text(encoding="utf-8"))
    assert uses(words, catalogue_texts(CATALOGUE)) == {}


def test_no_template_uses_a_word_the_glossary_forbids():
    words = forbidden_words(GLOSSARY.read_text(encoding="utf-8"))
    assert uses(words, template_texts()) == {}


def test_days_left_read_in_each_of_the_six_arabic_plural_forms():
    def days_left(n: int) -> str:
        return ngettext("%(days)s day left", "%(days)s days left", n) % {"days": n}

    with translation.override("ar"):
        assert [days_left(n) for n in (0, 1, 2, 3, 11, 100)] == [
            "لم يبقَ أي يوم",
            "بقي يوم واحد",
            "بقي يومان",
            "بقيت 3 أيام",
            "بقي 11 يومًا",
            "بقي 100 يوم",
        ]
