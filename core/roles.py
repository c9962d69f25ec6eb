"""Who moderates: the one rule every app asks, and its cached form for the page header."""

from django.conf import settings
from django.core.cache import cache

# Kept briefly in the shared cache: the header is on every page, and who moderates need not
# be exact to the second there (every moderation view asks is_moderator afresh).
HEADER_SECONDS = 30


def is_moderator(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=settings.MODERATORS_GROUP).exists()


def is_moderator_for_header(user) -> bool:
    """is_moderator, read from the shared cache: no query on a member's ordinary page."""
    if not user.is_authenticated:
        return False
    key = f"is-moderator:{user.pk}"
    known = cache.get(key)
    if known is None:
        known = is_moderator(user)
        cache.set(key, known, HEADER_SECONDS)
    return known
