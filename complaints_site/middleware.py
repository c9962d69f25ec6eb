"""Site middleware: a second factor for roles, request ids in the logs, the language from the URL or cookie."""

import re
import uuid

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from companies.models import Representative
from complaints_site.logging import current_request
from core.i18n_urls import is_neutral, language_codes, localized_url
from core.roles import is_moderator

# Pages a person without a second factor can still reach: setting one up, their
# account, signing out, and the static files.
ALWAYS_OPEN = ("/accounts/", "/static/", "/i18n/", "/health/")


class RequireSecondFactorMiddleware:
    """With REQUIRE_MFA_FOR_STAFF on, moderators and representatives must set up a second factor first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.REQUIRE_MFA_FOR_STAFF and self._must_set_up(request):
            messages.info(request, _("Your role needs a second factor: set up an authenticator app to continue."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(ALWAYS_OPEN):
            return False
        has_role = user.is_staff or is_moderator(user) or Representative.objects.filter(user=user).exists()
        return has_role and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Each request has an id (a proxy's X-Request-ID, if it looks like one, else a new one): every
    log line written while it runs names it, and the response carries it back for reports."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = current_request.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-ID"] = request_id
        return response


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, with two additions.

    * The addresses that are the same in every language (the API, the files) speak the
      language of the request's cookie or Accept-Language, as every page did before pages had
      their language in the address.
    * Someone who chose a language (the cookie) and opens an English address of a page is
      sent to that page in their language: links in mails and old bookmarks have no prefix.
      A temporary redirect, varying by the cookie: the English address stays the English page
      for everyone else, search engines included.
    """

    def process_request(self, request):
        if is_neutral(request.path_info):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
            return None
        super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (request.method in ("GET", "HEAD") and chosen in language_codes() and chosen != settings.LANGUAGE_CODE
                and translation.get_language_from_path(request.path_info) is None):
            target = localized_url(request.path_info, chosen)
            if target != request.path_info:
                query = request.META.get("QUERY_STRING", "")
                response = HttpResponseRedirect(target + (f"?{query}" if query else ""))
                patch_vary_headers(response, ("Cookie",))
                return response
        return None
