"""The public moderation report: what was removed and why, month by month."""

import statistics
from collections import Counter, defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from companies.models import Representative
from complaints.models import Complaint, Flag, ModerationAction, StatusChange
from complaints.services.scorecards import month_start

COUNTED_ACTIONS = ["approve", "reject", "hide", "restore", "redact"]


def _month_key(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m")


def transparency_report(now=None, months: int = 12) -> dict:
    now = now or timezone.now()
    start = month_start(now, months - 1)
    keys = [month_start(now, back).strftime("%Y-%m") for back in range(months - 1, -1, -1)]
    rows = {key: {"month": key, "pending": 0, **dict.fromkeys(COUNTED_ACTIONS, 0), "flags": Counter(),
                  "waits": []} for key in keys}

    # Only a submission that waits for review passes through "pending"; one the rule lets
    # through goes straight from draft to published (services.lifecycle.complaint_submit).
    entered_review = StatusChange.objects.filter(to_status=Complaint.Status.PENDING, created_at__gte=start)
    for created_at in entered_review.values_list("created_at", flat=True):
        rows[_month_key(created_at)]["pending"] += 1

    actions = ModerationAction.objects.filter(created_at__gte=start, action__in=COUNTED_ACTIONS)
    for row in actions.annotate(month=TruncMonth("created_at")).values("month", "action").annotate(n=Count("pk")):
        rows[_month_key(row["month"])][row["action"]] += row["n"]

    for row in Flag.objects.filter(created_at__gte=start).annotate(month=TruncMonth("created_at")).values(
        "month", "reason"
    ).annotate(n=Count("pk")):
        rows[_month_key(row["month"])]["flags"][row["reason"]] += row["n"]

    # Time to a decision: from entering review to approval or rejection.
    decisions = actions.filter(action__in=["approve", "reject"], complaint__isnull=False).values_list(
        "complaint_id", "created_at"
    )
    entered = defaultdict(list)
    for complaint_id, created in StatusChange.objects.filter(
        to_status=Complaint.Status.PENDING, complaint_id__in=[c for c, _ in decisions]
    ).values_list("complaint_id", "created_at"):
        entered[complaint_id].append(created)
    for complaint_id, decided in decisions:
        before = [moment for moment in entered[complaint_id] if moment <= decided]
        if before:
            rows[_month_key(decided)]["waits"].append((decided - max(before)).total_seconds() / 3600)

    table = []
    for key in keys:
        row = rows[key]
        waits = row.pop("waits")
        row["median_hours"] = round(statistics.median(waits), 1) if waits else None
        row["flags"] = [(reason, label, row["flags"][reason]) for reason, label in Flag.Reason.choices]
        table.append(row)

    return {"months": table, "reasons": Flag.Reason.choices, "companies": _company_flags(start)}


def _company_flags(start) -> list[dict]:
    """Flags raised by each company's representatives, and how many moderators upheld."""
    companies_of = defaultdict(list)
    for user_id, company_id, name, slug in Representative.objects.values_list(
        "user_id", "company_id", "company__name", "company__slug"
    ):
        companies_of[user_id].append((company_id, name, slug))
    totals = defaultdict(lambda: {"raised": 0, "upheld": 0, "dismissed": 0})
    names = {}
    for reporter_id, status in Flag.objects.filter(created_at__gte=start, reporter_id__in=list(companies_of)).values_list(
        "reporter_id", "status"
    ):
        for company_id, name, slug in companies_of[reporter_id]:
            names[company_id] = (name, slug)
            totals[company_id]["raised"] += 1
            if status in ("upheld", "dismissed"):
                totals[company_id][status] += 1
    return sorted(
        ({"name": names[cid][0], "slug": names[cid][1], **counts} for cid, counts in totals.items()),
        key=lambda row: (-row["raised"], row["name"]),
    )
