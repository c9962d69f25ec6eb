"""schema.org markup for search engines, written as JSON-LD (a data block no browser runs)."""

import json

from django import template
from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from core.i18n_urls import is_neutral, language_codes, localized_url

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the script element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _ld_json(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)


@register.simple_tag
def organization_ld(company, card=None):
    """A company as an Organization; its score as a rating only where the page shows a score."""
    data = {
        "@context": "https://schema.org", "@type": "Organization", "name": company.name,
        "url": settings.SITE_URL + company.get_absolute_url(),
    }
    if company.website:
        data["sameAs"] = [company.website]
    if card is not None and card.score is not None and card.evaluated:
        data["aggregateRating"] = {
            "@type": "AggregateRating", "ratingValue": round(card.score, 1), "bestRating": 10, "worstRating": 0,
            "ratingCount": card.evaluated,
        }
    return _ld_json(data)


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """The page in each language (hreflang), English also as the default, for search engines."""
    request = context.get("request")
    if request is None or getattr(request, "resolver_match", None) is None or is_neutral(request.path_info):
        return ""
    links = [(code, settings.SITE_URL + localized_url(request.path_info, code)) for code in sorted(language_codes())]
    links.append(("x-default", settings.SITE_URL + localized_url(request.path_info, settings.LANGUAGE_CODE)))
    return format_html_join("\n  ", '<link rel="alternate" hreflang="{}" href="{}">', links)
