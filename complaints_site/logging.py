"""Log records name the request (its id, path and user id, nothing more of it) or the task they
were written in, so one line can be followed across web processes and workers."""

import logging
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import InterfaceError, OperationalError


def _outage_errors() -> tuple:
    errors = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # redis is only needed with REDIS_URL
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


current_request = ContextVar("current_request", default="-")  # set by middleware.RequestIdMiddleware
current_task = ContextVar("current_task", default="-")  # "name:id", set by worker.Worker.run_task


# The database or the cache cannot be reached: the request gets 503 (complaints_site.views.server_error).
OUTAGE_ERRORS = _outage_errors()


class RequestContextFilter(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        record.path = getattr(request, "path", "-")
        record.user_id = _user_id(request, record) or "-"
        record.request_id = current_request.get()
        record.task = current_task.get()
        return True


def _user_id(request, record):
    """The user id from the session, never from request.user.

    request.user is lazy: working it out needs the session store and the database.
    During an outage neither is asked (the record then names the path only), and
    any other failure to read gives no id rather than losing the record.
    """
    attributes = getattr(request, "__dict__", {})
    user = attributes.get("_cached_user")
    if user is not None:
        return user.pk
    session = attributes.get("session")
    if session is None:
        return None
    loaded = getattr(session, "__dict__", {}).get("_session_cache")
    if isinstance(loaded, dict):
        return _pk(loaded.get(SESSION_KEY))
    if record.exc_info and isinstance(record.exc_info[1], OUTAGE_ERRORS):
        return None
    try:
        return _pk(session.get(SESSION_KEY))
    except Exception:  # noqa: BLE001  (a log line must never fail)
        return None


def _pk(value):
    # The session keeps the id as text.
    return get_user_model()._meta.pk.to_python(value) if value is not None else None
