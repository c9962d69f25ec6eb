"""Read paths for companies: the business inbox, scorecards, charts and rankings."""

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
    # (complaints.moderation moves both).
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


# Scorecards, charts and rankings.

def scorecard_charts(card) -> list:
    """The company page's charts, from stored figures only."""
    from django.utils.text import capfirst
    from django.utils.translation import gettext as _

    from companies.charts import bar_chart, month_label
    from complaints.models import Evaluation

    charts = []
    if card.monthly:
        charts.append(bar_chart(
            _("Complaints per month"),
            [(month_label(m["month"]), m["complaints"], f'{month_label(m["month"])}: {m["complaints"]}')
             for m in card.monthly],
        ))
        charts.append(bar_chart(
            _("Share answered per month"),
            [(month_label(m["month"]),
              round(100 * m["answered"] / m["complaints"]) if m["complaints"] else 0,
              f'{month_label(m["month"])}: '
              + (f'{round(100 * m["answered"] / m["complaints"])}% ({m["answered"]}/{m["complaints"]})'
                 if m["complaints"] else "—"))
             for m in card.monthly],
            max_value=100, unit="%",
        ))
    averages = card.factor_averages()
    if averages:
        labels = {name: capfirst(str(Evaluation._meta.get_field(name).verbose_name)) for name in Evaluation.FACTORS}
        charts.append(bar_chart(
            _("Service factors, average of 5"),
            [(labels[name], round(avg, 1), f"{labels[name]}: {avg:.1f} / 5 (n = {n})")
             for name, (avg, n) in averages.items()],
            max_value=5,
        ))
    return charts


# Companies listed per ranking of the industry page; the directory lists all of them.
RANKING_ROWS = 25
SHORT_RANKING_ROWS = 10


def industry_rankings(industry, window: str = "12m") -> dict:
    """The industry page's rankings, each ordered and cut in the database from the stored scorecards.

    An industry with thousands of companies costs the same few short reads as one with
    ten: the page shows the top of each list and how many there are, and links to the
    directory (filtered by the industry) for the rest.
    """
    from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef

    from companies.models import Company, Scorecard
    from companies.scoring import MIN_EVALUATED

    cards = (
        Scorecard.objects.filter(window=window, company__industry=industry, company__is_listed=True, complaints__gt=0)
        .select_related("company")
        .only("company__name", "company__slug", "complaints", "answered", "evaluated", "score", "score_low",
              "score_high", "label", "median_answer_hours")
    )
    scored, unscored = cards.filter(score__isnull=False), cards.filter(score__isnull=True)
    share = ExpressionWrapper(F("answered") * 1.0 / F("complaints"), output_field=FloatField())
    with_complaints = Scorecard.objects.filter(company=OuterRef("pk"), window=window, complaints__gt=0)
    silent = Company.objects.listed().filter(industry=industry).exclude(Exists(with_complaints)).only("name", "slug")
    rankings = {
        "best": list(scored.order_by("-score", "company__name")[:RANKING_ROWS]),
        "scored_count": scored.count(),
        "worst_responders": list(
            cards.annotate(share=share).order_by("share", "-complaints", "company__name")[:SHORT_RANKING_ROWS]
        ),
        "fastest": list(cards.filter(median_answer_hours__isnull=False)
                        .order_by("median_answer_hours", "company__name")[:SHORT_RANKING_ROWS]),
        "most_complaints": list(cards.order_by("-complaints", "company__name")[:SHORT_RANKING_ROWS]),
        "min_evaluated": MIN_EVALUATED,
    }
    rankings["unscored"] = list(unscored.order_by("company__name")[:RANKING_ROWS])
    rankings["silent"] = list(silent.order_by("name")[:RANKING_ROWS])
    rankings["unscored_count"], rankings["silent_count"] = unscored.count(), silent.count()
    # Those without a score, shown and in all: the page links to the directory for the rest.
    rankings["unranked_shown"] = len(rankings["unscored"]) + len(rankings["silent"])
    rankings["unranked_count"] = rankings["unscored_count"] + rankings["silent_count"]
    return rankings


def _this_month(now=None):
    """The 12-month scorecards of listed companies whose last month is this month (month_* columns)."""
    from django.utils import timezone

    from companies.models import Scorecard

    key = timezone.localtime(now or timezone.now()).strftime("%Y-%m")
    return (
        Scorecard.objects.filter(window=Scorecard.Window.LAST_12_MONTHS, month=key, company__is_listed=True)
        .select_related("company").only("company__name", "company__slug", "month_complaints", "month_answered")
    )


def month_top_companies(now=None, limit: int = 6) -> list:
    """The companies with most public complaints published this month, each with its `complaint_count`."""
    cards = _this_month(now).filter(month_complaints__gt=0).order_by("-month_complaints", "company__name")[:limit]
    companies = []
    for card in cards:
        card.company.complaint_count = card.month_complaints
        companies.append(card.company)
    return companies


def month_responders(now=None, minimum: int = 2, limit: int = 5) -> dict:
    """This month's best and worst responders: answered share of the complaints published this month.

    Best: at least half answered; worst: less than half, so no company is both.
    Read from the stored month columns, a few rows each, however many companies there are.
    """
    from django.db.models import F, FloatField
    from django.db.models.functions import Cast

    cards = _this_month(now).filter(month_complaints__gte=minimum).annotate(
        share=Cast("month_answered", FloatField()) / F("month_complaints"), doubled=F("month_answered") * 2,
    )
    best = cards.filter(doubled__gte=F("month_complaints")).order_by("-share", "-month_complaints", "company__name")
    worst = cards.filter(doubled__lt=F("month_complaints")).order_by("share", "-month_complaints", "company__name")

    def rows(cards):
        return [{"company": card.company, "complaints": card.month_complaints, "answered": card.month_answered,
                 "share": round(100 * card.month_answered / card.month_complaints)} for card in cards[:limit]]

    return {"best": rows(best), "worst": rows(worst), "minimum": minimum}
