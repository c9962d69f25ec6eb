"""Read paths for companies: industry rankings and the month's best responders."""

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone

from companies.models import Company, Scorecard
from companies.scoring import MIN_EVALUATED

RANKING_ROWS = 25
SHORT_RANKING_ROWS = 10

def industry_rankings(industry, window: str = "12m") -> dict:
    """The industry page's rankings, each ordered and cut in the database from the stored scorecards.

    An industry with thousands of companies costs the same few short reads as one with
    ten: the page shows the top of each list and how many there are, and links to the
    directory (filtered by the industry) for the rest.
    """
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
    cards = _this_month(now).filter(month_complaints__gte=minimum).annotate(
        share=Cast("month_answered", FloatField()) / F("month_complaints"), doubled=F("month_answered") * 2,
    )
    best = cards.filter(doubled__gte=F("month_complaints")).order_by("-share", "-month_complaints", "company__name")
    worst = cards.filter(doubled__lt=F("month_complaints")).order_by("share", "-month_complaints", "company__name")

    def rows(cards):
        return [{"company": card.company, "complaints": card.month_complaints, "answered": card.month_answered,
                 "share": round(100 * card.month_answered / card.month_complaints)} for card in cards[:limit]]

    return {"best": rows(best), "worst": rows(worst), "minimum": minimum}
