"""The orders complaint lists are paged in (core.paging.Sort), and the public list's count."""

from django.db import connections

from complaints.models import INBOX_FINISHED, INBOX_WAITED
from core import paging
from core.paging import Sort, capped_count
from core.visitor_cache import kept_like_pages

SORTS = {
    "newest": Sort(("published_at", "id"), descending=True),
    "oldest": Sort(("published_at", "id"), descending=False),
    "me_too": Sort(("me_too_count", "published_at", "id"), descending=True),
}

# The business inbox: waiting on someone first, the longest waiting first, finished ones
# last; the keys are expressions with matching indexes (complaints.models INBOX_FINISHED).
INBOX_SORT = Sort(
    ("inbox_finished", "inbox_waited", "id"), descending=False,
    expressions=(("inbox_finished", INBOX_FINISHED), ("inbox_waited", INBOX_WAITED)),
    moments=frozenset({"inbox_waited"}), flags=frozenset({"inbox_finished"}),
)
# The moderation queue: complaints waiting for review, the longest waiting first.
PENDING_SORT = Sort(("created_at", "id"), descending=False)
# "My complaints": drafts have no publication date, so the newest created first.
MINE_SORT = Sort(("created_at", "id"), descending=True)
NOTIFICATION_SORT = Sort(("created_at", "id"), descending=True)


def public_count(queryset) -> tuple[int, bool]:
    """The unfiltered public list's count: from the planner's statistics when they show far more than the cap.

    The partial index of public complaints knows roughly how many rows it
    holds (kept by VACUUM and ANALYZE); beyond twice the cap "more than
    COUNT_CAP" is certain and nothing is counted.
    """
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        def estimate():
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'complaint_public_newest'")
                row = cursor.fetchone()
            return row[0] if row else -1

        if kept_like_pages("public-complaints-estimate", estimate) > 2 * paging.COUNT_CAP:
            return paging.COUNT_CAP, True
    return capped_count(queryset)
