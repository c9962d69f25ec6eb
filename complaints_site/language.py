"""Choosing the interface language with a plain GET form.

Django's own set_language wants a POST with a CSRF token, and a token in the
footer of every page would make every page personal: none could be kept for
visitors (core/visitor_cache.py). Switching someone's language is
harmless, so this view needs no token; it only follows a local `next`. A signed-in
member's choice is also kept with them: their e-mails are written in it.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from complaints.services.participation import member_language_set
from core.i18n_urls import localized_url


@never_cache
@require_safe
def choose_language(request):
    destination = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(destination, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        destination = "/"
    code = request.GET.get("language", "")
    if code in dict(settings.LANGUAGES):
        destination = localized_url(destination, code)  # the same page, in the address of its language
    response = HttpResponseRedirect(destination)
    if code in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            member_language_set(user=request.user, language=code)
        set_language_cookie(response, code)
    return response


def set_language_cookie(response, code: str) -> None:
    """The interface speaks `code` from the next page on (also used on sign-in)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
