"""Whole public pages, kept for up to VISITOR_CACHE_SECONDS.

Everyone who is not signed in sees the same page for the same address and
language, so one rendering serves them all for a minute (the longest anyone
may wait to see a change made by someone else). Signed-in members see the
same page too, but for the sign-out form's CSRF token: their copy is kept with
the token taken out and each member's own token put back in. A page with
forms of its own is kept for members only where the view says which members
may share a copy (keep_for_members: the complaint page, for members with no
role in the complaint); each copy then also gets its own form tokens and
form times.

Never kept, always fresh:
- for a member who changed something in the last VISITOR_CACHE_SECONDS
  (see MarkWritersFresh): whoever wrote sees their change at once, on every
  page, so an author never sees their own complaint in an old state;
- for a page's own people, by the view's `fresh_for` (a company's
  representatives on its page) or because the view does not call
  keep_for_members for them (a complaint's author, company and moderators,
  and whoever commented on it); the business pages are not kept at all;
- a page with a note waiting ("you have signed out"), anything but a plain
  200, a response that sets a cookie, and a page with a form token in its
  body (only the header's sign-out form may carry one).

Hidden means gone at once: every kept page and every `kept_like_pages` value
is filed under the public content version (core/public_content.py).
Whatever takes something out of public view (a hide, a redaction, a
withdrawal, a move or a merge) moves it once the change has committed; from
then on no web process finds the old copies, which simply expire.
"""

import hashlib
import re
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from core.abuse import restamped
from core.public_content import public_version
from core.roles import is_moderator_for_header

KEPT_HEADERS = ("Content-Type", "Content-Language")
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
# What differs between two members' copies of one page: the CSRF token, each form's submission
# token (core.forms) and its signed time (core.abuse); all put in afresh, in one pass.
PERSONAL = re.compile(rb'name="(csrfmiddlewaretoken|submission_token|form_started)" value="([^"]*)"')
# The header's count of unread notifications is each member's own, like the token.
UNREAD = re.compile(rb"<!--unread-->.*?<!--/unread-->", re.DOTALL)
UNREAD_PLACEHOLDER = b"<!--unread-->\x00unread\x00<!--/unread-->"


def kept_like_pages(key: str, compute):
    """compute(), kept in the shared cache as long as a public page may be old (not at all at 0)."""
    seconds = settings.VISITOR_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"{key}:v{public_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _fresh_key(user_id) -> str:
    return f"member-fresh:{user_id}"


def _has_waiting_note(request) -> bool:
    # Notes live in the "messages" cookie, or in the session.
    if "messages" in request.COOKIES:
        return True
    return settings.SESSION_COOKIE_NAME in request.COOKIES and "_messages" in request.session


def _key(request, who: str) -> str:
    address = f"{public_version()}|{who}|{get_language()}|{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(address.encode()).hexdigest()


def _response(content: bytes, headers: dict) -> HttpResponse:
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _keepable(response) -> bool:
    return response.status_code == 200 and not response.streaming and not response.cookies


def cache_for_visitors(view=None, *, fresh_for=None, members=True):
    """Keep the view's page as described above.

    `fresh_for(request, *args, **kwargs)` names the page's own people;
    `members=False` keeps it for visitors only (a page that shows members
    things of their own, like the complaint page to its author).
    """
    if view is None:
        return lambda view: cache_for_visitors(view, fresh_for=fresh_for, members=members)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _kept_here_only(_served(request, *args, **kwargs))

    def _served(request, *args, **kwargs):
        seconds = settings.VISITOR_CACHE_SECONDS
        if request.method not in ("GET", "HEAD") or seconds <= 0 or _has_waiting_note(request):
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return _visitor_page(view, request, args, kwargs, seconds)
        # A moderator's header has the queue link and its count: their pages are never shared.
        if (
            not members or cache.get(_fresh_key(request.user.pk)) or is_moderator_for_header(request.user)
            or (fresh_for and fresh_for(request, *args, **kwargs))
        ):
            return view(request, *args, **kwargs)
        return _member_page(view, request, args, kwargs, seconds)

    return wrapper


def _kept_here_only(response):
    """Only our own copies can be dropped the moment something is hidden: browsers must ask again
    every time (no-cache) and shared proxies keep nothing (private)."""
    if not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _visitor_page(view, request, args, kwargs, seconds):
    key = _key(request, "visitor")
    kept = cache.get(key)
    if kept is not None:
        return _response(*kept)
    response = view(request, *args, **kwargs)
    if _keepable(response) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        cache.set(key, (response.content, headers), seconds)
    return response


def _member_page(view, request, args, kwargs, seconds):
    # Only the header's sign-out form may hold a token; a page with forms of its own is not kept.
    return _member_copy(
        request, _key(request, "member"), lambda: view(request, *args, **kwargs), seconds,
        may_keep=lambda content: len(TOKEN.findall(content)) <= 1,
    )


def keep_for_members(request, variant: str, render):
    """A page that every member in the same `variant` sees alike, kept like the other public pages.

    For pages with forms of their own: besides the CSRF token, each copy gets
    its own form tokens and form times (the anti-bot minimum fill time counts
    from when this member got the page). The caller decides who may share a
    copy; writers in their fresh minute always get `render()`.
    """
    seconds = settings.VISITOR_CACHE_SECONDS
    if (
        request.method not in ("GET", "HEAD") or seconds <= 0 or _has_waiting_note(request)
        or cache.get(_fresh_key(request.user.pk))
    ):
        return render()
    return _member_copy(request, _key(request, f"member:{variant}"), render, seconds)


def _member_copy(request, key, render, seconds, may_keep=lambda content: True):
    """The kept copy under `key` with this member's own values, or `render()`, kept when it may be."""
    kept = cache.get(key)
    if kept is not None:
        return _own_copy(kept, request)
    response = render()
    if _keepable(response) and may_keep(response.content):
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        kept = UNREAD.sub(UNREAD_PLACEHOLDER, response.content)  # the menu button and the link
        cache.set(key, (kept, headers), seconds)
    return response


def _badge_context(request) -> dict:
    # The count is the notifications app's: the settings name the context processor that gives it.
    return import_string(settings.UNREAD_BADGE_CONTEXT)(request)


def _own_copy(kept, request) -> HttpResponse:
    """The kept page with this request's own values: CSRF token, form tokens and times, unread count."""
    content, headers = kept
    csrf_token = get_token(request).encode()  # one per request: the same in every form of the page
    fresh = {
        b"csrfmiddlewaretoken": lambda _kept: csrf_token,
        b"submission_token": lambda _kept: str(uuid.uuid4()).encode(),
        b"form_started": lambda kept: restamped(kept.decode()).encode(),
    }
    content = PERSONAL.sub(lambda match: b'name="%s" value="%s"' % (match[1], fresh[match[1]](match[2])), content)
    unread = render_to_string("includes/_unread_badge.html", _badge_context(request)).strip().encode()
    content = content.replace(b"\x00unread\x00", b" " + unread if unread else b"")
    return _response(content, headers)


class MarkWritersFresh:
    """After a member changes anything (a POST that did not fail), their pages are fresh for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and response.status_code < 400
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and settings.VISITOR_CACHE_SECONDS > 0
        ):
            cache.set(_fresh_key(request.user.pk), True, settings.VISITOR_CACHE_SECONDS)
        return response
