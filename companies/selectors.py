"""Read paths for companies: the business inbox and the basic public record."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from complaints.models import Complaint, Offer

# Inbox views: name → (label, filter). Oldest waiting first in every view.
INBOX_VIEWS = ["awaiting", "overdue", "author", "offers", "resolved", "unresolved"]


def inbox_filters(now=None) -> dict:
    now = now or timezone.now()
    overdue_cutoff = now - timedelta(days=settings.ANSWER_OVERDUE_DAYS)
    # An open offer whose date has passed is no longer pending: it can no longer be accepted.
    open_offer = Exists(Offer.objects.filter(
        complaint=OuterRef("pk"), status=Offer.Status.OPEN, expires_on__gte=timezone.localdate(now)
    ))
    return {
        "awaiting": Q(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True),
        "overdue": Q(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True,
                     published_at__lt=overdue_cutoff),
        "author": Q(waiting_on=Complaint.WaitingOn.AUTHOR) & Q(status__in=Complaint.PUBLIC_STATUSES),
        "offers": Q(open_offer),
        "resolved": Q(status=Complaint.Status.RESOLVED),
        "unresolved": Q(status=Complaint.Status.UNRESOLVED),
    }


def inbox_counts(companies) -> dict:
    """How many complaints each inbox view holds, for all the given companies, in one query."""
    filters = inbox_filters()
    counts = (
        Complaint.objects.public().filter(company__in=companies)
        .aggregate(**{name: Count("pk", filter=condition) for name, condition in filters.items()},
                   total=Count("pk"))
    )
    return counts


def inbox_complaints(companies, view: str | None):
    complaints = Complaint.objects.public().filter(company__in=companies).select_related("company")
    if view in INBOX_VIEWS:
        complaints = complaints.filter(inbox_filters()[view])
    # Complaints waiting on someone first, oldest waiting first; finished ones last.
    finished_last = Case(When(waiting_on=Complaint.WaitingOn.NOBODY, then=Value(1)), default=Value(0))
    return complaints.order_by(finished_last, "waiting_since", "published_at", "pk")


def company_record(company) -> dict:
    """The basic public record shown on the company page (the full scorecard comes later)."""
    answered = Q(first_answered_at__isnull=False)
    evaluated = Q(evaluation__isnull=False)
    complaints = Complaint.objects.public().filter(company=company).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=answered),
        evaluated=Count("pk", filter=evaluated),
        resolved=Count("pk", filter=evaluated & Q(evaluation__resolved=True)),
    )
    offers = Offer.objects.filter(company=company, complaint__status__in=Complaint.PUBLIC_STATUSES).aggregate(
        made=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=[Offer.Status.ACCEPTED, Offer.Status.DELIVERED,
                                                  Offer.Status.CONFIRMED, Offer.Status.DISPUTED])),
    )
    record = {**complaints, "offers_made": offers["made"], "offers_accepted": offers["accepted"]}
    record["answered_share"] = _share(record["answered"], record["total"])
    record["resolved_share"] = _share(record["resolved"], record["evaluated"])
    return record


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None
