"""Whole public pages for visitors, kept for up to VISITOR_CACHE_SECONDS.

Everyone who is not signed in sees the same page for the same address and
language, so one rendering can serve them all for a minute (the longest a
visitor may wait to see a change). Signed-in members, and so every author,
representative and moderator, always get a fresh page. A page is kept only if
it is a plain 200 that used no CSRF token and set no cookie: nothing in it
belongs to one visitor.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

KEPT_HEADERS = ("Content-Type", "Content-Language")


def _cacheable_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or settings.VISITOR_CACHE_SECONDS <= 0:
        return False
    if request.user.is_authenticated:
        return False
    # A visitor with a note waiting ("you have signed out") gets it on a fresh
    # page: notes live in the "messages" cookie, or in the session when long.
    if "messages" in request.COOKIES:
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES or "_messages" not in request.session


def _key(request) -> str:
    address = f"{get_language()}|{request.get_full_path()}"
    return "visitor-page:" + hashlib.sha256(address.encode()).hexdigest()


def cache_for_visitors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            if hasattr(response, "render") and callable(response.render):
                response.render()
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            cache.set(key, (response.content, headers), settings.VISITOR_CACHE_SECONDS)
        return response

    return wrapper
