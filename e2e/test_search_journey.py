"""A visitor looks for complaints: words, filters, sort, pages, and a language switch, in a real browser."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.tests.factories import make_published

pytestmark = pytest.mark.e2e


def test_a_visitor_searches_filters_and_pages_through_complaints(page):
    telia = CompanyFactory(name="Telia", slug="telia")
    other = CompanyFactory(name="Comviq", slug="comviq")
    now = timezone.now()
    for n in range(23):
        complaint = make_published(company=telia, title=f"Router fault {n}", story="The router <b>died</b> again.",
                                   language="en")
        Complaint.objects.filter(pk=complaint.pk).update(published_at=now - datetime.timedelta(hours=n))
    make_published(company=other, title="Router fault elsewhere", story="Their router died too.", language="en")
    make_published(company=telia, title="Billing", story="Charged twice.", language="en")

    page.goto("/complaints/")
    page.get_by_role("searchbox", name="Search complaints").fill("router")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator(".result-count")).to_have_text("24 complaints")
    expect(page.locator("mark").first).to_have_text(re.compile("router", re.IGNORECASE))
    # The story's markup never becomes markup (PostgreSQL's excerpt leaves tags out, SQLite's shows them as text).
    expect(page.locator(".complaint-card b")).to_have_count(0)
    expect(page.locator(".card-excerpt").first).to_contain_text("died")

    # The filters fold away behind their toggle until one is set.
    expect(page.get_by_label("Company")).to_be_hidden()
    page.locator("details.filters > summary").click()
    page.get_by_label("Company").fill("Telia")
    page.get_by_label("Sort by").select_option("newest")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-count")).to_have_text("23 complaints")
    expect(page.locator(".complaint-card").first).to_contain_text("Router fault 0")
    assert "company=Telia" in page.url and "q=router" in page.url  # a shareable address

    page.get_by_role("link", name="Next").click()
    expect(page.locator(".complaint-card")).to_have_count(3)
    expect(page.locator(".complaint-card").last).to_contain_text("Router fault 22")
    page.get_by_role("link", name="Previous").click()
    expect(page.locator(".complaint-card")).to_have_count(20)

    page.get_by_label("Amount from").fill("60")
    page.get_by_label("Amount up to").fill("10")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#id_amount_max_error")).to_contain_text("below the smallest")
    expect(page.get_by_text("No complaints match.")).to_be_visible()  # the valid "from" still applies

    page.get_by_label("Language").last.select_option("sv")
    page.get_by_role("button", name="Byt").or_(page.get_by_role("button", name="Change")).click()
    expect(page.get_by_role("heading", name="Klagomål", exact=True)).to_be_visible()
    assert "q=router" in page.url
