"""A richer conversation in the browser: the company answers from a template that fills in an offer,
attaches a photo and proposes a call-back time; the author opens the photo in the lightbox,
accepts the time, and the company sees it."""

import io
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from companies.models import ReplyTemplate
from companies.tests.factories import CompanyFactory
from complaints.tests.factories import UserFactory, make_published, make_representative

pytestmark = pytest.mark.e2e


def photo(tmp_path):
    path = tmp_path / "meter-reading.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), "teal").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_template_offer_a_photo_and_a_call_back_time_the_author_accepts(person, tmp_path):
    company = CompanyFactory(name="2KOM", website="https://2kom.ru")
    rep = make_representative(company)
    author = UserFactory(email="author@example.com")
    complaint = make_published(author=author, company=company, reachable_from=time(0, 0), reachable_until=time(23, 59))
    ReplyTemplate.objects.create(company=company, title="Three free days", body="Sorry: three days on us.",
                                 offer_kind="free_days", offer_days=3, offer_description="Three free days")

    company_page = person(rep)
    company_page.goto(complaint.get_absolute_url())
    company_page.get_by_role("link", name="Three free days").click()
    form = company_page.locator("#company-reply")
    expect(form.get_by_label(re.compile("^Kind of message"))).to_have_value("offer")
    expect(form.get_by_label(re.compile("^Number of days"))).to_have_value("3")
    form.get_by_label(re.compile("^Offer valid until")).fill((timezone.localdate() + timedelta(days=7)).isoformat())
    form.get_by_label(re.compile("^Attach files")).set_input_files(str(photo(tmp_path)))
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=11, minute=0)
    form.get_by_label(re.compile("^Propose a call-back time")).fill(when.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Post for the company").click()
    expect(company_page.get_by_text("Your message is posted.")).to_be_visible()

    author_page = person(author)
    author_page.goto(complaint.get_absolute_url())
    message = author_page.locator(".message-item.from-company").last
    message.get_by_role("link", name="Open the photo meter-reading.png").click()
    lightbox = author_page.locator(".lightbox:target")
    expect(lightbox).to_be_visible()
    author_page.keyboard.press("Escape")
    expect(lightbox).to_have_count(0)
    message.get_by_role("button", name="Accept this time").click()
    expect(author_page.get_by_text("You accepted the call-back time.")).to_be_visible()
    expect(author_page.locator(".timeline")).to_contain_text("The author accepted the call-back time")

    company_page.reload()
    expect(company_page.locator(".callback-box").last).to_contain_text("The author accepted this time.")

    visitor = person(None)
    visitor.goto(complaint.get_absolute_url())
    expect(visitor.locator(".offer")).to_contain_text("Three free days")
