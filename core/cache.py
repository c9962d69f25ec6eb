"""The shared cache (Redis) as an optional speed-up, never a reason to fail a page.

When Redis cannot be reached, `ResilientRedisCache` answers reads with a miss and drops writes,
logging a warning at most once a minute per process: pages are built afresh and served,
sessions come from the database (`cached_db`). Code that must not go on without the cache,
rate limits, runs inside `cache_required()`: there the errors are raised, and the caller
refuses the write instead of letting it through uncounted (core/abuse.py).

When Redis comes back, what it held before is still there: kept pages expire within
VISITOR_CACHE_SECONDS, and a public-content-version bump lost during the outage is made up
for by that expiry.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 2  # after a failure, Redis is left alone this long: a page pays no timeout meanwhile
_required: ContextVar[bool] = ContextVar("cache_required", default=False)
# Per process: one warning a minute, however many requests meet the outage.
_state = {"down_until": 0.0, "warned_at": float("-inf")}


@contextmanager
def cache_required():
    """Inside this block a cache that cannot be reached raises instead of missing."""
    token = _required.set(True)
    try:
        yield
    finally:
        _required.reset(token)


def cache_is_up() -> bool:
    """False while this process finds Redis unreachable (always True for other backends).

    For code that learns of the outage only from its effects: allauth's limiter, which
    cannot take its lock, says "rate-limited" (core.abuse.too_many_requests).
    """
    return time.monotonic() >= _state["down_until"]


def _degrade(operation, fallback):
    """Run a cache operation; if Redis cannot be reached, the fallback (or, where the cache is
    required, the error)."""
    now = time.monotonic()
    if now < _state["down_until"]:
        if _required.get():
            raise RedisConnectionError("The cache was unreachable a moment ago.")
        return fallback
    try:
        return operation()
    except UNREACHABLE as error:
        _state["down_until"] = now + RETRY_AFTER_SECONDS
        if _required.get():
            raise
        if now - _state["warned_at"] > 60:
            _state["warned_at"] = now
            logger.warning("The cache cannot be reached; serving without it: %s", error)
        return fallback


class ResilientRedisCache(RedisCache):
    def get(self, key, default=None, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), list(data))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys, version=None):
        return _degrade(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = _degrade(lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing)
        if value is missing:
            # No number can be made up: the caller's "missing key" path runs, as with Django's ValueError.
            raise ValueError(f"Key '{key}' not found: the cache cannot be reached.")
        return value

    def clear(self):
        return _degrade(lambda: super(ResilientRedisCache, self).clear(), False)
