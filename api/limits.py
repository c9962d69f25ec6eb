"""Rate limits for the API and the downloads: allauth's limiter, like every other limit here
(core/abuse.py), but counting reads too, per client address or per token."""

import logging

from allauth.core.internal import ratelimit

from core.abuse import RATE_LIMIT_APP, retry_after
from core.cache import UNREACHABLE as CACHE_UNREACHABLE
from core.cache import cache_required

logger = logging.getLogger(__name__)


class Limited(Exception):
    def __init__(self, retry_after: int | None):
        super().__init__(retry_after)
        self.retry_after = retry_after  # None: the counters cannot be reached


def count(request, action: str, *, key: str | None = None) -> None:
    """Count one use of `action`; raise Limited when a rate is full (and then count nothing)."""
    try:
        with cache_required():
            allowed = ratelimit.consume(request, app=RATE_LIMIT_APP, action=action, key=key, limit_get=True,
                                        dry_run=True) is not None and ratelimit.consume(
                request, app=RATE_LIMIT_APP, action=action, key=key, limit_get=True) is not None
    except CACHE_UNREACHABLE:
        logger.warning("Rate limit %r cannot be checked: the cache is unreachable", action)
        raise Limited(None) from None
    if not allowed:
        logger.warning("Rate limit %r reached", action)
        raise Limited(retry_after(request, action, key))
