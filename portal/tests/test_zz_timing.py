import statistics
import time

import pytest
from django.test import Client

from requests_app.models import SupportRequest
from requests_app.tests.factories import request_in_state

pytestmark = pytest.mark.django_db


def test_timing(settings):
    settings.RATELIMIT_ENABLE = False
    r = request_in_state(SupportRequest.State.IN_RESEARCH)
    c = Client()
    body = {"reference": r.reference, "national_id": r.beneficiary.national_id}

    def t(fn, n=200):
        xs = []
        for _ in range(n):
            s = time.perf_counter()
            fn()
            xs.append(time.perf_counter() - s)
        return statistics.median(xs) * 1000

    for _ in range(20):
        c.post("/status/", body)
        c.get("/healthz")
    a = t(lambda: c.get("/healthz"))
    b = t(lambda: c.post("/status/", body))
    d = t(lambda: c.post("/status/", {"reference": r.reference, "national_id": "1000000008"}))
    e = t(lambda: c.post("/status/", {"reference": "WHJ-2000-000001", "national_id": "1000000008"}))
    print(f"\nhealthz {a:.2f} ms, status found {b:.2f} ms, mismatch {d:.2f} ms, unknown {e:.2f} ms")
