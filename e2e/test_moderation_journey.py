"""Moderation end to end: the review queue, a redaction, a report and a hidden complaint.

As in test_journeys.py, data that is not the point of the journey is set up
with the factories; what the people do goes through the page, found by role
and label. Each person has a browser context of their own, so their own cookies.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.tests.factories import UserFactory, make_published

pytestmark = pytest.mark.e2e

TITLE = "Router swapped three times, still no line"
PHONE = "+7 912 345-67-89"
REMOVED = "[removed: personal data]"


def label(*texts):
    """A label that reads one of the texts, with or without a trailing colon or required-field "*"."""
    alternatives = "|".join(re.escape(text) for text in texts)
    return re.compile(rf"^({alternatives})[\s:*]*$", re.IGNORECASE)


def make_moderator(email="moderator@example.com"):
    user = UserFactory(email=email, username="mod-olga")
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user



def test_first_complaint_with_a_phone_number_is_redacted_and_approved_by_a_moderator(page, log_in, person, settings):
    settings.PREMODERATION = {"first", "personal_data"}
    company = CompanyFactory(name="2KOM", website="https://2kom.ru")
    author = UserFactory(email="newcomer@example.com")
    moderator = make_moderator()
    log_in(author)

    # The member files a complaint whose story gives a phone number away.
    page.goto("/complaints/new/")
    page.get_by_label(label("Company")).fill("2KOM")
    page.get_by_label(label("Title")).fill(TITLE)
    page.get_by_label(label("What happened")).fill(
        f"The router was swapped three times since March.\n\nCall me on {PHONE} if you can help."
    )
    page.get_by_label(label("What you want")).select_option(label="Refund")
    page.get_by_role("button", name="Preview").click()

    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("personal data")
    expect(warning).to_contain_text(PHONE)
    page.get_by_role("button", name="Publish complaint").click()

    expect(page.get_by_role("status")).to_contain_text("waiting for review")
    expect(page.get_by_text(re.compile(r"^Waiting for review: a moderator checks"))).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Waiting for review")
    complaint = Complaint.objects.get(title=TITLE)
    assert complaint.status == Complaint.Status.PENDING
    url = complaint.get_absolute_url()

    # Nobody else sees it yet: not its page, not the company's page.
    visitor = person()
    assert visitor.goto(url).status == 404
    visitor.goto(company.get_absolute_url())
    expect(visitor.get_by_role("heading", level=1)).to_have_text("2KOM")
    expect(visitor.get_by_role("link", name=TITLE)).to_have_count(0)

    # The moderator finds it in the queue, removes the number and approves it.
    mod = person(moderator)
    mod.goto("/moderation/")
    waiting = mod.get_by_role("region", name=re.compile("Complaints waiting for review"))
    waiting.get_by_role("link", name=TITLE).click()
    expect(mod.get_by_role("heading", level=1)).to_have_text(f"Complaint #{complaint.pk}")
    expect(mod.get_by_role("article")).to_contain_text(PHONE)

    mod.get_by_label(label("Exact text to remove")).fill(PHONE)
    mod.get_by_role("button", name="Redact", exact=True).click()
    expect(mod.get_by_role("status")).to_contain_text("Redacted")
    expect(mod.get_by_role("article")).to_contain_text(REMOVED)
    expect(mod.get_by_role("article")).not_to_contain_text(PHONE)

    mod.get_by_role("button", name="Approve", exact=True).click()
    expect(mod.get_by_role("status")).to_contain_text("Approved and published")

    # The public page: the marker instead of the number, the approval without a name.
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    story = visitor.get_by_role("region", name="The story")
    expect(story).to_contain_text(REMOVED)
    expect(visitor.get_by_role("main")).not_to_contain_text("912")
    timeline = visitor.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Approved by the moderators.")
    for name in (moderator.email, moderator.username):
        expect(visitor.get_by_role("main")).not_to_contain_text(name)
    visitor.goto(company.get_absolute_url())
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()

    # The author is told.
    told = [m for m in mail.outbox if author.email in m.to]
    assert told, f"no mail to the author; outbox has {[(m.to, m.subject) for m in mail.outbox]}"
    assert "published" in told[-1].subject.lower()
    assert url in told[-1].body
    assert PHONE not in told[-1].body


def test_member_reports_abuse_and_the_moderator_hides_the_complaint_with_a_reason(page, log_in, person):
    company = CompanyFactory(name="Rostelecom")
    complaint = make_published(company=company, title="The installer was a crook, all of them are")
    url = complaint.get_absolute_url()
    moderator = make_moderator()
    log_in(UserFactory(email="reader@example.com"))

    # A member reports it.
    page.goto(url)
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report content")
    page.get_by_label("Abuse or hate").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status")).to_contain_text("A moderator will look at it")
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))

    # The moderator finds the report and hides the complaint, with a reason.
    mod = person(moderator)
    mod.goto("/moderation/")
    mod.get_by_role("navigation", name="Queues").get_by_role("link", name=re.compile("^Reported")).click()
    reported = mod.get_by_role("region", name=re.compile("Reported content"))
    expect(reported.get_by_role("row", name=re.compile("Abuse or hate"))).to_have_count(1)
    reported.get_by_role("link", name=f"Complaint #{complaint.pk}").click()
    expect(mod.get_by_role("region", name="Reports")).to_contain_text("Abuse or hate")

    hide = mod.get_by_role("group", name=re.compile(r"^Hide"))
    hide.get_by_label(label("Reason")).select_option(label="Abuse or hate")
    hide.get_by_label(label("Note")).fill("Insults the staff by name")
    hide.get_by_role("button", name="Hide", exact=True).click()
    expect(mod.get_by_role("status")).to_contain_text("Hidden.")
    expect(mod.get_by_role("group", name="Restore")).to_be_visible()

    # A visitor finds a tombstone with the public reason, and the moderators' report counts it.
    visitor = person()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Complaint no longer shown")
    main = visitor.get_by_role("main")
    expect(main).to_contain_text("Hidden by the moderators")
    expect(main).to_contain_text("Abuse or hate")
    expect(main).not_to_contain_text(complaint.story.splitlines()[0])
    expect(main).not_to_contain_text(moderator.email)

    visitor.goto("/about/moderation/")
    month = timezone.localtime().strftime("%Y-%m")
    decisions = visitor.get_by_role("table", name="Decisions per month")
    headers = decisions.get_by_role("columnheader").all_inner_texts()
    row = decisions.get_by_role("row").filter(has=visitor.get_by_role("rowheader", name=month, exact=True))
    cells = row.get_by_role("cell")
    # The row header is the first column; the cells follow it.
    expect(cells.nth(headers.index("Hidden") - 1)).to_have_text("1")
    expect(cells.nth(headers.index("Approved") - 1)).to_have_text("0")

    reports = visitor.get_by_role("table", name="Reports by reason")
    headers = reports.get_by_role("columnheader").all_inner_texts()
    row = reports.get_by_role("row").filter(has=visitor.get_by_role("rowheader", name=month, exact=True))
    expect(row.get_by_role("cell").nth(headers.index("Abuse or hate") - 1)).to_have_text("1")


def test_a_comment_with_a_phone_number_is_held_and_the_moderator_removes_the_selected_number(
    page, log_in, person
):
    company = CompanyFactory(name="Beeline")
    complaint = make_published(company=company, title="No signal at home since May")
    url = complaint.get_absolute_url()
    commenter = UserFactory(email="neighbour@example.com")
    moderator = make_moderator()
    log_in(commenter)
    words = f"Same in our building. The installer gave his own number, {PHONE}, and never came."

    # The member comments with a phone number: warned at the text, nothing is posted yet.
    page.goto(url)
    comments = page.get_by_role("region", name="Comments")
    comments.get_by_label(label("Your comment")).fill(words)
    comments.get_by_role("button", name="Post comment").click()
    comments = page.get_by_role("region", name="Comments")
    expect(comments.get_by_text(re.compile("seems to contain personal data"))).to_contain_text(PHONE)
    expect(comments.get_by_label(label("Your comment"))).to_have_value(words)

    # Sent anyway: the writer reads it with a word on why others do not, a visitor sees the hold.
    comments.get_by_label(re.compile("^Send anyway")).check()
    comments.get_by_role("button", name="Post comment").click()
    comments = page.get_by_role("region", name="Comments")
    expect(comments).to_contain_text(PHONE)
    expect(comments).to_contain_text("Only you and the moderators can read this")
    visitor = person()
    visitor.goto(url)
    expect(visitor.get_by_role("region", name="Comments")).to_contain_text("Held for review")
    expect(visitor.get_by_role("main")).not_to_contain_text("912")

    # The moderator finds it among the held texts, selects the number with the mouse and removes it.
    mod = person(moderator)
    mod.goto("/moderation/")
    mod.get_by_role("navigation", name="Queues").get_by_role("link", name=re.compile("^Held texts")).click()
    held = mod.get_by_role("region", name="Texts held for personal data")
    held.get_by_role("link", name=re.compile(r"^Comment #")).click()
    expect(mod.get_by_text("Or select the words in the text above")).to_be_visible()  # the script is running
    mod.locator(".review-body mark").select_text()
    expect(mod.get_by_label(label("Exact text to remove"))).to_have_value(PHONE)
    mod.get_by_role("button", name="Redact", exact=True).click()
    expect(mod.get_by_role("status")).to_contain_text("Redacted")

    # Everyone reads the comment now, without the number.
    visitor.goto(url)
    shown = visitor.get_by_role("region", name="Comments")
    expect(shown).to_contain_text("Same in our building")
    expect(shown).to_contain_text(REMOVED)
    expect(visitor.get_by_role("main")).not_to_contain_text("912")
