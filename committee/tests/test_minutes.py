"""The minutes (محضر اجتماع): the print page and the Arabic PDF, frozen when the meeting closes."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

from committee import selectors, services
from committee.models import Decision, Meeting
from committee.tests.factories import open_meeting, votes_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_meeting(committee, before_committee):
    """Meeting no. 12: one request approved, one rejected, then closed."""
    Meeting.objects.bulk_create(
        Meeting(committee=committee, number=n, date=date(2026, 1, n)) for n in range(1, 12)
    )
    approved, rejected = before_committee(), before_committee()
    meeting = open_meeting(committee=committee, requests=[approved, rejected])
    items = {item.support_request_id: item for item in meeting.agenda_items.all()}
    votes_for(meeting, approved, "approve")
    votes_for(meeting, rejected, "reject")
    services.decision_record(
        actor=committee.chair,
        agenda_item=items[approved.pk],
        outcome="approved",
        approved_amount=800,
        support_type="food_basket",
    )
    services.decision_record(
        actor=committee.chair,
        agenda_item=items[rejected.pk],
        outcome="rejected",
        rejection_code="income_above_threshold",
        rejection_reason="الدخل يكفي",
    )
    services.meeting_close(actor=committee.chair, meeting=meeting)
    return meeting, approved, rejected


def arabic(label) -> str:
    with translation.override("ar"):
        return str(label)


def test_the_minutes_page_lists_each_request_with_its_decision_and_the_attendees(
    client_as, committee, closed_meeting
):
    meeting, approved, rejected = closed_meeting
    response = client_as(committee.chair).get(reverse("committee:minutes", args=[meeting.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "محضر" in html
    assert approved.reference in html
    assert rejected.reference in html
    assert arabic(Decision.Outcome.APPROVED.label) in html
    assert arabic(Decision.Outcome.REJECTED.label) in html
    assert committee.chair.display_name in html
    assert "هـ" in html  # the Hijri date beside the Gregorian one


# Directional marks an extractor may add around runs of digits or Latin letters.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _pdf_text(content: bytes) -> tuple[str, str]:
    """The text as pypdf and as pdftotext (poppler) extract it, without directional marks."""
    pypdf_text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    poppler = shutil.which("pdftotext")
    poppler_text = ""
    if poppler:
        poppler_text = subprocess.run(
            [poppler, "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
    return BIDI_CONTROLS.sub("", pypdf_text), BIDI_CONTROLS.sub("", poppler_text)


def test_the_minutes_pdf_is_arabic_text_in_logical_order_with_the_meeting_number(
    client_as, committee, closed_meeting
):
    meeting, approved, _ = closed_meeting
    response = client_as(committee.chair).get(reverse("committee:minutes_pdf", args=[meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(content)).pages) >= 1

    approved_word = arabic(Decision.Outcome.APPROVED.label)
    rejected_word = arabic(Decision.Outcome.REJECTED.label)
    texts = [text for text in _pdf_text(content) if text]
    assert texts
    for text in texts:
        # The number in its brackets (an extractor may give the mirrored glyphs of RTL).
        assert meeting.number == 12
        assert re.search(r"[()]\s*12\b|\b12\s*[()]", text), text
        # Logical order: the words read as written, not reversed glyph by glyph.
        assert approved_word in text, text
        assert rejected_word in text, text
        assert approved_word[::-1] not in text
        assert approved.reference in text


def test_closing_freezes_the_minutes_a_later_change_does_not_reach_them(
    client_as, committee, closed_meeting
):
    meeting, *_ = closed_meeting
    committee.name = "لجنة أعيدت تسميتها"
    committee.save()
    html = client_as(committee.chair).get(reverse("committee:minutes", args=[meeting.pk]))
    assert "لجنة أعيدت تسميتها" not in html.content.decode()


# Short vowels and shadda: an extractor may move them off the letter they sit on.
HARAKAT = re.compile("[\u064b-\u0652]")


def bare(text: str) -> str:
    return HARAKAT.sub("", text)


def test_the_minutes_pdf_gives_every_members_vote_on_every_item(
    client_as, committee, members, before_committee
):
    """Each member by a name of her own, each item voted differently, one recusal."""
    for user, name in zip(
        [committee.chair, *members], ["نورة", "هيفاء", "مها", "ريم"], strict=True
    ):
        user.first_name, user.last_name = name, "العتيبي"
        user.save(update_fields=["first_name", "last_name"])
    first, second = before_committee(), before_committee()
    meeting = open_meeting(committee=committee, requests=[first, second])
    items = {item.support_request_id: item for item in meeting.agenda_items.all()}
    choices = {
        first.pk: ["approve", "approve", "abstain", "approve"],
        second.pk: ["reject", "recuse", "reject", "approve"],
    }
    for pk, row in choices.items():
        for user, choice in zip([committee.chair, *members], row, strict=True):
            services.vote_cast(actor=user, agenda_item=items[pk], choice=choice)
    services.meeting_close(actor=committee.chair, meeting=meeting)

    response = client_as(committee.chair).get(reverse("committee:minutes_pdf", args=[meeting.pk]))
    words = {key: bare(arabic(label)) for key, label in selectors.VOTE_WORDS.items()}
    for text in (bare(text) for text in _pdf_text(response.content) if text):
        votes = text.split(arabic(_("Votes")))[1]
        sections = votes.split(second.reference)
        assert len(sections) == 2, text
        for section, support_request in zip(sections, [first, second], strict=True):
            for name in ["نورة", "هيفاء", "مها", "ريم"]:
                assert name in section, (name, section)
            for key, word in words.items():
                # Each vote once, and the tally line names every choice once more.
                expected = choices[support_request.pk].count(key) + 1
                assert section.count(word) == expected, (word, section)
