"""Addresses in a language: English at the root (/complaints/…), the others under their code
(/sv/complaints/…). Links that outlive a request (mails, notifications, exports) are kept
language-neutral and put into the reader's language when they are shown or sent."""

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

# Addresses that are the same in every language (the API, files, machinery): never prefixed.
NEUTRAL_PREFIXES = ("/api/", "/robots.txt", "/sitemap", "/health", "/readyz", "/static/", "/language/", "/i18n/",
                    "/open-data/complaints.", "/open-data/companies.", "/open-data/files/")


def language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def is_neutral(path: str) -> bool:
    return path.startswith(NEUTRAL_PREFIXES) or path.startswith("/" + settings.ADMIN_URL)


def neutral_path(path: str) -> str:
    """The path without a language prefix: /sv/complaints/ → /complaints/."""
    parts = path.split("/", 2)
    if len(parts) >= 2 and parts[1] in language_codes() and parts[1] != settings.LANGUAGE_CODE:
        return "/" + (parts[2] if len(parts) > 2 else "")
    return path


def neutral_url(url: str) -> str:
    """A site address (absolute with SITE_URL, or a path) without a language prefix."""
    if url.startswith(settings.SITE_URL + "/"):
        return settings.SITE_URL + neutral_path(url.removeprefix(settings.SITE_URL))
    return neutral_path(url) if url.startswith("/") else url


def localized_url(url: str, language: str) -> str:
    """The same page in `language` (unchanged for an address that is not a page of ours)."""
    url = neutral_url(url)
    path = url.removeprefix(settings.SITE_URL) if url.startswith(settings.SITE_URL + "/") else url
    if not path.startswith("/") or is_neutral(path):
        return url
    with translation.override(settings.LANGUAGE_CODE):
        localized = translate_url(path, language)
    return settings.SITE_URL + localized if url.startswith(settings.SITE_URL) else localized


def canonical_url(path: str) -> str:
    """The absolute, language-neutral (English) address of a page, for records that outlive a request."""
    return settings.SITE_URL + neutral_path(path)
