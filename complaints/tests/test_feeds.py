"""Atom feeds, read with feedparser as a feed reader would: valid, newest first, and never holding
what a visitor cannot see (pending, hidden or withdrawn complaints, private, hidden or held words)."""

import feedparser
import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Message
from complaints.services.moderation import moderation_hide
from complaints.services.thread import message_post
from complaints.tests.factories import make_draft, make_published
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db
SITE_FEED = reverse("complaints:feed")


def read(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception  # well-formed
    assert feed.version == "atom10"
    return feed


def titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


@pytest.fixture
def thread(member, company, rep):
    """A public complaint with a public answer, a private message and a hidden one."""
    complaint = make_published(author=member, company=company, title="Internet down for two weeks",
                               story="The line has been dead since Monday.")
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="A technician comes on Friday.")
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Your contract number is 4711.",
                 is_private=True)
    hidden = message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Rude words here.")
    Message.objects.filter(pk=hidden.pk).update(is_hidden=True)
    return complaint


def test_the_site_feed_lists_public_complaints_only_newest_first(client, member, company, moderator, settings):
    older = make_published(author=member, company=company, title="Older complaint")
    newer = make_published(author=member, company=company, title="Newer complaint")
    hidden = make_published(author=member, company=company, title="Hidden complaint")
    moderation_hide(item=hidden, moderator=moderator, reason="abuse")
    make_draft(author=member, company=company, title="A draft nobody sees")
    settings.PREMODERATION = {"all"}
    make_published(author=member, company=company, title="Waiting for review")
    assert Complaint.objects.get(title="Waiting for review").status == Complaint.Status.PENDING

    feed = read(client, SITE_FEED)
    assert titles(feed) == [f"2KOM: {newer.title}", f"2KOM: {older.title}"]
    assert feed.entries[0].link.endswith(newer.get_absolute_url())
    assert feed.feed.title == "New complaints on Complaint Portal"


def test_a_search_feed_keeps_the_lists_filters(client, member, company):
    other = CompanyFactory(name="Beeline")
    make_published(author=member, company=company, title="Router broken again")
    make_published(author=member, company=other, title="Router never delivered")
    make_published(author=member, company=company, title="Billing twice")
    feed = read(client, SITE_FEED, {"q": "router", "sort": "me_too"})
    assert sorted(titles(feed)) == ["2KOM: Router broken again", "Beeline: Router never delivered"]
    assert "router" in feed.feed.title
    feed = read(client, SITE_FEED, {"q": "router", "company": "beeline"})
    assert titles(feed) == ["Beeline: Router never delivered"]


@pytest.mark.parametrize("params", [{"status": "nonsense"}, {"published_from": "yesterday"}, {"amount_min": "-5e999"},
                                    {"q": "<script>alert(1)</script>"}, {"q": "' OR 1=1 --"}, {"after": "x" * 500}])
def test_a_feed_of_bad_filters_is_empty_or_filtered_never_an_error(client, member, company, params):
    make_published(author=member, company=company, title="Something public")
    read(client, SITE_FEED, params)
    assert "<script>" not in client.get(SITE_FEED, params).content.decode()


def test_the_company_feed_has_its_complaints_and_public_answers(client, company, thread):
    feed = read(client, reverse("complaints:company_feed", args=[company.slug]))
    assert titles(feed) == ["2KOM answered: Internet down for two weeks", "New complaint: Internet down for two weeks"]
    text = " ".join(entry.summary for entry in feed.entries)
    assert "A technician comes on Friday." in text
    assert "4711" not in text and "Rude words" not in text
    assert client.get(reverse("complaints:company_feed", args=["no-such-company"])).status_code == 404


def test_the_complaint_feed_has_its_public_thread_and_timeline(client, thread):
    feed = read(client, reverse("complaints:complaint_feed", args=[thread.pk]))
    text = " ".join(entry.title + " " + entry.summary for entry in feed.entries)
    assert "A technician comes on Friday." in text and "The company answered." in text
    assert "4711" not in text and "Rude words" not in text
    assert feed.feed.title == "2KOM: Internet down for two weeks"


def test_a_complaint_that_is_not_public_has_no_feed(client, member, company, moderator):
    draft = make_draft(author=member, company=company)
    hidden = make_published(author=member, company=company)
    moderation_hide(item=hidden, moderator=moderator, reason="abuse")
    for complaint in (draft, hidden):
        assert client.get(reverse("complaints:complaint_feed", args=[complaint.pk])).status_code == 404
    assert client.get(reverse("complaints:complaint_feed", args=[999999])).status_code == 404


def test_a_held_story_is_named_by_its_title_only(client, member, company):
    complaint = make_published(author=member, company=company, title="Call me", story="My number is +7 999 555-11-22")
    Complaint.objects.filter(pk=complaint.pk).update(text_held=True)
    feed = read(client, SITE_FEED)
    assert "555-11-22" not in feed.entries[0].summary and "Held for review." in feed.entries[0].summary
    feed = read(client, reverse("complaints:complaint_feed", args=[complaint.pk]))
    assert "555-11-22" not in feed.feed.get("subtitle", "")


def test_feeds_escape_hostile_text(client, member, company):
    make_published(author=member, company=company, title="<script>alert(1)</script> & <b>bold</b>",
                   story="<img src=x onerror=alert(1)>")
    raw = client.get(SITE_FEED).content.decode()
    assert "<script>" not in raw and "<img" not in raw
    feed = read(client, SITE_FEED)
    assert "<script>alert(1)</script>" in feed.entries[0].title  # the reader shows the text as written


@pytest.mark.parametrize("language, title", [("ru", "Новые жалобы"), ("de", "Neue Beschwerden"), ("sv", "Nya klagomål")])
def test_feeds_speak_the_readers_language(client, language, title):
    client = LanguageClient(client, language)
    assert title in read(client, SITE_FEED).feed.title
