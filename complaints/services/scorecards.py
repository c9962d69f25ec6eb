"""Keeping every company's scorecard current, from its complaints, and drawing its charts.

Figures are stored, not computed per page view. Any service that changes a
complaint in a way the figures see (publish, answer, offer, evaluation, reopen,
withdraw, close, hide) schedules `scorecard_refresh` for that company after its
transaction commits; `manage.py recompute_scorecards` recomputes everything from
the raw rows (for cron, and after imports) and re-scores every company against
fresh portal-wide priors. Months are counted in the portal's time zone.
"""

import statistics
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.tasks import task
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from companies.charts import bar_chart, month_label
from companies.models import Company, PendingScorecardRefresh, Scorecard
from companies.scoring import Rate, rating_rate, reputation_score
from complaints.models import Complaint, Evaluation, Offer
from complaints.services.notifications import company_follower_ids, notify_users
from core.public_content import public_content_changed

WINDOW_MONTHS = {Scorecard.Window.LAST_12_MONTHS: 12, Scorecard.Window.LAST_6_MONTHS: 6, Scorecard.Window.ALL_TIME: None}
ACCEPTED_OFFER_STATUSES = ("accepted", "delivered", "confirmed", "disputed")
DELIVERED_OFFER_STATUSES = ("delivered", "confirmed")
NEUTRAL_PRIOR = 0.5


def month_start(moment: datetime, months_back: int) -> datetime:
    """The first instant of the month `months_back` months before the month of `moment` (local time)."""
    local = timezone.localtime(moment)
    year, month = local.year, local.month - months_back
    while month <= 0:
        month += 12
        year -= 1
    return local.replace(year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def window_start(window: str, now: datetime) -> datetime | None:
    months = WINDOW_MONTHS[window]
    return None if months is None else month_start(now, months - 1)


def company_figures(company_id: int, window: str, now: datetime) -> dict:
    """The raw counts for one company and window, straight from the complaint rows."""
    complaints = Complaint.objects.public().filter(company_id=company_id)
    start = window_start(window, now)
    if start is not None:
        complaints = complaints.filter(published_at__gte=start)
    within_7_days = Q(first_answered_at__isnull=False) & Q(first_answered_at__lte=F("published_at") + timedelta(days=7))
    counts = complaints.aggregate(
        complaints=Count("pk"),
        answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
        answered_in_7_days=Count("pk", filter=within_7_days),
        # Each complaint keeps its number of "me too" (the service keeps it
        # equal to the rows): summed here instead of joining every MeToo row.
        me_too=Sum("me_too_count"),
    )
    counts["me_too"] = counts["me_too"] or 0
    waits = [
        (answered - published).total_seconds() / 3600
        for published, answered in complaints.filter(first_answered_at__isnull=False).values_list(
            "published_at", "first_answered_at"
        )
    ]
    # One pass over the evaluations for every figure drawn from them.
    evaluations = Evaluation.objects.filter(complaint__in=complaints).aggregate(
        **{f"{name}_sum": Sum(name) for name in Evaluation.FACTORS},
        **{f"{name}_n": Count(name) for name in Evaluation.FACTORS},
        evaluated=Count("pk"),
        resolved=Count("pk", filter=Q(resolved=True)),
        would_return=Count("pk", filter=Q(would_return=True)),
        ratings_sum=Sum("rating"),
        ratings_sq_sum=Sum(F("rating") * F("rating")),
    )
    offers = Offer.objects.filter(complaint__in=complaints)
    offer_counts = offers.aggregate(
        offers_made=Count("pk"),
        offers_accepted=Count("pk", filter=Q(status__in=ACCEPTED_OFFER_STATUSES)),
        offers_delivered=Count("pk", filter=Q(status__in=DELIVERED_OFFER_STATUSES)),
        free_days=Sum("days", filter=Q(status__in=ACCEPTED_OFFER_STATUSES, kind="free_days")),
    )
    credited = {
        row["currency"]: str(row["total"].quantize(Decimal("0.01")))
        for row in offers.filter(status__in=ACCEPTED_OFFER_STATUSES, amount__isnull=False)
        .exclude(currency="").values("currency").annotate(total=Sum("amount")).order_by("currency")
    }
    return {
        **counts,
        "median_answer_hours": round(statistics.median(waits), 2) if waits else None,
        "evaluated": evaluations["evaluated"],
        "resolved": evaluations["resolved"],
        "would_return": evaluations["would_return"],
        "ratings_sum": evaluations["ratings_sum"] or 0,
        "ratings_sq_sum": evaluations["ratings_sq_sum"] or 0,
        "factors": {
            name: [evaluations[f"{name}_sum"] or 0, evaluations[f"{name}_n"]]
            for name in Evaluation.FACTORS if evaluations[f"{name}_n"]
        },
        "offers_made": offer_counts["offers_made"],
        "offers_accepted": offer_counts["offers_accepted"],
        "offers_delivered": offer_counts["offers_delivered"],
        "free_days": offer_counts["free_days"] or 0,
        "credited": credited,
        **_monthly(company_id, window, now),
    }


def _monthly(company_id: int, window: str, now: datetime) -> dict:
    if window != Scorecard.Window.LAST_12_MONTHS:
        return {"monthly": [], "month": "", "month_complaints": 0, "month_answered": 0}
    months = monthly_figures(company_id, now)
    return {"monthly": months, "month": months[-1]["month"], "month_complaints": months[-1]["complaints"],
            "month_answered": months[-1]["answered"]}


def monthly_figures(company_id: int, now: datetime) -> list[dict]:
    """Complaints and answered complaints per month over the last 12 months, oldest first."""
    start = month_start(now, 11)
    rows = (
        Complaint.objects.public().filter(company_id=company_id, published_at__gte=start)
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(complaints=Count("pk"), answered=Count("pk", filter=Q(first_answered_at__isnull=False)))
    )
    by_month = {timezone.localtime(row["month"]).strftime("%Y-%m") if timezone.is_aware(row["month"])
                else row["month"].strftime("%Y-%m"): row for row in rows}
    months = []
    for back in range(11, -1, -1):
        key = month_start(now, back).strftime("%Y-%m")
        row = by_month.get(key, {})
        months.append({"month": key, "complaints": row.get("complaints", 0), "answered": row.get("answered", 0)})
    return months


def rates_of(card) -> dict[str, Rate]:
    """The five rates of the formula from a scorecard's (or a sum of scorecards') counts."""
    def get(name):
        return card[name] if isinstance(card, dict) else getattr(card, name)

    complaints, evaluated = get("complaints"), get("evaluated")
    return {
        "answered": Rate(get("answered") / complaints if complaints else 0.0, complaints),
        "answered_in_7_days": Rate(get("answered_in_7_days") / complaints if complaints else 0.0, complaints),
        "resolved": Rate(get("resolved") / evaluated if evaluated else 0.0, evaluated),
        "rating": rating_rate(get("ratings_sum"), get("ratings_sq_sum"), evaluated),
        "would_return": Rate(get("would_return") / evaluated if evaluated else 0.0, evaluated),
    }


def portal_priors(window: str) -> dict[str, float]:
    """The portal-wide value of each rate: what a company with no complaints is assumed to be."""
    totals = Scorecard.objects.filter(window=window).aggregate(
        **{name: Sum(name) for name in (
            "complaints", "answered", "answered_in_7_days", "evaluated", "resolved", "would_return",
            "ratings_sum", "ratings_sq_sum",
        )}
    )
    totals = {name: value or 0 for name, value in totals.items()}
    rates = rates_of(totals)
    return {name: (rate.value if rate.n else NEUTRAL_PRIOR) for name, rate in rates.items()}


def apply_score(card: Scorecard, priors: dict[str, float]) -> None:
    score = reputation_score(rates_of(card), priors, card.evaluated)
    if score is None:
        card.score = card.score_low = card.score_high = None
        card.label = ""
    else:
        card.score, card.score_low, card.score_high, card.label = score.value, score.low, score.high, score.label


def scorecard_refresh(*, company_id: int, now: datetime | None = None) -> None:
    """Recompute one company's figures in every window and score them against the current priors."""
    now = now or timezone.now()
    with transaction.atomic():
        for window in WINDOW_MONTHS:
            figures = company_figures(company_id, window, now)
            card, _created = Scorecard.objects.select_for_update().get_or_create(company_id=company_id, window=window)
            if card.complaints != figures["complaints"]:
                # A complaint came into or left public view (the refresh runs after that change, in
                # a worker): kept pages showing the old counts must go too.
                public_content_changed()
            for name, value in figures.items():
                setattr(card, name, value)
            card.computed_at = now
            previous_label = card.label
            apply_score(card, portal_priors(window))
            card.save()
            if window == Scorecard.Window.LAST_12_MONTHS:
                _label_changed(company_id, previous_label, card.label)


def scorecards_recompute_all(*, now: datetime | None = None) -> int:
    """Recompute every company from the raw rows, then re-score all against fresh priors."""
    now = now or timezone.now()
    has_complaints = Exists(Complaint.objects.filter(company=OuterRef("pk")))
    company_ids = list(Company.objects.filter(has_complaints).values_list("pk", flat=True))
    for company_id in company_ids:
        scorecard_refresh(company_id=company_id, now=now)
    Scorecard.objects.exclude(company_id__in=company_ids).delete()
    for window in WINDOW_MONTHS:
        priors = portal_priors(window)
        cards = list(Scorecard.objects.filter(window=window))
        for card in cards:
            previous_label = card.label
            apply_score(card, priors)
            if window == Scorecard.Window.LAST_12_MONTHS:
                _label_changed(card.company_id, previous_label, card.label)
        Scorecard.objects.bulk_update(cards, ["score", "score_low", "score_high", "label"], batch_size=500)
    return len(company_ids)


def _label_changed(company_id: int, previous: str, label: str) -> None:
    """Tell the company's followers when its label for the last 12 months changes to another one."""
    if label == previous or not label:
        return
    company = Company.objects.get(pk=company_id)
    notify_users(template="company_label", user_ids=company_follower_ids(company_id), context={
        "company": company.name, "label_code": label, "previous_code": previous,
        "url": settings.SITE_URL + company.get_absolute_url(), "site_name": settings.SITE_NAME,
    })


@task
def recompute_all_task() -> int:
    """The nightly recompute (settings.SCHEDULED_JOBS): the windows move on even when nothing changes."""
    return scorecards_recompute_all()


@task
def refresh_scorecard_task(company_id: int) -> None:
    # Changes from here on ask for a refresh of their own: this one may not see them.
    PendingScorecardRefresh.objects.filter(company_id=company_id).delete()
    scorecard_refresh(company_id=company_id)


_local = threading.local()  # per thread, so a bulk load never silences another thread's requests


@contextmanager
def refreshes_deferred():
    """No per-change refreshes inside this block: bulk loads call scorecards_recompute_all() once at the end."""
    previous, _local.deferred = getattr(_local, "deferred", False), True
    try:
        yield
    finally:
        _local.deferred = previous


def schedule_scorecard_refresh(company_id: int) -> None:
    """Refresh the company's figures once the current transaction has committed."""
    if getattr(_local, "deferred", False):
        return
    transaction.on_commit(lambda: request_refresh(company_id))


def request_refresh(company_id: int) -> bool:
    """Queue a refresh of the company's figures, unless one is already waiting: a burst of changes
    to one company gives one refresh, run SCORECARD_REFRESH_DELAY seconds after the first of them."""
    task = refresh_scorecard_task
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=settings.SCORECARD_REFRESH_DELAY))
    try:
        with transaction.atomic():  # the mark and the task together, or neither
            PendingScorecardRefresh.objects.create(company_id=company_id)
            task.enqueue(company_id)
    except IntegrityError:
        return False  # a refresh is already waiting, and it will see this change
    return True


def scorecard_charts(card) -> list:
    """The company page's charts, from stored figures only."""
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
