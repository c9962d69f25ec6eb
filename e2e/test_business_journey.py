"""A company answers in public: a representative claims it, apologises and makes an offer, the author evaluates.

As in test_journeys.py, data that is not the point of the journey is set up
with the factories; what the people do goes through the page, found by role
and label. Each person has their own browser context, so their own cookies.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from companies.models import Representative
from companies.tests.factories import CompanyFactory
from complaints.models import Message
from complaints.tests.factories import PASSWORD, UserFactory, make_published

pytestmark = pytest.mark.e2e

TITLE = "Internet down for two weeks, nobody answers"


def label(*texts):
    """A label that reads one of the texts, with or without a trailing colon or required-field "*"."""
    alternatives = "|".join(re.escape(text) for text in texts)
    return re.compile(rf"^({alternatives})[\s:*]*$", re.IGNORECASE)



def post_for_the_company(page, *, kind, body):
    page.get_by_label(label("Kind of message")).select_option(label=kind)
    page.get_by_label(label("Message")).fill(body)


def tile(record, name):
    """The figure under a term of the record."""
    term = record.page.get_by_role("term").filter(has_text=re.compile(rf"^{re.escape(name)}$"))
    return record.locator("div").filter(has=term).get_by_role("definition")


def test_representative_claims_the_company_answers_with_an_offer_and_the_author_resolves_it(
    page, log_in, person, link_from_mail
):
    company = CompanyFactory(name="2KOM", website="https://2kom.ru")
    author = UserFactory(email="author@example.com")
    complaint = make_published(author=author, company=company, title=TITLE)
    ivan = UserFactory(email="ivan.private@example.com", password=PASSWORD)
    log_in(ivan)

    # The future representative asks to represent the company with a work address.
    page.goto(company.get_absolute_url())
    page.get_by_role("link", name="I work here: represent this company").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Represent 2KOM")
    page.get_by_label(label("Work e-mail")).fill("ivan@2kom.ru")
    page.get_by_label(label("Your role at the company")).fill("Head of customer care")
    page.get_by_role("button", name="Send request").click()
    # A sensitive change: the password again, then the request goes on.
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a confirmation link to ivan@2kom.ru")

    # Confirming the address through the link mailed to it makes them a representative.
    page.goto(link_from_mail("ivan@2kom.ru", "/business/requests/confirm/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You now represent 2KOM.")
    # The work address stays on the request: the account keeps only the personal one.
    ivan.refresh_from_db()
    assert ivan.email == "ivan.private@example.com"
    assert set(ivan.emailaddress_set.values_list("email", flat=True)) == {"ivan.private@example.com"}
    page.get_by_role("navigation", name="Main").get_by_text("Menu").click()  # a member's pages are in the menu
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Business", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Business inbox")
    page.get_by_role("navigation", name="Inbox views").get_by_role(
        "link", name=re.compile(r"^Awaiting a first answer")
    ).click()
    expect(page.get_by_role("link", name=re.compile(r"^Awaiting a first answer"))).to_have_attribute(
        "aria-current", "page"
    )
    inbox = page.get_by_role("table", name="Complaints, oldest waiting first")
    inbox.get_by_role("link", name=TITLE).click()

    # An apology, then an offer of three free days.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    post_for_the_company(page, kind="Apology", body="We are sorry: the technician's visits were never booked.")
    expect(page.get_by_label(label("What is offered"))).to_be_hidden()  # offer fields only for an offer
    page.get_by_role("button", name="Post for the company").click()
    expect(page.get_by_role("status")).to_contain_text("Your message is posted.")

    next_week = timezone.localdate() + timedelta(days=7)
    post_for_the_company(page, kind="Offer", body="As an apology for the lost fortnight we offer three free days.")
    expect(page.get_by_label(label("What is offered"))).to_be_visible()
    page.get_by_label(label("What is offered")).select_option(label="Free days of service")
    page.get_by_label(label("Number of days")).fill("3")
    page.get_by_label(label("Short description of the offer")).fill("Three days of internet free of charge")
    page.get_by_label(label("Offer valid until")).fill(next_week.isoformat())
    page.get_by_role("button", name="Post for the company").click()
    expect(page.get_by_role("status")).to_contain_text("Your message is posted.")

    thread = page.get_by_role("region", name="Conversation with the company")
    expect(thread.get_by_role("article")).to_have_count(2)
    expect(thread.get_by_text("Company representative", exact=True)).to_have_count(2)
    expect(thread.get_by_text("We are sorry: the technician's visits were never booked.")).to_be_visible()
    expect(thread.get_by_role("heading", name="Offer: Free days of service")).to_be_visible()
    expect(thread.get_by_text("Waiting for the author", exact=True)).to_be_visible()

    # The author accepts the offer and evaluates the outcome.
    author_page = person(author)
    author_page.goto(complaint.get_absolute_url())
    author_page.get_by_role("button", name="Accept the offer").click()
    expect(author_page.get_by_role("status")).to_contain_text("You accepted the offer.")
    expect(author_page.get_by_role("region", name="Conversation with the company").get_by_text(
        "Accepted", exact=True
    )).to_be_visible()
    author_page.get_by_role("link", name="Evaluate the outcome").click()
    author_page.get_by_role("group", name=label("Was your complaint resolved?")).get_by_label("Yes").check()
    author_page.get_by_role("group", name=label("Your rating, 1 to 5 stars")).get_by_label("5").check()
    author_page.get_by_role("group", name=label("Would you do business with the company again?")).get_by_label(
        "Yes"
    ).check()
    author_page.get_by_role("button", name="Publish evaluation").click()

    evaluation = author_page.get_by_role("region", name="The author's evaluation")
    expect(evaluation.get_by_text("Resolved", exact=True)).to_be_visible()
    expect(evaluation.get_by_role("img", name="5 of 5 stars")).to_have_text("★★★★★")
    expect(author_page.get_by_role("region", name="Timeline").get_by_text("Resolved", exact=True)).to_be_visible()

    # Anyone sees the company's record.
    visitor = person()
    visitor.goto(company.get_absolute_url())
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Verified company")
    record = visitor.get_by_role("region", name="Record")
    expect(tile(record, "Offers accepted")).to_have_text(re.compile(r"^\s*1\b"))
    expect(tile(record, "Offers made")).to_have_text("1")
    expect(tile(record, "Resolved")).to_contain_text("100%")
    expect(tile(record, "Answered")).to_contain_text("100%")
    expect(tile(record, "Credited")).to_contain_text("3 free days")
    # One evaluated complaint is far below the minimum sample: no score, and it says so.
    expect(record).to_contain_text("Not enough data (1 of 10 evaluated complaints)")
    expect(record.get_by_role("img", name="Complaints per month")).to_be_visible()


def test_representative_of_another_company_cannot_answer_for_this_one(page, log_in):
    company = CompanyFactory(name="2KOM", website="https://2kom.ru")
    rival = CompanyFactory(name="Rostelecom", website="https://rt.ru")
    complaint = make_published(company=company, title=TITLE)
    outsider = UserFactory(email="pyotr@rt.ru")
    Representative.objects.create(
        user=outsider, company=rival, role=Representative.Role.OWNER,
        verified_by=Representative.Verification.DOMAIN, work_email="pyotr@rt.ru",
    )
    log_in(outsider)

    page.goto(complaint.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_label(label("Kind of message"))).to_have_count(0)
    expect(page.get_by_role("button", name="Post for the company")).to_have_count(0)

    # A crafted request that skips the page is refused too, and not for want of a CSRF token.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    response = page.request.post(
        reverse("complaints:message", args=[complaint.pk]),
        form={"as": "company", "kind": "answer", "body": "We answer for 2KOM.", "csrfmiddlewaretoken": csrf},
        headers={"X-CSRFToken": csrf},
        max_redirects=0,
    )
    assert response.status == 403
    assert "Not allowed" in response.text()
    assert not Message.objects.filter(complaint=complaint).exists()
