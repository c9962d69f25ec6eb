import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints_site.logging import current_request

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
        from allauth.mfa.models import Authenticator

        from companies.models import Representative
        from complaints.models import is_moderator

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
