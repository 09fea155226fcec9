"""With Redis unreachable the public pages answer (or 503 with Retry-After), never 500, and the
manager's dashboard is computed without its cache (issues 18 and 24).

The cache backend is pointed at a closed port: Redis refusing connections, as when it is stopped.
Runs on SQLite and PostgreSQL alike (only the cache is Redis here).
"""

import time

import pytest
from django.urls import reverse

from notifications.tests.live_worker import free_port
from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_unreachable(settings):
    """The shared cache on Redis at a port nobody listens on; put back before the suite's own
    cache fixture clears it."""
    saved = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.RATELIMIT_ENABLE = True
    yield
    settings.CACHES = saved


def assert_try_again_later(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "الخدمة غير متاحة مؤقتاً" in response.text  # the page, in Arabic, not a traceback


@pytest.mark.usefixtures("redis_unreachable")
def test_the_status_lookup_opens_and_a_lookup_asks_her_to_try_again_later(client):
    assert client.get(reverse("portal:status")).status_code == 200
    began = time.monotonic()
    response = client.post(
        reverse("portal:status"), {"reference": "WHJ-2026-000001", "national_id": "1000000008"}
    )
    assert_try_again_later(response)
    assert time.monotonic() - began < 1.5


@pytest.mark.usefixtures("redis_unreachable")
def test_the_portal_login_opens_and_asking_for_a_code_asks_her_to_try_again_later(client):
    assert client.get(reverse("portal:login")).status_code == 200
    response = client.post(reverse("portal:login"), {"national_id": "1000000008"})
    assert_try_again_later(response)


@pytest.mark.usefixtures("redis_unreachable")
def test_the_manager_dashboard_is_computed_without_its_cache(client_as, manager_user, settings):
    settings.DASHBOARD_CACHE_SECONDS = 300
    request_in_state(SupportRequest.State.SUBMITTED, due_in_days=10)
    response = client_as(manager_user).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    assert response.context["manager"].open_total == 1
