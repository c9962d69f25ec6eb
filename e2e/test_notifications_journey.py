"""Notifications end to end: a member follows a company from its page, the company answers
a complaint, the author and the follower find it behind the bell, open it, and the bell is
quiet again; the follower then stops the company's news from "What I follow", and the author
stops the e-mail with the one-click link of the mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from complaints.models import CompanyFollow, Delivery, MemberPreferences, Message, Topic
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, make_published, make_representative

pytestmark = pytest.mark.e2e

TITLE = "Lines down in Vasastan since Monday"


def test_the_bell_tells_of_an_answer_and_the_mail_stops_in_one_click(person, settings):
    company = CompanyFactory(name="Deltacom")
    author = UserFactory(email="anna@example.com")
    follower = UserFactory(email="erik@example.com")
    rep = make_representative(company, email="support@deltacom.example")
    complaint = make_published(author=author, company=company, title=TITLE)

    # A neighbour follows the company from its page.
    neighbour = person(follower)
    neighbour.goto(company.get_absolute_url())
    neighbour.get_by_role("button", name="Follow this company").click()
    expect(neighbour.get_by_role("status")).to_contain_text("You follow Deltacom.")
    expect(neighbour.get_by_role("button", name="Following: stop")).to_be_visible()

    # The company answers in public.
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="A crew is on the way.")

    # The author sees the bell, opens the notification and lands on the answer.
    anna = person(author)
    anna.goto("/")
    bell = anna.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Notifications"))
    expect(bell).to_contain_text("1")
    bell.click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Notifications")
    anna.get_by_role("link", name="Deltacom answered your complaint").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(anna.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Notifications"))
           ).to_have_text("Notifications")

    # The neighbour has it too, as news of the company, and stops following from "What I follow".
    neighbour.goto("/me/notifications/")
    expect(neighbour.get_by_role("link", name=f"Deltacom answered a complaint: {TITLE}")).to_be_visible()
    neighbour.get_by_role("link", name="What I follow").click()
    neighbour.get_by_role("button", name="Unfollow Deltacom").click()
    expect(neighbour.get_by_text("No companies yet.")).to_be_visible()
    assert not CompanyFollow.objects.exists()

    # The mail to the author carries a one-click link that stops this kind of mail.
    [answer_mail] = [m for m in mail.outbox if m.to == [author.email]]
    link = re.search(r"https?://\S+/unsubscribe/\S+", answer_mail.body).group(0)
    visitor = person()
    visitor.goto(link)
    visitor.get_by_role("button", name="Stop these e-mails").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("E-mails stopped")
    assert MemberPreferences.objects.get(user=author).delivery == {Topic.MY_COMPLAINTS: Delivery.SITE}
