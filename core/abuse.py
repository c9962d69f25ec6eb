"""Anti-abuse without third-party services: rate limits, a honeypot and a minimum fill time.

Rate limits reuse django-allauth's limiter (``allauth.core.ratelimit.consume``), which
reads ``settings.ACCOUNT_RATE_LIMITS`` by action name, so our actions sit beside
allauth's own ("login", "signup", ...) and share their machinery:

* counters live in Django's default cache: local memory on one machine, Redis when
  ``REDIS_URL`` is set, so every worker process sees the same counts;
* "user" rates count per member, "ip" rates per client address, which allauth takes
  from ``X-Forwarded-For`` only as far as ``ALLAUTH_TRUSTED_PROXY_COUNT`` allows
  (``REMOTE_ADDR`` when it is 0), so a forged header does not reset a limit;
* a refused request is not counted.

Use ``@rate_limited("comment")`` below ``@login_required`` (the per-member rates need
a member); only POSTs are counted. Where only a valid form should cost something,
call ``limit(request, action)`` after validation instead.
"""

import logging
import math
import secrets
import time
from functools import wraps
from http import HTTPStatus

from allauth.account.adapter import get_adapter
from allauth.account.views import LoginView as AllauthLoginView
from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.cache import UNREACHABLE as CACHE_UNREACHABLE
from core.cache import cache_is_up, cache_required

logger = logging.getLogger(__name__)

# allauth's limiter keeps its configuration under this app's settings (ACCOUNT_RATE_LIMITS).
RATE_LIMIT_APP = "allauth.account"

# allauth's own views that answer 429, with the action they count, so that their
# 429 page can also say when to try again.
ALLAUTH_VIEW_ACTIONS = {
    "account_login": "login",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
    "account_email": "manage_email",
    "account_reauthenticate": "reauthenticate",
}


# ---- Rate limits ------------------------------------------------------------

def consume(request, action: str) -> int | None:
    """Count one use of ``action`` by this member and address.

    Returns None when it is allowed, else the seconds until it will be. A refused
    use counts nowhere: all rates are checked first, and only then is one use
    recorded against each of them.
    """
    user = request.user if request.user.is_authenticated else None
    if ratelimit.consume(request, action=action, user=user, dry_run=True) and ratelimit.consume(
        request, action=action, user=user
    ):
        return None
    return retry_after(request, action)


def retry_after(request, action: str, key: str | None = None) -> int:
    """Seconds until ``action`` is allowed again for this member and address, or `key` (at least 1)."""
    return max(1, math.ceil(_wait(request, action, key)))


def _wait(request, action: str, rate_key: str | None = None) -> float:
    """Seconds until every full rate of ``action`` has room again; 0 when none is full."""
    user = request.user if request.user.is_authenticated else None
    now = time.time()
    wait = 0.0
    for rate in allauth_ratelimit.get_rates(app=RATE_LIMIT_APP, action=action):
        try:
            key = allauth_ratelimit.get_cache_key(
                request, app=RATE_LIMIT_APP, action=action, rate=rate, user=user, key=rate_key
            )
        except ImproperlyConfigured:
            continue  # a per-member rate for a visitor, or a per-key rate without its key
        history = sorted((t for t in cache.get(key, []) if t > now - rate.duration), reverse=True)
        if len(history) >= rate.amount:
            # Allowed again once the amount-th newest use leaves the window.
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return wait


def limit(request, action: str):
    """None when ``action`` may go ahead (and it is counted), else the 429 response; the 503 one
    when the counters cannot be reached (Redis down): a write that cannot be counted is refused."""
    try:
        with cache_required():
            wait = consume(request, action)
    except CACHE_UNREACHABLE:
        logger.warning("Rate limit %r cannot be checked: the cache is unreachable", action)
        return limits_unavailable(request)
    if wait is None:
        return None
    logger.warning("Rate limit %r reached", action)
    return too_many_requests(request, retry_after=wait)


def rate_limited(action: str):
    """View decorator: POSTs count against ``settings.ACCOUNT_RATE_LIMITS[action]``; GETs never do."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                response = limit(request, action)
                if response is not None:
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def limits_unavailable(request):
    """Rate limits cannot be counted: nothing was done; try again shortly."""
    response = render(request, "limits_unavailable.html", status=HTTPStatus.SERVICE_UNAVAILABLE)
    response["Retry-After"] = "60"
    return response


def too_many_requests(request, retry_after: int | None = None):
    """The friendly 429 page; also allauth's (``handler429`` in the root URLconf)."""
    if retry_after is None and not cache_is_up():
        # allauth's limiter (signup, password reset, ...) says "limited" when it cannot reach its counters.
        logger.warning("An allauth rate limit cannot be checked: the cache is unreachable")
        return limits_unavailable(request)
    if retry_after is None:
        match = getattr(request, "resolver_match", None)
        action = ALLAUTH_VIEW_ACTIONS.get(match.url_name if match else "")
        if action:
            retry_after = retry_after_if_limited(request, action)
    context = {"retry_after": retry_after}
    if retry_after:
        minutes = math.ceil(retry_after / 60)
        if minutes > 90:
            context["retry_hours"] = math.ceil(retry_after / 3600)
        else:
            context["retry_minutes"] = minutes
    response = render(request, "429.html", context, status=HTTPStatus.TOO_MANY_REQUESTS)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def retry_after_if_limited(request, action: str) -> int | None:
    """Like retry_after, but None when no rate of ``action`` that we can work out is full."""
    wait = _wait(request, action)
    return math.ceil(wait) if wait > 0 else None


class LoginView(AllauthLoginView):
    """allauth's login (the admin's too), answering 429 once too many wrong passwords were tried.

    allauth shows its "too many failed login attempts" message in the form with a
    200; the page stays the same, with the status a client or proxy understands.
    """

    def dispatch(self, request, *args, **kwargs):
        # allauth counts login attempts in the cache: with it unreachable, nobody may guess passwords
        # uncounted. Its "login" limit runs in dispatch, before post; refused at once, not after its lock wait.
        if request.method != "POST":
            return super().dispatch(request, *args, **kwargs)
        try:
            with cache_required():
                return super().dispatch(request, *args, **kwargs)
        except CACHE_UNREACHABLE:
            logger.warning("Login attempts cannot be counted: the cache is unreachable")
            return limits_unavailable(request)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts"):
            response.status_code = HTTPStatus.TOO_MANY_REQUESTS
            # allauth counts failures per address typed (its "key") and per client address.
            key = get_adapter(self.request)._get_login_attempts_cache_key(
                self.request, email=form.data.get("login", "")
            )
            response["Retry-After"] = str(max(1, math.ceil(_wait(self.request, "login_failed", key))))
        return response


login = LoginView.as_view()


# ---- Honeypot and minimum fill time -----------------------------------------

BOT_ERROR = _("Please take a moment to check the form and send it again.")
_STAMP_SALT = "complaints.abuse.form-started"  # kept from where it was written first: stamps stay valid
# A stamp is good for this long; its used nonce is remembered (in the shared cache) as long.
STAMP_MAX_AGE = 24 * 3600


def _stamp_signer():
    return signing.TimestampSigner(salt=_STAMP_SALT)


def _stamp(form_name: str) -> str:
    # A fresh nonce in every stamp makes each rendering single-use.
    return _stamp_signer().sign(f"{form_name}/{secrets.token_urlsafe(12)}")


def _stamp_parts(stamp: str) -> tuple[str, str]:
    """The form name and nonce a stamp carries (BadSignature when it was not signed by us)."""
    form_name, _sep, nonce = _stamp_signer().unsign(stamp).partition("/")
    return form_name, nonce


def restamped(stamp: str) -> str:
    """A kept page's form time signed now, as if the page had just been rendered (a foreign value stays)."""
    try:
        form_name, _nonce = _stamp_parts(stamp)
    except signing.BadSignature:
        return stamp
    return _stamp(form_name)


class HumanCheckMixin(forms.Form):
    """A honeypot field and a signed "form shown at" time, for public forms.

    A bound form is refused, with a neutral error and nothing saved, when the
    honeypot holds anything, the time is missing or tampered with, or it was sent
    sooner than ``settings.FORM_MIN_FILL_SECONDS`` after being shown. A missing time
    passes only when that setting is 0. Each stamp is good for one valid submission:
    sent again with another submission token (not a double click, which that token
    makes harmless) it is refused, so one wait cannot be replayed for many forms.
    """

    # Visually hidden in the template; people never see it, simple bots fill it.
    extra_note = forms.CharField(
        label=_("Leave this empty"), required=False, strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["form_started"].initial = self._new_stamp()

    def _new_stamp(self) -> str:
        return _stamp(type(self).__name__)

    def _stamp_problem(self, stamp: str) -> str | None:
        minimum = getattr(settings, "FORM_MIN_FILL_SECONDS", 3)
        if not stamp:
            return None if minimum <= 0 else "missing"
        try:
            # The signed value names the form: a time signed for one form is no good for another.
            form_name, nonce = _stamp_parts(stamp)
            if form_name != type(self).__name__ or not nonce:
                return "tampered"
        except signing.BadSignature:
            return "tampered"
        if minimum <= 0:
            return None
        try:
            # Still within max_age means it came back too soon.
            _stamp_signer().unsign(stamp, max_age=minimum)
        except signing.SignatureExpired:
            pass  # the signature is good (checked above) and old enough
        else:
            return "fast"
        try:
            # Older than its used nonce is remembered: it could be replayed, so it is refused.
            _stamp_signer().unsign(stamp, max_age=STAMP_MAX_AGE)
        except signing.SignatureExpired:
            return "expired"
        return None

    def _stamp_reused(self, stamp: str) -> bool:
        """Record this stamp as used; True when another submission used it already."""
        if not stamp or getattr(settings, "FORM_MIN_FILL_SECONDS", 3) <= 0:
            return False  # no minimum fill time: the stamp guards nothing
        _form_name, nonce = _stamp_parts(stamp)
        token = str(self.data.get(self.add_prefix("submission_token")) or "-")
        key = f"form-stamp-used:{nonce}"
        try:
            with cache_required():
                if cache.add(key, token, timeout=STAMP_MAX_AGE):
                    return False
                used_by = cache.get(key)
        except CACHE_UNREACHABLE:
            # Unknown while Redis is down: let it through rather than call a person a bot. A public
            # write (a complaint, a comment) is rate-limited next, and that refuses it until Redis is back.
            return False
        # The same submission again (a double click) is not a replay: its token makes it harmless.
        return token == "-" or used_by != token

    def _refuse(self, problem: str) -> None:
        logger.info("Form %s refused as automated: %s", type(self).__name__, problem)
        if problem in ("missing", "tampered", "expired", "reused"):
            # The form shown again carries a good time, so a person can send it.
            self.data = self.data.copy()
            self.data[self.add_prefix("form_started")] = self._new_stamp()
        raise ValidationError(BOT_ERROR, code="automated")

    def clean(self):
        cleaned = super().clean()
        problem = "honeypot" if self.data.get(self.add_prefix("extra_note")) else None
        problem = problem or self._stamp_problem(self.data.get(self.add_prefix("form_started")) or "")
        if problem:
            self._refuse(problem)
        return cleaned

    def full_clean(self):
        super().full_clean()
        # Only a submission that is valid in every other way uses up its stamp, so a
        # person correcting a mistake sends the same stamp again.
        if self.is_bound and not self._errors and self._stamp_reused(self.data.get(self.add_prefix("form_started"))):
            try:
                self._refuse("reused")
            except ValidationError as error:
                self.add_error(None, error)
