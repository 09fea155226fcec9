"""The shared cache (Redis when REDIS_URL is set) speeds pages up; it never holds one up.

What may fail: the connection (Redis stopped: refused at once) or an answer (Redis frozen: the
0.5 s socket timeout in settings.CACHES). Counters that protect a page (the rate limits) cannot
count without it: the page answers 503 with Retry-After (wahaj.errors.cache_unavailable).
Figures that are only remembered (the manager dashboard) are computed instead.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

T = TypeVar("T")

CACHE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


def get_or_compute(key: str, compute: Callable[[], T], timeout: int) -> T:
    """`cache.get_or_set`, except that an unreachable cache means computing the value."""
    try:
        value = cache.get(key)
    except CACHE_UNAVAILABLE as exc:
        logger.warning("cache unavailable (%s): %s computed without it", exc, key)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except CACHE_UNAVAILABLE as exc:
            logger.warning("cache unavailable (%s): %s not kept", exc, key)
    return value
