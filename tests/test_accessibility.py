"""Acceptance 1 of issue 11: axe-core finds no serious or critical violation on any page.

Every page of `tests/pages.py` (built from the URL resolver and the apps' factories) is opened
in Arabic by every role that may open it, by the beneficiary in her portal and by an anonymous
visitor, and in English by the first of them that may (see `plan_walks`).

Where the time went, and how it is spent once: the world is built once; each audience (a role,
the beneficiary, a visitor, in one language) walks its pages in one tab, "logged in" by a session
cookie, and a tab serves every audience of its language (a new context costs a renderer
process); axe's 550 kB script is registered once per tab as an init script instead of being sent
into every page; a page is audited as soon as its DOM is ready (no load or network-idle wait,
no sleeps); the rules that can never report a serious or critical violation are not run
(`NEVER_BLOCKING`); the two rules that read the stylesheets, most of what remains, run once per
page and language (`STYLE_RULES`); and the walks are shared between two browsers, one in a
thread, as the suite has two cores (`LANES`).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from accounts.roles import Role
from conftest import launch_chromium
from tests.pages import (
    build_world,
    page_paths,
    portal_pending_cookie,
    portal_session_cookie,
    staff_session_cookie,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = ["serious", "critical"]
# A rule's `impact` is the highest its violations can have (the highest of its checks', or the
# rule's own, e.g. `region` is "moderate" whatever fails): a rule below BLOCKING can never fail
# this test, so it is not run. Read from axe itself: an upgrade that raises a rule brings it back.
NEVER_BLOCKING = (
    "impacts => axe._audit.rules.filter(r => !impacts.includes(r.impact)).map(r => r.id)"
)
# These two are most of axe's time and read only the stylesheets and the page's text, not what a
# role is shown: colour contrast, and orientation lock, which downloads every stylesheet again
# to parse it. They run the first time a page is audited in a language (by the role that sees
# most of it); every other rule for every role.
STYLE_RULES = ["color-contrast", "css-orientation-lock"]
RUN_AXE = "options => axe.run(document, options)"
# A manager holds every role and sees the most buttons: she goes first.
ROLE_ORDER = [Role.MANAGER, Role.CHAIR, Role.COMMITTEE, Role.RESEARCHER, Role.INTAKE]
NOT_FOUND = "/no-such-page/"
# Browsers auditing at once: the live server renders for one while the other runs axe.
LANES = 2


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


@dataclass
class Walk:
    """One audience's pages in one language: (label, path, with the style rules)."""

    language: str
    who: str
    cookie: dict | None
    pages: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return sum(3 if style else 1 for _, _, style in self.pages)


@dataclass
class Result:
    found: dict[str, list[str]] = field(default_factory=dict)
    audited: set[tuple[str, str]] = field(default_factory=set)  # (language, label)


def describe(violation: dict) -> str:
    nodes = "; ".join(
        " ".join(node["target"]) if isinstance(node["target"], list) else str(node["target"])
        for node in violation["nodes"][:4]
    )
    return f"{violation['id']} ({violation['impact']}): {violation['help']} — {nodes}"


class Lane:
    """One browser's share of the walks: a tab per language; collects blocking violations."""

    def __init__(self, browser, base_url: str):
        self.browser, self.base_url = browser, base_url
        self.tabs: dict[str, object] = {}
        self.never_blocking: list[str] | None = None
        self.result = Result()

    def tab(self, language: str, cookie: dict | None):
        """The tab of `language`, signed in with `cookie` (None: an anonymous visitor)."""
        if language not in self.tabs:
            context = self.browser.new_context(
                base_url=self.base_url,
                locale="ar-SA" if language == "ar" else "en-GB",
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(15_000)
            context.add_init_script(script=Axe().axe_script)
            self.tabs[language] = context.new_page()
        page = self.tabs[language]
        cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language}]
        if cookie:
            cookies.append(cookie)
        page.context.clear_cookies()
        page.context.add_cookies([{**c, "url": self.base_url} for c in cookies])
        return page

    def axe_options(self, page, style: bool) -> dict:
        if self.never_blocking is None:
            self.never_blocking = page.evaluate(NEVER_BLOCKING, BLOCKING)
        off = self.never_blocking if style else [*self.never_blocking, *STYLE_RULES]
        return {"resultTypes": ["violations"], "rules": {rule: {"enabled": False} for rule in off}}

    def audit(self, page, walk: Walk, label: str, path: str, style: bool) -> None:
        """Open `path`; audit it when it is an HTML page she may see."""
        response = page.goto(path, wait_until="domcontentloaded")
        expected_error = path == NOT_FOUND
        if response is None or (response.status != 200 and not expected_error):
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        assert page.locator("html").get_attribute("lang") == walk.language, (walk.who, path)
        violations = page.evaluate(RUN_AXE, self.axe_options(page, style))["violations"]
        blocking = [describe(v) for v in violations if v["impact"] in BLOCKING]
        if blocking:
            self.result.found[f"{walk.language} {walk.who} {label} {path}"] = blocking
        self.result.audited.add((walk.language, label))

    def run(self, walks: list[Walk]) -> Result:
        try:
            for walk in walks:
                page = self.tab(walk.language, walk.cookie)
                for label, path, style in walk.pages:
                    self.audit(page, walk, label, path, style)
        finally:
            for page in self.tabs.values():
                page.context.close()
        return self.result


def run_in_own_browser(walks: list[Walk], base_url: str) -> Result:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            return Lane(browser, base_url).run(walks)
        finally:
            browser.close()


def pages_she_may_open(cookie: dict, pages: dict[str, str]) -> dict[str, str]:
    """The pages this session gets (200), asked of Django directly: the browser then opens
    only those, not the 403 and 404 pages of every other role (audited once, as "404")."""
    client = Client()
    client.cookies[cookie["name"]] = cookie["value"]
    return {label: path for label, path in pages.items() if client.get(path).status_code == 200}


def plan_walks(personas: dict, world, pages: dict[str, dict[str, str]]) -> list[Walk]:
    """Every audience's walk, in order. Every role sees every page of hers in Arabic, the
    staff's language all day; in English every page once, by the first role that opens it (the
    manager's view, which has the most on it): a second language changes words and direction,
    not what a role is shown — and it halves the run."""
    public = {**pages["public"], "404": NOT_FOUND, "login": pages["staff"]["login"]}
    manager = personas[Role.MANAGER]
    allowed: dict[str, dict[str, str]] = {}
    walks: list[Walk] = []
    for language in ("ar", "en"):
        seen: set[str] = set()
        for role in ROLE_ORDER:
            cookie = staff_session_cookie(personas[role])
            if role not in allowed:
                allowed[role] = pages_she_may_open(cookie, pages["staff"])
            walks.append(plan(language, role, cookie, allowed[role], seen, again=language == "ar"))
        walks += [
            plan(language, "anonymous", None, public, seen),
            plan(language, "beneficiary", portal_session_cookie(world.her), pages["portal"], seen),
            plan(language, "pending", portal_pending_cookie(world.her), pages["pending"], seen),
            plan(
                language,
                "unverified",
                staff_session_cookie(manager, verified=False),
                pages["unverified"],
                seen,
            ),
        ]
    return walks


def plan(language, who, cookie, group: dict[str, str], seen: set[str], *, again=True) -> Walk:
    """Her walk through `group`; with `again=False` only the pages not yet `seen` in `language`.
    The style rules run on the first view of a page in a language (`seen` is updated)."""
    walk = Walk(language, who, cookie)
    for label, path in group.items():
        if again or label not in seen:
            walk.pages.append((label, path, label not in seen))
            seen.add(label)
    return walk


def share(walks: list[Walk], lanes: int) -> list[list[Walk]]:
    """Whole walks to the least loaded lane, heaviest first: a session is never used by two
    browsers at once, and the lanes finish together."""
    shares: list[list[Walk]] = [[] for _ in range(lanes)]
    for walk in sorted(walks, key=lambda w: -w.weight):
        min(shares, key=lambda s: sum(w.weight for w in s)).append(walk)
    return shares


def test_no_page_has_a_serious_or_critical_accessibility_violation_in_either_language(
    chromium, live_server, personas
):
    world = build_world(personas)
    pages = page_paths(world)
    walks = plan_walks(personas, world, pages)
    first, *others = share(walks, LANES)
    with ThreadPoolExecutor(max_workers=len(others)) as pool:
        pending = [pool.submit(run_in_own_browser, lane, live_server.url) for lane in others]
        results = [Lane(chromium, live_server.url).run(first)] + [p.result() for p in pending]

    audited = set().union(*(r.audited for r in results))
    every_label = {label for group in pages.values() for label in group} | {"404"}
    for language in ("ar", "en"):
        missing = every_label - {label for lang, label in audited if lang == language}
        assert missing == set(), (
            f"pages nobody could open (fix the world in tests/pages.py): {missing}"
        )
    views = sum(len(w.pages) for w in walks)
    print(f"axe audited {views} page views in {LANES} browsers")
    found = {where: problems for r in results for where, problems in r.found.items()}
    report = "\n".join(
        f"{where}\n    " + "\n    ".join(problems) for where, problems in found.items()
    )
    assert found == {}, f"{len(found)} pages with violations:\n{report}"
