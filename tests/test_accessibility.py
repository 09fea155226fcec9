"""Acceptance 1 of issue 11: axe-core finds no serious or critical violation on any page.

Every page of `tests/pages.py` (built from the URL resolver and the apps' factories) is opened
in Arabic by every role that may open it, by the beneficiary in her portal and by an anonymous
visitor, and in English by the first of them that may (see `walk(again=...)`). One browser
context per audience and language, one tab reused; contrast checked once per page and language.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from accounts.roles import Role
from tests.pages import (
    build_world,
    page_paths,
    portal_pending_cookie,
    portal_session_cookie,
    staff_session_cookie,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
AXE_OPTIONS = {"resultTypes": ["violations"]}
# Contrast is three quarters of axe's time and depends on the stylesheet and the page, not on
# who opens it: checked the first time a page is audited in a language (by the role that sees
# most of it), every other rule for every role.
SAME_PAGE_AGAIN = {**AXE_OPTIONS, "rules": {"color-contrast": {"enabled": False}}}
# A manager holds every role and sees the most buttons: she goes first.
ROLE_ORDER = [Role.MANAGER, Role.CHAIR, Role.COMMITTEE, Role.RESEARCHER, Role.INTAKE]
NOT_FOUND = "/no-such-page/"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """The world's documents go to a temporary private root, never into var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }


def describe(violation: dict) -> str:
    nodes = "; ".join(
        " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
        for node in violation["nodes"][:4]
    )
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


class Auditor:
    """Opens pages in one context per audience and language; collects blocking violations."""

    def __init__(self, chromium, base_url: str):
        self.chromium, self.base_url = chromium, base_url
        self.axe = Axe()
        self.found: dict[str, list[str]] = {}
        self.audited: dict[str, set[str]] = {}
        self.count = 0

    def audience(self, language: str, cookie: dict | None = None):
        context = self.chromium.new_context(
            base_url=self.base_url,
            locale="ar-SA" if language == "ar" else "en-GB",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
        if cookie:
            cookies.append(cookie)
        context.add_cookies([{**c, "url": self.base_url} for c in cookies])
        return context

    def audit(self, page, who: str, language: str, label: str, path: str) -> bool:
        """Open `path`; audit it when it is an HTML page she may see. True when audited."""
        response = page.goto(path, wait_until="domcontentloaded")
        expected_error = path == NOT_FOUND
        if response is None or (response.status != 200 and not expected_error):
            return False
        if "text/html" not in (response.headers.get("content-type") or ""):
            return False
        assert page.locator("html").get_attribute("lang") == language, (who, path)
        first_time = label not in self.audited.get(language, set())
        options = AXE_OPTIONS if first_time else SAME_PAGE_AGAIN
        violations = self.axe.run(page, options=options).response["violations"]
        blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
        if blocking:
            self.found[f"{language} {who} {label} {path}"] = blocking
        self.audited.setdefault(language, set()).add(label)
        self.count += 1
        return True

    def walk(
        self, language: str, who: str, cookie: dict | None, pages: dict[str, str], *, again=True
    ) -> None:
        """Audit `pages` as `who`; with `again=False` only those not yet audited in `language`."""
        if not again:
            done = self.audited.get(language, set())
            pages = {label: path for label, path in pages.items() if label not in done}
        context = self.audience(language, cookie)
        page = context.new_page()
        for label, path in pages.items():
            self.audit(page, who, language, label, path)
        context.close()


def pages_she_may_open(cookie: dict, pages: dict[str, str]) -> dict[str, str]:
    """The pages this session gets (200), asked of Django directly: the browser then opens
    only those, not the 403 and 404 pages of every other role (audited once, as "404")."""
    client = Client()
    client.cookies[cookie["name"]] = cookie["value"]
    return {label: path for label, path in pages.items() if client.get(path).status_code == 200}


def test_no_page_has_a_serious_or_critical_accessibility_violation_in_either_language(
    chromium, live_server, personas
):
    world = build_world(personas)
    pages = page_paths(world)
    public = {**pages["public"], "404": NOT_FOUND, "login": pages["staff"]["login"]}
    auditor = Auditor(chromium, live_server.url)
    allowed: dict[str, dict[str, str]] = {}
    for language in ("ar", "en"):
        for role in ROLE_ORDER:
            cookie = staff_session_cookie(personas[role])
            if role not in allowed:
                allowed[role] = pages_she_may_open(cookie, pages["staff"])
            # Every role sees every page of hers in Arabic, the staff's language all day; in
            # English every page once, by the first role that opens it (the manager's view,
            # which has the most on it): a second language changes words and direction, not
            # what a role is shown — and it halves the run.
            auditor.walk(language, role, cookie, allowed[role], again=language == "ar")
        auditor.walk(language, "anonymous", None, public)
        auditor.walk(language, "beneficiary", portal_session_cookie(world.her), pages["portal"])
        auditor.walk(language, "pending", portal_pending_cookie(world.her), pages["pending"])
        manager = personas[Role.MANAGER]
        unverified = staff_session_cookie(manager, verified=False)
        auditor.walk(language, "unverified", unverified, pages["unverified"])

    every_label = {label for group in pages.values() for label in group} | {"404"}
    for language in ("ar", "en"):
        assert every_label - auditor.audited.get(language, set()) == set(), (
            "pages nobody could open (fix the world in tests/pages.py)"
        )
    print(f"axe audited {auditor.count} page views")
    report = "\n".join(
        f"{where}\n    " + "\n    ".join(problems) for where, problems in auditor.found.items()
    )
    assert auditor.found == {}, f"{len(auditor.found)} pages with violations:\n{report}"
