"""What the header shows: members their unread notifications, moderators the queue with the number waiting."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from complaints.services.moderation import queue_counts
from complaints.services.notifications import unread_count, unread_label
from core.roles import HEADER_SECONDS, is_moderator_for_header

# How many items wait is kept as briefly as who moderates (core.roles): the queue itself
# reads it afresh.
WAITING_KEY = "moderation-waiting"


def _waiting() -> int:
    waiting = cache.get(WAITING_KEY)
    if waiting is None:
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
