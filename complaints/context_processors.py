"""What the header shows: members their unread notifications, moderators the queue with the number waiting."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from complaints.models import is_moderator
from complaints.notifications import unread_count, unread_label

# Kept briefly in the shared cache: the header is on every page, and neither who
# moderates nor how many items wait needs to be exact to the second there (the
# queue itself and every moderation view read them afresh).
HEADER_SECONDS = 30
WAITING_KEY = "moderation-waiting"


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


def _waiting() -> int:
    waiting = cache.get(WAITING_KEY)
    if waiting is None:
        from complaints.moderation import queue_counts  # the moderation services import much; only moderators pay

        waiting = sum(queue_counts().values())
        cache.set(WAITING_KEY, waiting, HEADER_SECONDS)
    return waiting


def moderation(request):
    user = getattr(request, "user", None)
    if user is None or not is_moderator_for_header(user):
        return {}
    return {"show_moderation_link": True, "moderation_waiting": SimpleLazyObject(_waiting)}


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_label(unread_count(user)))}
