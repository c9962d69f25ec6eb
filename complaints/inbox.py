"""The business inbox: a company's public complaints in views by what waits, counted and paged by index."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from complaints.models import Complaint, Offer
from complaints.sorts import INBOX_SORT
from core.paging import capped_counts, keyset_page_or_first

# Inbox views, each with its own index (complaints.models, "complaint_inbox_*"); every view
# lists in INBOX_SORT order: waiting on someone first, the longest waiting first.
INBOX_VIEWS = ["awaiting", "overdue", "author", "offers", "resolved", "unresolved"]


def inbox_filters(companies, now=None) -> dict:
    now = now or timezone.now()
    overdue_cutoff = now - timedelta(days=settings.ANSWER_OVERDUE_DAYS)
    # An open offer whose date has passed is no longer pending: it can no longer be accepted.
    # Read from the companies' open offers (a few, by their own index), not by asking every
    # complaint of the company whether it has one. An offer's company follows its complaint's
    # (complaints.services.moderation moves both).
    open_offers = Offer.objects.filter(
        company__in=companies, status=Offer.Status.OPEN, expires_on__gte=timezone.localdate(now)
    ).values("complaint_id")
    return {
        "awaiting": Q(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True),
        "overdue": Q(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True,
                     published_at__lt=overdue_cutoff),
        "author": Q(waiting_on=Complaint.WaitingOn.AUTHOR) & Q(status__in=Complaint.PUBLIC_STATUSES),
        "offers": Q(pk__in=open_offers),
        "resolved": Q(status=Complaint.Status.RESOLVED),
        "unresolved": Q(status=Complaint.Status.UNRESOLVED),
    }


def _of(companies):
    """The companies' public complaints; `company=` for one, which the indexes start with."""
    complaints = Complaint.objects.public()
    if len(companies) == 1:
        return complaints.filter(company=companies[0])
    return complaints.filter(company__in=companies)


def inbox_counts(companies) -> tuple[dict, set]:
    """How many complaints each inbox view holds, and which views hold more than COUNT_CAP.

    One capped count per view, each through its index, all in one query: a company with
    70,000 complaints costs the same seven short reads as one with seven (an aggregate
    over all of them took half a second). Past the cap the inbox says "more than 1,000".
    """
    complaints = _of(companies)
    views = {name: complaints.filter(condition) for name, condition in [("total", Q()), *inbox_filters(companies).items()]}
    counted = capped_counts(views)
    return {name: count for name, (count, _over) in counted.items()}, {name for name, (_n, over) in counted.items() if over}


def inbox_complaints(companies, view: str | None):
    complaints = _of(companies).select_related("company")
    if view in INBOX_VIEWS:
        complaints = complaints.filter(inbox_filters(companies)[view])
    return complaints


def inbox_page(companies, view: str | None, *, per_page: int, after: str = "", before: str = ""):
    """One page of the inbox, in INBOX_SORT order after or before a cursor; and whether the cursor was bad.

    Several companies are read one by one and merged (paging.keyset_page's parts), each
    through its own index.
    """
    parts = [inbox_complaints([company], view) for company in companies] if len(companies) > 1 else None
    return keyset_page_or_first(inbox_complaints(companies, view), INBOX_SORT, per_page=per_page,
                                after=after, before=before, parts=parts)
