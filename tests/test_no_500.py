"""No input gives a 500 (issue 18, item 5).

Every page of tests/pages.py, as anonymous, as her (the portal), half-way through each login and
as each staff role, is sent hostile input: in its query string, in every field of each of its
forms, and in the path's own token or id. The answer may be anything but a 5xx. Requests that
would change something run inside a savepoint that is rolled back, so every request sees the
same world. The test client, not a browser. To keep the walk short, every role opens each of
her pages and its mutated paths, and each page's query string and forms get the hostile values
once, from the first staff role that may open it (the views validate input alike for all).
"""

from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from beneficiaries.models import HouseholdMember
from beneficiaries.tests.factories import BeneficiaryFactory, DocumentFactory
from reports.export_lists import EXPORTS
from requests_app.tests.factories import SupportRequestFactory
from tests.pages import (
    build_world,
    page_paths,
    portal_pending_cookie,
    portal_session_cookie,
    staff_session_cookie,
)

pytestmark = pytest.mark.django_db

NUL = "abc\x00def"
HOSTILE = {
    "nul": NUL,
    "long": "ن" * 10_000,
    "huge": "99999999999999999999",
    "superscript": "²",  # a digit to str.isdigit(), not to int()
    "negative": "-1",
    "bidi": "\u202e\u2066123\u2069\u200f\u061c",
}
# Forms on every page that change nothing of hers: the language switch and logging out.
SKIPPED_ACTIONS = {reverse("set_language"), reverse("logout"), reverse("portal:logout")}
# Query parameters pages read, beside those their GET forms name.
QUERY_PARAMS = ("page", "q", "state", "sort", "next", "beneficiary", "period", "month", "year")


class FormParser(HTMLParser):
    """The forms of a page: method, action and each field's name and current value."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self.forms.append({"method": method, "action": attrs.get("action"), "fields": {}})
            return
        if not self.forms or not attrs.get("name"):
            if tag == "option" and self._select and "selected" in attrs:
                self.forms[-1]["fields"][self._select] = attrs.get("value", "")
            return
        fields, name = self.forms[-1]["fields"], attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                fields.setdefault(name, None)
            elif kind not in ("submit", "button", "file"):
                fields[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def hostile_posts(fields: dict, foreign: dict[str, str]) -> list[tuple[str, dict]]:
    """Each hostile value in every field at once; then the page's own values with every id a
    form carries replaced by one of another woman's file (a form otherwise valid)."""
    names = [n for n in fields if n != "csrfmiddlewaretoken"]
    posts = [(label, dict.fromkeys(names, value)) for label, value in HOSTILE.items()]
    base = {n: v for n, v in fields.items() if v is not None and n != "csrfmiddlewaretoken"}
    ids = [n for n in base if n == "id" or n.endswith(("-id", "_id")) or n in foreign]
    if ids:
        posts.append(("foreign", {**base, **{n: _foreign_for(n, foreign) for n in ids}}))
    return posts


def _foreign_for(name: str, foreign: dict[str, str]) -> str:
    for hint, value in foreign.items():
        if hint in name:
            return value
    return foreign["member"] if name.endswith("-id") else foreign["beneficiary"]


def mutated_paths(path: str, world) -> list[str]:
    """The path with its token or ids replaced by a NUL, a huge, a foreign one."""
    token = world.invitation.token
    if token in path:
        return [path.replace(token, "abc%00def"), path.replace(token, "x" * 300)]
    parts = path.split("/")
    numbered = [i for i, part in enumerate(parts) if part.isdigit()]
    out = []
    for value in ("99999999999999999999", "0"):
        for i in numbered:
            out.append("/".join([*parts[:i], value, *parts[i + 1 :]]))
    return out


@pytest.fixture
def foreign(db) -> dict[str, str]:
    """Ids of another woman's file, outside every persona's reach."""
    other = BeneficiaryFactory()
    member = HouseholdMember.objects.create(
        beneficiary=other,
        name="سارة",
        relation=HouseholdMember.Relation.values[0],
        sex=HouseholdMember.Sex.values[0],
    )
    document = DocumentFactory(beneficiary=other)
    other_request = SupportRequestFactory(beneficiary=other)
    return {
        "member": str(member.pk),
        "beneficiary": str(other.pk),
        "document": str(document.pk),
        "request": str(other_request.pk),
    }


def _client(cookie: dict | None) -> Client:
    client = Client(raise_request_exception=False)
    if cookie:
        client.cookies[cookie["name"]] = cookie["value"]
    return client


class Walk:
    """Sends the requests and keeps the 5xx answers."""

    def __init__(self, world, foreign: dict[str, str]):
        self.world, self.foreign = world, foreign
        self.failures: list[str] = []
        self.walked: set[tuple[str, str]] = set()
        self.posted: set[str] = set()
        self.filters: set[str] = set()

    def send(self, client: Client, who: str, method: str, url: str, data=None, *, label=""):
        cookies = SimpleCookie(client.cookies.output(header="", sep=";"))
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
            if response.streaming:  # a streamed export fails while it is read
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        client.cookies = cookies  # a login or logout inside the rollback never happened
        if response.status_code >= 500:
            self.failures.append(f"{method.upper()} {url[:120]!r} [{label}] as {who}")
        return response

    def page(self, client: Client, who: str, audience: str, name: str, path: str) -> None:
        response = self.send(client, who, "get", path, label=name)
        for mutated in mutated_paths(path, self.world):
            self.send(client, who, "get", mutated, label=f"{name} path")
        if response.status_code != 200 or (audience, name) in self.walked:
            return  # not hers (the access table checks that answer), or sent already
        self.walked.add((audience, name))
        forms = forms_of(response.content.decode())
        params = {*QUERY_PARAMS}
        for form in forms:
            if form["method"] == "get":
                params.update(form["fields"])
        self.filters.update(params)
        for label, value in HOSTILE.items():
            query = urlencode(dict.fromkeys(sorted(params), value))
            self.send(
                client,
                who,
                "get",
                f"{path.split('?', maxsplit=1)[0]}?{query}",
                label=f"{name} {label}",
            )
        for form in forms:
            action = form["action"] or path
            if form["method"] != "post" or action in SKIPPED_ACTIONS or action in self.posted:
                continue
            self.posted.add(action)
            for label, data in hostile_posts(form["fields"], self.foreign):
                self.send(client, who, "post", action, data, label=f"{name} form {label}")

    def exports(self, client: Client) -> None:
        """The exports read a list's filters from the query string (and audit them)."""
        for list_name in EXPORTS:
            for fmt in ("csv", "xlsx"):
                url = reverse("reports:export", args=[list_name, fmt])
                for label, value in HOSTILE.items():
                    query = urlencode(dict.fromkeys(sorted(self.filters), value))
                    self.send(client, "manager", "get", f"{url}?{query}", label=f"export {label}")


def test_no_hostile_input_gives_a_server_error(personas, foreign):
    world = build_world(personas)
    pages = page_paths(world)
    public = {**pages["public"], "login": pages["staff"]["login"]}
    audiences = [("anonymous", None, public)]
    audiences += [
        (role, staff_session_cookie(personas[role]), pages["staff"])
        for role in (Role.INTAKE, Role.RESEARCHER, Role.COMMITTEE, Role.CHAIR, Role.MANAGER)
    ]
    audiences += [
        ("beneficiary", portal_session_cookie(world.her), pages["portal"]),
        ("pending", portal_pending_cookie(world.her), pages["pending"]),
        (
            "unverified",
            staff_session_cookie(personas[Role.MANAGER], verified=False),
            pages["unverified"],
        ),
    ]
    walk = Walk(world, foreign)
    for who, cookie, group in audiences:
        client = _client(cookie)
        audience = "staff" if group is pages["staff"] else who
        for name, path in group.items():
            walk.page(client, who, audience, name, path)
    walk.exports(_client(staff_session_cookie(personas[Role.MANAGER])))

    assert walk.failures == [], "\n".join(walk.failures)
