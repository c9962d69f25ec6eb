"""The home page, error pages and health checks."""

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from companies.models import Industry
from companies.selectors import month_responders, month_top_companies
from complaints.models import Complaint
from complaints_site.logging import OUTAGE_ERRORS
from core.cache import cache_required
from core.visitor_cache import cache_for_visitors, kept_like_pages


@require_safe
@cache_for_visitors
def home(request):
    latest = list(Complaint.objects.public().for_cards().newest_first()[:8])
    return render(request, "home.html", {"latest": latest, **month_figures()})


def month_figures() -> dict:
    """The home page's figures of the month: the same for everyone.

    They are read from the stored scorecards (a few rows each) and kept as
    long as a visitor's page may be old; the newest complaints are always
    read afresh.
    """
    figures = kept_like_pages("home-month-figures", _count_month_figures)
    # Kept once for every language, so sorted here by the name this reader sees.
    return {**figures, "industries": sorted(figures["industries"], key=lambda industry: industry.display_name.casefold())}


def _count_month_figures() -> dict:
    industries = list(Industry.objects.annotate(
        company_count=Count("companies", filter=Q(companies__is_listed=True))
    ).filter(company_count__gt=0))
    return {"top_companies": month_top_companies(), "industries": industries, "responders": month_responders()}


@never_cache
@require_safe
def health(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def healthz(request):
    """For deployments (is the process up?) and the benchmark's baseline: every middleware, no database.

    `health` above asks the database too; this one stays cheap so that its
    throughput is the framework's ceiling on the same server (bench/run.py).
    """
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    """For load balancers and monitoring: can this process serve, and is the background work keeping up?

    503 when the database or the cache cannot be reached. The queue's depth and the age of its
    oldest waiting task are reported (alerting on them is for the monitoring to decide).
    """
    report, ready = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = "ok"
    except DatabaseError:
        report["database"], ready = "unavailable", False
    try:
        with cache_required():  # the resilient Redis cache would otherwise hide the outage
            cache.set("readyz", 1, timeout=10)
            report["cache"] = "ok" if cache.get("readyz") == 1 else "not keeping values"
        ready = ready and report["cache"] == "ok"
    except Exception:  # noqa: BLE001 (any cache client error means: not ready)
        report["cache"], ready = "unavailable", False
    if report["database"] == "ok":
        report["tasks"] = _queue_report()
    report["status"] = "ok" if ready else "error"
    return JsonResponse(report, status=200 if ready else 503)


def _queue_report() -> dict:
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("run_after", "enqueued_at").first()
    age = 0.0
    if oldest is not None:
        # A deferred task waits from its run_after, not from when it was queued.
        since = oldest[1] if oldest[0].year == 9999 else max(oldest[0], oldest[1])
        age = max((now - since).total_seconds(), 0.0)
    return {
        "backend": settings.TASKS_BACKEND, "waiting": waiting.count(),
        "running": DBTaskResult.objects.running().count(), "failed": DBTaskResult.objects.failed().count(),
        "oldest_waiting_seconds": round(age, 1),
    }


def server_error(request, template_name="500.html"):
    """handler500: our 500 page, or 503 when the database or the cache cannot be reached.

    Called for any uncaught error, in a view or in a middleware, while the
    exception is being handled. The pages are rendered without a request
    context: no session, no user, no database, nothing that may be down.
    """
    if isinstance(sys.exc_info()[1], OUTAGE_ERRORS):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
