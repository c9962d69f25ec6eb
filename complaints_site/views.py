from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from companies.models import Company, Industry
from companies.selectors import month_responders
from complaints.models import Complaint
from complaints_site.visitor_cache import cache_for_visitors


@require_safe
@cache_for_visitors
def home(request):
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    top_companies = (
        Company.objects.listed()
        .with_complaint_counts(since=month_start)
        .filter(complaint_count__gt=0)
        .order_by("-complaint_count", "name")[:6]
    )
    industries = Industry.objects.annotate(
        company_count=Count("companies", filter=Q(companies__is_listed=True))
    ).filter(company_count__gt=0)
    latest = Complaint.objects.public().with_list_related().newest_first()[:8]
    return render(
        request,
        "home.html",
        {"latest": latest, "top_companies": top_companies, "industries": industries,
         "responders": month_responders()},
    )


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
