"""Where the portal differs from django-allauth's defaults."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import filter_users_by_email
from allauth.core import context as allauth_context
from django.conf import settings
from django.utils import translation

from complaints.models import MemberPreferences
from complaints.services.participation import member_language_set
from complaints_site.language import set_language_cookie
from complaints_site.mail import send_later


def portal_site() -> SimpleNamespace:
    """The site as mails name it: SITE_NAME and SITE_URL's host, never the request's Host."""
    return SimpleNamespace(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def _on_site_url(context: dict) -> dict:
    """allauth builds its links (confirm, reset, sign up) from the request's host; ours start with SITE_URL."""
    request = allauth_context.request
    if request is None:
        return context
    host_root, site_root = request.build_absolute_uri("/"), settings.SITE_URL + "/"
    return {
        key: site_root + value.removeprefix(host_root)
        if isinstance(value, str) and value.startswith(host_root) else value
        for key, value in context.items()
    }


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Written in the recipient's own language; a mail about an address with no account
        # (or a member who never chose) goes out in the language of the page that asked for it.
        user = context.get("user") or next(iter(filter_users_by_email(email)), None)
        language = MemberPreferences.language_of(user) or translation.get_language()
        with translation.override(language):
            # Without django.contrib.sites allauth would say "Hello from 127.0.0.1:8201!".
            message = self.render_mail(template_prefix, email, {
                "request": allauth_context.request, "email": email, "current_site": portal_site(),
                **_on_site_url(context),
            })
        send_later(message)  # by a task: the mail server is never waited for in the request

    def post_login(self, request, user, **kwargs):
        # Signing in brings back the member's own language, the success message included.
        language = MemberPreferences.language_of(user)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = super().post_login(request, user, **kwargs)
        if language:
            set_language_cookie(response, language)
        return response

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            # The language of the sign-up page is the member's until they switch.
            member_language_set(user=user, language=translation.get_language())
        return user
