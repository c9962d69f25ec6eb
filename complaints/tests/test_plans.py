"""Plans on PostgreSQL: no hot page reads the whole complaints table.

Thirty thousand generated complaints, with fresh statistics, are enough that the planner
chooses a sequential scan wherever no index matches a query's filter and order. Each
page is served fresh (no kept copies) as the person who uses it, and every query it runs
on the complaints table is explained; a sequential scan over that table fails the test
and names the page and the query. At a million complaints such a scan costs 0.3-1 s.
"""

import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies.models import Company, Industry, Representative
from complaints.models import Complaint
from complaints.views.moderation import QUEUE_LISTS
from devtools.generate import benchmark_data_generate, search_words

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans (CI runs the suite on both)"),
]


# Nodes through which rows flow one by one: a scan below them stops when a Limit above has enough.
STREAMING = {"Limit", "Nested Loop", "Hash Join", "Result", "Subquery Scan", "Memoize", "Gather"}
# A scan that stops at a limit reads about limit / share rows: bounded when matches are everywhere.
DENSE_SHARE = 0.05


def seq_scans_of_complaints(plan, table_rows: float, under_limit=False) -> list:
    """Sequential scans of the complaints table, except short ones.

    Short: rows flow from it to a Limit without being sorted or gathered first, and the
    planner expects at least DENSE_SHARE of the table to match, so it stops after reading
    a few times the limit (the count of a common word: "an index lookup, or a short scan
    when matches are everywhere", complaints.search).
    """
    found = []
    kind = plan.get("Node Type")
    if kind == "Seq Scan" and plan.get("Relation Name") == "complaints_complaint":
        if not (under_limit and plan["Plan Rows"] >= DENSE_SHARE * table_rows):
            found.append(plan)
    under_limit = kind == "Limit" or (under_limit and kind in STREAMING)
    for child in plan.get("Plans", []):
        found += seq_scans_of_complaints(child, table_rows, under_limit and child.get("Parent Relationship") != "Inner")
    return found


def complaint_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries.captured_queries
            if "complaints_complaint" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]


def scans(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'complaints_complaint'")
        table_rows = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return seq_scans_of_complaints(plan[0]["Plan"], table_rows)


@pytest.fixture
def portal(settings):
    settings.VISITOR_CACHE_SECONDS = 0
    benchmark_data_generate(complaints=30_000, companies=40, seed=11, now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    public = Complaint.objects.public()
    biggest = public.values("company").annotate(n=Count("id")).order_by("-n").values_list("company", flat=True)[0]
    return {
        "company": Company.objects.get(pk=biggest),
        "industry": Industry.objects.filter(companies__pk=biggest).get(),
        "complaint": public.filter(company=biggest).annotate(n=Count("messages")).order_by("-n").first(),
        "author": public.values_list("author", flat=True).first(),
    }


def visitor_pages(portal) -> list[str]:
    words = search_words()
    company, industry = portal["company"], portal["industry"]
    return [
        "/", "/complaints/", "/complaints/?sort=oldest", "/complaints/?sort=me_too",
        "/complaints/?status=resolved&sort=me_too", "/complaints/?status=published&sort=oldest",
        f"/complaints/?q={words['common']}", f"/complaints/?q={words['rare']}",
        f"/complaints/?q={words['common']}&status=published", f"/complaints/?q={words['common']}&sort=newest",
        "/complaints/?q=%22the+bill%22", "/complaints/?q=%22the+bill%22&sort=me_too",
        f"/complaints/?industry={industry.slug}&published_from=2025-01-01&published_to=2025-06-30",
        f"/complaints/?industry={industry.slug}&sort=me_too",
        "/complaints/?amount_min=500&sort=me_too", "/complaints/?amount_min=100&amount_max=200",
        "/complaints/?has_offer=yes", "/complaints/?resolved=no&sort=oldest", "/complaints/?language=de",
        f"/complaints/?company={company.slug}&sort=me_too",
        "/companies/", "/companies/?sort=best", company.get_absolute_url(),
        company.get_absolute_url() + "?window=all", industry.get_absolute_url(),
        portal["complaint"].get_absolute_url(),
    ]


def text_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_visitors_pages_and_searches_never_scan_the_complaints_table(client, portal):
    scanned = [(url, sql) for url in visitor_pages(portal) for sql in complaint_queries(client, url) if scans(sql)]
    assert not scanned, "\n\n".join(f"{url}: {sql}\n{text_plan(sql)}" for url, sql in scanned)


def test_representatives_members_and_moderators_pages_never_scan_the_complaints_table(client, portal):
    company = portal["company"]
    representative = Representative.objects.filter(company=company).select_related("user").first()
    client.force_login(representative.user)
    pages = ["/business/", *[f"/business/?view={view}" for view in
                             ("awaiting", "overdue", "author", "offers", "resolved", "unresolved")],
             portal["complaint"].get_absolute_url(), company.get_absolute_url()]
    for url in pages:
        for sql in complaint_queries(client, url):
            assert not scans(sql), ("representative", url, sql)

    client.force_login(Complaint.objects.get(pk=portal["complaint"].pk).author)
    for url in ("/complaints/mine/", "/complaints/"):
        for sql in complaint_queries(client, url):
            assert not scans(sql), ("member", url, sql)

    moderator = representative.user
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    client.force_login(moderator)
    for shown in QUEUE_LISTS:
        queries = complaint_queries(client, f"/moderation/?show={shown}")
        assert queries, shown
        for sql in queries:
            assert not scans(sql), ("moderator", shown, sql)
