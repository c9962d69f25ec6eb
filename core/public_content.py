"""The public content version: what kept public pages and values are filed under.

One number in the shared cache. A service that takes something out of public
view, or brings it back, calls `public_content_changed()`; once its change has
committed the number moves, and every web process sharing the cache stops
finding the copies kept under the old one (they expire on their own). This
module imports no app code, so the services can use it.
"""

import secrets
from contextvars import ContextVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

VERSION_KEY = "public-content-version"
# The version as read in this request: a dict while a request runs, None outside one
# (a worker or a command reads it every time, so it never misses another process's change).
_request_version: ContextVar[dict | None] = ContextVar("public_content_version", default=None)


def _new_version() -> int:
    # Never 0 or a small number: a version lost from the cache must not bring back copies kept under an old one.
    return secrets.randbits(62)


def public_version() -> int:
    """The public content version that kept public things are filed under (one cache read per request)."""
    seen = _request_version.get()
    if seen is not None and "version" in seen:
        return seen["version"]
    version = cache.get(VERSION_KEY)
    if version is None:  # never set, or evicted
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(VERSION_KEY, 0)
    if seen is not None:
        seen["version"] = version
    return version


def _bump_version() -> None:
    # With Redis unreachable (core/cache.py) both calls do nothing: no page is kept or
    # served from the cache meanwhile. When it comes back with its old data, copies kept before the
    # outage may be served until their timeout, at most VISITOR_CACHE_SECONDS after they were kept.
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing: any new value is a change (add fails only if another process just set one)
        cache.add(VERSION_KEY, _new_version(), timeout=None)
    seen = _request_version.get()
    if seen is not None:
        seen.pop("version", None)


def public_content_changed() -> None:
    """Something left (or came back into) public view: no kept page or value may show the old state.

    Called by the services inside their transaction; the version moves once it
    has committed (at once outside one), before the request that made the change returns.
    """
    transaction.on_commit(_bump_version)


def _request_began(**kwargs) -> None:
    _request_version.set({})


def _request_ended(**kwargs) -> None:
    _request_version.set(None)


request_started.connect(_request_began, dispatch_uid="public_content_version_started")
request_finished.connect(_request_ended, dispatch_uid="public_content_version_finished")
