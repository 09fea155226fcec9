"""No code words where people read (issue 16, item 5).

Every page of `tests/pages.py` (each role that may open it, the beneficiary, a visitor) and
every message template of `templates/notifications/` is rendered in Arabic and in English with
demo-like data; what a person reads — the text, and the `title`, `aria-label`, `placeholder`
and `alt` attributes — must hold no `snake_case` token (`document_added`, `request_received`)
and, on Arabic pages, no raw choice value (`rent`, `approved`): each goes through its label.
Identifiers (references, file numbers, IDs, phones) hold neither, so they need no exception;
e-mail addresses and URLs are removed before the check.
"""

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from audit.models import Event
from notifications.models import Message
from notifications.rendering import LANGUAGES, render
from requests_app.models import RequestType, SupportRequest
from requests_app.services import support_request_decide
from requests_app.tests.factories import request_in_state
from tests.pages import (
    build_world,
    page_paths,
    portal_pending_cookie,
    portal_session_cookie,
    staff_session_cookie,
)

pytestmark = pytest.mark.django_db

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# E-mail addresses, URLs, paths and file extensions ("(.xlsx)") are not words.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|/[\w/.?=&%-]*|\.[a-z]{3,4}\b")
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
ROLE_ORDER = [Role.MANAGER, Role.CHAIR, Role.COMMITTEE, Role.RESEARCHER, Role.INTAKE]


class ReadText(HTMLParser):
    """The text a person reads on a page, without scripts and styles, and without identifiers:
    what `{% ltr %}` isolates (`<bdi dir="ltr">`) is typed or copied exactly as stored."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.bdi: list[bool] = []  # open <bdi> elements: is each an identifier?

    def handle_starttag(self, tag: str, attrs: list) -> None:
        identifier = tag == "bdi" and ("dir", "ltr") in attrs
        if tag == "bdi":
            self.bdi.append(identifier)
        if tag in ("script", "style", "template") or identifier:
            self.skip += 1
        self.parts.extend(value or "" for name, value in attrs if name in READ_ATTRIBUTES)

    def handle_endtag(self, tag: str) -> None:
        closing = tag in ("script", "style", "template") or (tag == "bdi" and self.bdi.pop())
        if closing and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def read_text(html: str) -> str:
    parser = ReadText()
    parser.feed(html)
    return NOT_WORDS.sub(" ", " ".join(parser.parts))


def raw_choice_values() -> set[str]:
    """Every stored choice value of the project's models that is a lowercase word."""
    ours = {Path(settings.BASE_DIR) / name for name in ("wahaj", "accounts", "audit")}
    values = set()
    for model in apps.get_models():
        app_path = Path(model._meta.app_config.path)
        if app_path.parent != Path(settings.BASE_DIR) and app_path not in ours:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]+", value):
                    values.add(value)
    return values


def code_words(text: str, language: str, choices: set[str]) -> set[str]:
    found = set(SNAKE_CASE.findall(text))
    if language == "ar":
        found |= {word for word in re.findall(r"\b[a-z]+\b", text) if word in choices}
    return found


def test_the_check_finds_a_planted_code_word():
    choices = {"rent", "approved"}
    planted = '<p title="x">تمت الموافقة بمبلغ 7,500 ريال (rent)</p><p>document_added</p>'
    assert code_words(read_text(planted), "ar", choices) == {"rent", "document_added"}
    clean = (
        '<p><bdi dir="ltr">WHJ-2026-000123</bdi> · <a href="/requests/1/">rent support</a>'
        ' noura@example.org <bdi dir="ltr">nora_1990</bdi> <bdi>نورة</bdi></p>'
    )
    assert code_words(read_text(clean), "en", choices) == set()


def fetch(cookie: dict | None, language: str, path: str) -> tuple[int, str]:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if cookie:
        client.cookies[cookie["name"]] = cookie["value"]
    response = client.get(path)
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def test_no_page_shows_a_code_word_in_either_language(personas, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    world = build_world(personas)
    pages = page_paths(world)
    choices = raw_choice_values()
    audiences = [(staff_session_cookie(personas[r]), pages["staff"]) for r in ROLE_ORDER] + [
        (None, {**pages["public"], "login": pages["staff"]["login"]}),
        (portal_session_cookie(world.her), pages["portal"]),
        (portal_pending_cookie(world.her), pages["pending"]),
        (staff_session_cookie(personas[Role.MANAGER], verified=False), pages["unverified"]),
    ]
    found, read = {}, set()
    for language in ("ar", "en"):
        for cookie, group in audiences:
            for label, path in group.items():
                status, html = fetch(cookie, language, path)
                if status != 200:
                    continue
                read.add((language, label))
                text = read_text(html)
                for word in code_words(text, language, choices):
                    # The words around it, to find where it comes from.
                    at = re.search(rf"\b{word}\b", text).start()
                    found[f"{language} {label}: {word}"] = " ".join(
                        text[max(0, at - 60) : at + 40].split()
                    )
    every_label = {label for group in pages.values() for label in group}
    assert {label for _lang, label in read} == every_label
    assert found == {}


# What the messages are sent with, as the services queue them (the outbox stores JSON strings;
# a support type arrives as its label: see the decision test below).
MESSAGE_CONTEXT = {
    "name": "نورة",
    "reference": "WHJ-2026-000123",
    "file_number": "B-000123",
    "code": "482913",
    "minutes": 5,
    "approved_amount": "7500.00",
    "support_type": "إيجار",
    "rejection_reason": "الدخل أعلى من الحد",
    "missing": "صورة سجل الأسرة",
    "delivered": "سلة غذائية",
    "reason": "الإجراءات غير واضحة لها",
    "due_date": "2026-12-09",
    "visit_date": "2026-12-01",
    "window_start": "09:00",
    "window_end": "12:00",
    "address": "حي النسيم، الرياض",
    "meeting": 3,
    "days_left": 3,
    "state": "in_committee",
    "url": "https://wahaj.example.org/s/abc/",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "template",
    sorted(
        {p.name.split(".")[0] for p in (settings.BASE_DIR / "templates/notifications").iterdir()}
    ),
)
def test_no_message_carries_a_code_word(template, language):
    for outcome in ("approved", "rejected"):
        rendered = render(template, language, {**MESSAGE_CONTEXT, "outcome": outcome})
        text = NOT_WORDS.sub(" ", f"{rendered.subject}\n{rendered.body}")
        assert code_words(text, language, raw_choice_values()) == set(), rendered


@pytest.mark.parametrize(("language", "support"), [("ar", "إيجار"), ("en", "Rent")])
def test_the_decision_sms_names_the_support_granted_and_writes_the_amount_grouped(
    chair_user, language, support
):
    support_request = request_in_state(SupportRequest.State.IN_COMMITTEE)
    support_request.beneficiary.preferred_language = language
    support_request.beneficiary.save(update_fields=["preferred_language"])
    support_request_decide(
        actor=chair_user,
        support_request=support_request,
        outcome="approved",
        approved_amount=Decimal("7500"),
        support_type=RequestType.RENT,
    )
    event = Event.objects.for_subject(support_request).get(verb="decide")
    assert event.new_state == "approved"
    message = Message.objects.get(template="request_decided", subject_id=support_request.pk)
    assert message.context["support_type"] == support
    body = render(message.template, message.language, message.context).body
    assert f"({support})" in body
    assert "7,500.00" in body
    assert "rent" not in body.lower().replace(support.lower(), "")


def recorded_verbs() -> set[str]:
    """The verbs the code records: `verb="…"`, `verb = "…"` and the sweep's `_event(…, "…")`."""
    verbs = set()
    for path in settings.BASE_DIR.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        for line in re.findall(r"^.*\bverb\b\s*=(?!\s*models\.).*$", source, re.M):
            verbs.update(re.findall(r'"([a-z]+(?:_[a-z]+)*)"', line.split("verb", 1)[1]))
        verbs.update(re.findall(r'_event\(\s*[^)]*?"([a-z_]+)"', source))
    return verbs


def test_every_verb_the_code_records_reads_as_a_label():
    from audit.labels import VERB_LABELS

    verbs = recorded_verbs()
    assert {"document_added", "beneficiary_registered", "decide", "window_overdue"} <= verbs
    assert verbs - set(VERB_LABELS) == set()


def test_every_message_template_reads_as_a_label():
    from notifications.models import TEMPLATE_LABELS

    names = {
        p.name.split(".")[0] for p in (settings.BASE_DIR / "templates/notifications").iterdir()
    }
    assert names - set(TEMPLATE_LABELS) == set()
