"""The cards of a complaint list, each kept in the shared cache.

A card's key is a digest of everything the card shows (status, title, story,
company, dates, language, days waited or hours to answer, stars): any change makes a new key, so a kept card is
never stale, for visitors, members, authors or companies alike. A list page
then costs one cache round trip for its cards instead of rendering twenty
templates. A search's highlighted words are part of the key.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

CARD_TEMPLATE = "includes/_complaint_card.html"
CARD_SECONDS = 24 * 3600  # safe to keep long: a changed card has another key


def card_key(complaint, show_company: bool) -> str:
    parts = [
        CARD_TEMPLATE, get_language(), timezone.get_current_timezone_name(), str(show_company),
        str(complaint.pk), complaint.status, complaint.title, complaint.story, str(complaint.text_held),
        complaint.language, complaint.published_at.isoformat() if complaint.published_at else "",
        # The wait grows by the day; the answer time and the stars change when they happen.
        str(complaint.days_without_answer), str(complaint.hours_to_first_answer),
        str(getattr(complaint, "card_rating", None)),
    ]
    if show_company:
        parts += [complaint.company.name, complaint.company.slug]
    # A search's highlighted title and excerpt (already escaped HTML) are part of what is shown.
    parts += [str(getattr(complaint, "title_html", None) or ""), str(getattr(complaint, "excerpt_html", None) or "")]
    return "card:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@register.simple_tag
def complaint_cards(complaints, show_company=True):
    complaints = list(complaints)
    keys = {complaint.pk: card_key(complaint, show_company) for complaint in complaints}
    kept = cache.get_many(list(keys.values())) if keys else {}
    parts, fresh = [], {}
    for complaint in complaints:
        key = keys.get(complaint.pk)
        html = kept.get(key) if key else None
        if html is None:
            html = render_to_string(CARD_TEMPLATE, {"complaint": complaint, "show_company": show_company})
            if key:
                fresh[key] = html
        parts.append(html)
    if fresh:
        cache.set_many(fresh, CARD_SECONDS)
    return mark_safe("".join(parts))  # noqa: S308 (each part is a rendered, autoescaped template)
