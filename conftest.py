"""Shared fixtures: role personas, the browser, and clean state between tests."""

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP

from accounts.models import TwoFactorDevice
from accounts.roles import Role
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.two_factor import confirmed_device, two_factor_required
from notifications.services import BrokerPause
from wahaj.middleware import SessionIdleMiddleware

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    """Rate limits live in the cache: every test starts with none.

    Without Redis the development cache is a database table; tests use process memory instead,
    so that a test without database access can still touch the cache.
    """
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("DatabaseCache"):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    elif backend.endswith("RedisCache"):
        # pytest-xdist's processes share one Redis database: each keeps to keys of its own.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "KEY_PREFIX": f"wahaj-test-{worker}"}
        }
    _cache_clear()
    yield
    _cache_clear()


def _cache_clear() -> None:
    """cache.clear(), except that on Redis only this process's keys go (clear() is FLUSHDB)."""
    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{cache.key_prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """A failed publish pauses this process's publishing for a few seconds (notifications.
    services.BrokerPause): a test that made the broker fail must not silence the next test's."""
    BrokerPause.until = 0.0
    yield
    BrokerPause.until = 0.0


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language. A request in English leaves English active in
    the test's thread; the next test (another one under pytest-xdist's order) would read its
    messages in English while threads it starts read them in Arabic."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _sessions_renewed_once(settings):
    """A session is renewed at most once every SESSION_RENEW_SECONDS (wahaj.middleware): a slow
    test crossing that minute would write it once more and change a page's query count. Tests
    of the renewal itself set the setting back."""
    settings.SESSION_RENEW_SECONDS = 24 * 60 * 60


# --- Personas --------------------------------------------------------------------------------
@pytest.fixture
def make_staff(db):
    def make(*roles: str, **fields):
        return UserFactory(roles=list(roles), **fields)

    return make


@pytest.fixture
def intake_user(make_staff):
    return make_staff(Role.INTAKE, username="intake_p")


@pytest.fixture
def researcher_user(make_staff):
    return make_staff(Role.RESEARCHER, username="researcher_p")


@pytest.fixture
def member_user(make_staff):
    return make_staff(Role.COMMITTEE, username="member_p")


@pytest.fixture
def chair_user(make_staff):
    return make_staff(Role.CHAIR, username="chair_p")


@pytest.fixture
def manager_user(make_staff):
    return make_staff(Role.MANAGER, username="manager_p", is_staff=True)


@pytest.fixture
def personas(intake_user, researcher_user, member_user, chair_user, manager_user):
    return {
        Role.INTAKE: intake_user,
        Role.RESEARCHER: researcher_user,
        Role.COMMITTEE: member_user,
        Role.CHAIR: chair_user,
        Role.MANAGER: manager_user,
    }


@pytest.fixture
def client_as(client):
    """`client_as(user)`: the test client logged in as that person."""

    def login(user):
        client.force_login(user)
        if two_factor_required(user):
            verify_second_factor(client, user)
        # A real login's answer stamps the session's renewal (wahaj.middleware); force_login
        # saves it directly, so stamp it here: the first page counts no extra write.
        session = client.session
        session[SessionIdleMiddleware.KEY] = int(time.time())
        session.save()
        return client

    return login


def verify_second_factor(client, user) -> None:
    """Mark the client's session as verified by her TOTP device, as django_otp.login does."""
    device = confirmed_device(user) or TwoFactorDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def current_totp(user) -> str:
    """The code her authenticator app would show now (for the device being set up or in use).

    A code is accepted once: a second log-in within the same time step waits for the next
    code, as she would."""
    device = TwoFactorDevice.objects.filter(user=user).order_by("-confirmed", "-pk").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while device.last_t is not None and totp.t() <= device.last_t:
        time.sleep(0.5)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def password():
    return TEST_PASSWORD


# --- What the embedded default (SQLite, file-system broker) cannot run -----------------------
def pytest_collection_modifyitems(config, items):
    """`make test` with nothing set runs on SQLite: tests marked `postgres` (row locks, COPY,
    pg_dump), `integration` (a real worker on Redis) or `faults` are skipped there with the
    reason printed (-ra); .ci/run runs them on PostgreSQL and Redis."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    needs = {
        "postgres": (on_postgres, "needs PostgreSQL: set DATABASE_URL (.ci/run does)"),
        "integration": (
            on_postgres and bool(settings.REDIS_URL),
            "needs a real Celery worker on Redis and PostgreSQL: set REDIS_URL and DATABASE_URL",
        ),
        "faults": (
            on_postgres and bool(settings.REDIS_URL),
            "stops real servers: needs PostgreSQL and Redis (set DATABASE_URL and REDIS_URL)",
        ),
    }
    for item in items:
        for marker, (available, reason) in needs.items():
            if not available and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
                break


# --- The browser -----------------------------------------------------------------------------
class SerialWSGIServer(WSGIServer):
    """The live server, one request at a time (SQLite only).

    On SQLite the test database is in memory, and Django's live server shares the test's one
    connection with every request thread. Two requests at once can then deadlock inside CPython's
    sqlite3 (seen in CI: one thread in a Python SQL function waits for the GIL while holding the
    connection's mutex; another holds the GIL waiting for that mutex). Served one at a time —
    Django closes each connection after its answer when the server does not thread — the page
    loads the same. PostgreSQL gives every thread its own connection and keeps the threaded
    server."""

    def __init__(self, *args, connections_override=None, **kwargs):
        # The server thread itself takes the overridden connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = SerialWSGIServer


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def launch_chromium(playwright):
    """Debian's Chromium, headless (also for a test that drives a second browser in a thread:
    Playwright's sync API is bound to the thread that started it)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture
def browser_context_args():
    """Override in a test module for other viewports or languages."""
    return {"locale": "ar-SA", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(request, chromium, live_server, browser_context_args):
    """A Playwright page on live_server; a failing test leaves its screenshot in test-artifacts/."""
    context = chromium.new_context(base_url=live_server.url, **browser_context_args)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def browser_login(page, password):
    """Log a staff member in through the real login form."""

    def login(user, *, secret: str | None = None):
        if secret is None and two_factor_required(user) and confirmed_device(user) is None:
            # Enrolment needs an invitation (accounts/two_factor.py): give her an app already.
            TwoFactorDevice.objects.create(user=user, name="test", confirmed=True)
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", secret or password)
        page.click("main form button[type=submit]")
        if secret is None and two_factor_required(user):
            page.wait_for_url("**/accounts/two-factor/**")
            page.fill("input[name=token]", current_totp(user))
            page.click("main form button[type=submit]")
            page.wait_for_url(lambda url: "/accounts/" not in url)
        return page

    return login
