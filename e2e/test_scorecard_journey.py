"""A visitor reads a company's reputation score, its charts and numbers, the industry ranking and how it is worked out.

The year of complaints is set up on the server side through the services (as
in the other journeys, what is not the point of the journey comes from the
factories); only their dates are moved into the past. The refresh each service
schedules is held back meanwhile (Django's dummy task backend keeps it and runs
nothing), and the scorecards are recomputed once at the end, as
`manage.py recompute_scorecards` would.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from companies.charts import month_label
from companies.services import claim_submit
from companies.tests.factories import CompanyFactory, IndustryFactory
from complaints.models import Complaint, Evaluation, Message
from complaints.services.scorecards import month_start, refreshes_deferred, scorecards_recompute_all
from complaints.services.thread import complaint_evaluate, message_post
from complaints.tests.factories import UserFactory, make_published

pytestmark = pytest.mark.e2e

# Twelve evaluated complaints over six months: (months back, answered late, resolved, stars, would return).
# All twelve answered, 9 within 7 days, 8 resolved, 3.75 stars on average, 8 would return. With no other
# company on the portal the portal-wide figures are this company's own, so nothing is shrunk and the score is
# 10 × (0.20 × 12/12 + 0.10 × 9/12 + 0.30 × 8/12 + 0.25 × (3.75 − 1)/4 + 0.15 × 8/12) = 7.47: "7.5/10, Good".
YEAR = [
    (0, False, True, 5, True), (0, False, True, 5, True), (0, False, False, 2, False),
    (1, False, True, 5, True), (1, True, True, 4, True),
    (2, False, True, 4, True), (2, False, False, 1, False),
    (3, True, True, 4, True), (3, False, True, 5, True),
    (4, False, False, 3, False), (4, True, True, 4, True),
    (5, False, False, 3, False),
]


def published_in(months_back: int, now):
    """A moment in that month, in the past: ten days in, or halfway through the part of this month gone by."""
    start = month_start(now, months_back)
    return start + (now - start) / 2 if months_back == 0 else start + timedelta(days=10)


@refreshes_deferred()
def a_year_of_complaints(company) -> None:
    representative = UserFactory(email=f"care@{company.website_domain}")
    claim_submit(user=representative, company=company, work_email=representative.email,
                 job_title="Customer care", evidence="")
    now = timezone.now()
    for number, (months_back, late, resolved, rating, would_return) in enumerate(YEAR, start=1):
        complaint = make_published(company=company, title=f"Broadband fault number {number}")
        message_post(complaint=complaint, user=representative, kind=Message.Kind.ANSWER,
                     body="We are sorry. A technician is on the way.")
        complaint_evaluate(complaint=complaint, user=complaint.author, data={
            "resolved": resolved, "rating": rating, "would_return": would_return, "comment": "",
            **dict.fromkeys(Evaluation.FACTORS),
        })
        # Only dates move: filed in that month, first answered after ten days or within the day.
        published = published_in(months_back, now)
        waited = timedelta(days=10) if late else min(timedelta(hours=20), (now - published) / 2)
        Complaint.objects.filter(pk=complaint.pk).update(
            published_at=published, waiting_since=published, first_answered_at=published + waited,
        )
    scorecards_recompute_all()


def test_visitor_reads_the_score_the_charts_the_ranking_and_how_the_score_works(page):
    industry = IndustryFactory(name="Internet providers")
    company = CompanyFactory(name="Nordlys Fiber", industry=industry, website="https://nordlys.example")
    CompanyFactory(name="Quiet Cable", industry=industry)
    a_year_of_complaints(company)

    page.goto(company.get_absolute_url())
    record = page.get_by_role("region", name="Record")
    expect(record.locator(".score")).to_contain_text("7.5/10")
    expect(record.get_by_text("Good", exact=True)).to_be_visible()
    expect(record).to_contain_text(re.compile(r"90% range \d\.\d–\d\.\d, from 12 evaluated complaints\."))

    # Both charts are images with their names; the numbers behind them are one click away.
    expect(record.get_by_role("img", name="Complaints per month")).to_be_visible()
    expect(record.get_by_role("img", name="Share answered per month")).to_be_visible()
    chart = record.get_by_role("figure").filter(has_text="Complaints per month")
    numbers = chart.get_by_role("table")
    expect(numbers).to_be_hidden()
    chart.get_by_text("Show the numbers").click()
    expect(numbers).to_be_visible()
    expect(numbers.get_by_role("row")).to_have_count(12)
    with translation.override("en"):
        this_month = month_label(timezone.localtime().strftime("%Y-%m"))
    expect(numbers.get_by_role("row", name=this_month)).to_contain_text(f"{this_month}: 3")

    # The industry ranks it; the company without complaints has no score.
    page.get_by_role("link", name="Internet providers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Internet providers")
    ranking = page.get_by_role("region", name="Ranked by reputation score").get_by_role("table")
    first = ranking.get_by_role("row").nth(1)
    expect(first.get_by_role("link", name="Nordlys Fiber")).to_be_visible()
    expect(first).to_contain_text("7.5")
    expect(first).to_contain_text("Good")
    expect(ranking).not_to_contain_text("Quiet Cable")
    expect(page.get_by_role("region", name="Not enough data for a score")).to_contain_text("Quiet Cable")

    # How the score works: the formula's worked example, computed by the same code.
    page.get_by_role("link", name="How the score works").click()
    expect(page).to_have_url(re.compile(r"/about/scores/$"))
    expect(page.get_by_role("heading", name="A worked example")).to_be_visible()
    example = page.get_by_role("table").filter(has=page.get_by_role("columnheader", name="Shrunk"))
    expect(example.get_by_role("row")).to_have_count(6)
    expect(example.get_by_role("row", name=re.compile("^Resolved"))).to_contain_text("30%")
    expect(page.get_by_text(re.compile(r"Adding the points gives a score of \d+(\.\d+)? out of 10"))).to_be_visible()
