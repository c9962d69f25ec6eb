"""Hidden means gone, at once (issue 11): with public pages kept for a minute, whatever a
moderator hides, redacts or moves and whatever an author withdraws leaves every public
page in the same request, for the very next visitor; a restore brings it back as quickly.

Each visitor here is a new test client with no cookies, as a stranger would come; the pages
are first kept by another visitor. The real second web process is in test_shared_cache.py.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.tests.factories import make_published

pytestmark = pytest.mark.django_db

STORY = "The router died on 3 March. Call me on +7 912 345 67 89, nobody else will."
PHONE = "+7 912 345 67 89"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.VISITOR_CACHE_SECONDS = 60


@pytest.fixture
def story(company, committed):
    with committed():
        other = make_published(company=company, title="Billing twice a month", story="Charged twice.")
        complaint = make_published(company=company, title="Router dead for weeks", story=STORY)
    complaint.other = other
    return complaint


def visit(url: str):
    return Client().get(url)


def page(url: str) -> str:
    response = visit(url)
    assert response.status_code == 200, url
    return response.content.decode()


def pages_showing(complaint) -> list[str]:
    """Every public page the complaint is on: its own, the lists, a search, its company and industry, home."""
    company = complaint.company
    return [
        complaint.get_absolute_url(), reverse("complaints:list"), reverse("complaints:list") + "?q=router",
        reverse("complaints:list") + "?q=router&sort=newest", reverse("complaints:list") + f"?company={company.slug}",
        company.get_absolute_url(), reverse("home"),
    ]


def keep(urls) -> None:
    for url in urls:
        page(url)
        page(url)  # the second one from the kept copy


def count_on_company_page(company) -> int:
    body = page(company.get_absolute_url())
    return int(re.search(r"<dt>Complaints</dt><dd>(\d+)</dd>", body).group(1))


def count_in(body: str, company) -> int:
    """The "N complaints" shown next to the company's name in a directory or on the home page."""
    for shown in re.finditer(rf">{re.escape(company.name)}</a>(.*?)</(?:li|p)>", body, re.S):
        found = re.search(r'<span class="count">(\d+)|(\d+) complaints?\b', shown.group(1))
        if found:
            return int(found.group(1) or found.group(2))
    raise AssertionError(f"no count shown for {company.name}")


def test_a_hidden_complaint_is_gone_from_every_kept_page_for_the_next_visitor(story, moderator, committed):
    company, urls = story.company, pages_showing(story)
    keep([*urls, reverse("companies:list"), reverse("companies:industry", args=[company.industry.slug])])
    assert count_on_company_page(company) == 2
    assert count_in(page(reverse("companies:list")), company) == 2
    assert count_in(page(reverse("home")), company) == 2

    moderator_client = Client()
    moderator_client.force_login(moderator)
    with committed():
        response = moderator_client.post(reverse("complaints:moderation_hide", args=["complaint", story.pk]),
                                         {"reason": "personal_data", "note": ""})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=story.pk).status == Complaint.Status.HIDDEN

    tombstone = page(story.get_absolute_url())
    assert "Hidden by the moderators." in tombstone and "nobody else will" not in tombstone
    for url in urls[1:]:
        body = page(url)
        assert "dead for weeks" not in body and "nobody else will" not in body, url
    assert "Billing twice a month" in page(reverse("complaints:list"))  # the rest is still there
    # The figures, too: read from the company's scorecard, refreshed in the same request.
    assert count_on_company_page(company) == 1
    assert count_in(page(reverse("companies:list")), company) == 1
    assert count_in(page(reverse("home")), company) == 1


def test_the_industry_page_counts_a_hidden_complaint_out_at_once(story, moderator, committed):
    from complaints.services.moderation import moderation_hide

    url = reverse("companies:industry", args=[story.company.industry.slug])
    keep([url])
    before = page(url)
    with committed():
        moderation_hide(item=story, moderator=moderator, reason="personal_data")
    after = page(url)
    assert count_in(before, story.company) == 2 and count_in(after, story.company) == 1


def test_a_restored_complaint_comes_back_at_once(story, moderator, committed):
    from complaints.services.moderation import moderation_hide, moderation_restore

    with committed():
        moderation_hide(item=story, moderator=moderator, reason="abuse")
    urls = pages_showing(story)
    keep(urls)
    assert "Hidden by the moderators." in page(story.get_absolute_url())
    with committed():
        moderation_restore(item=story, moderator=moderator)
    assert "nobody else will" in page(story.get_absolute_url())
    for url in urls[1:]:
        assert "dead for weeks" in page(url), url
    assert count_on_company_page(story.company) == 2


def test_a_redacted_phone_number_is_gone_from_every_kept_page_at_once(story, moderator, committed):
    from complaints.services.moderation import moderation_redact

    urls = pages_showing(story)
    search = reverse("complaints:list") + "?q=nobody"  # the excerpt shows the words around the match
    keep([*urls, search])
    assert PHONE in page(story.get_absolute_url()) and PHONE in page(search)
    with committed():
        moderation_redact(item=story, field="story", selection=PHONE, moderator=moderator)
    for url in [*urls, search]:
        assert PHONE not in page(url), url
    assert "[removed: personal data]" in page(story.get_absolute_url())


def test_a_withdrawn_complaint_is_a_tombstone_for_the_next_visitor(story, committed):
    from complaints.services.lifecycle import complaint_withdraw

    urls = pages_showing(story)
    keep(urls)
    with committed():
        complaint_withdraw(complaint=story, user=story.author, reason="Sorted out by phone.")
    tombstone = page(story.get_absolute_url())
    assert "The author withdrew this complaint." in tombstone and "nobody else will" not in tombstone
    for url in urls[1:]:
        assert "dead for weeks" not in page(url), url
    assert count_on_company_page(story.company) == 1


def test_a_hidden_comment_or_company_message_is_gone_at_once(story, moderator, other_member, committed):
    from companies.models import Representative
    from complaints.models import Message
    from complaints.services.moderation import moderation_hide
    from complaints.services.participation import comment_post
    from complaints.services.thread import message_post
    from complaints.tests.factories import UserFactory

    rep = UserFactory()
    Representative.objects.create(company=story.company, user=rep)
    with committed():
        message = message_post(complaint=story, user=rep, kind=Message.Kind.ANSWER, body="Rude words from support")
        comment = comment_post(complaint=story, user=other_member, body="Spam at example.org")
    url = story.get_absolute_url()
    keep([url])
    assert "Rude words from support" in page(url) and "Spam at example.org" in page(url)
    with committed():
        moderation_hide(item=message, moderator=moderator, reason="abuse")
    assert "Rude words from support" not in page(url)
    with committed():
        moderation_hide(item=comment, moderator=moderator, reason="spam")
    assert "Spam at example.org" not in page(url)


def test_a_complaint_moved_to_another_company_moves_on_every_kept_page(story, moderator, committed):
    from complaints.services.moderation import moderation_move

    old = story.company
    new = CompanyFactory(name="Beeline", slug="beeline", industry=old.industry)
    keep([old.get_absolute_url(), new.get_absolute_url(), reverse("complaints:list") + f"?company={old.slug}",
          reverse("complaints:list") + f"?company={new.slug}"])
    with committed():
        moderation_move(complaint=story, company=new, moderator=moderator)
    assert "dead for weeks" not in page(old.get_absolute_url())
    assert "dead for weeks" in page(new.get_absolute_url())
    assert "dead for weeks" not in page(reverse("complaints:list") + f"?company={old.slug}")
    assert "dead for weeks" in page(reverse("complaints:list") + f"?company={new.slug}")
    assert count_on_company_page(old) == 1 and count_on_company_page(new) == 1


def test_two_merged_companies_show_as_one_at_once(story, moderator, committed):
    from complaints.services.moderation import moderation_merge

    source = story.company
    target = CompanyFactory(name="2KOM Moscow", slug="2kom-moscow", industry=source.industry)
    keep([source.get_absolute_url(), target.get_absolute_url(), reverse("companies:list")])
    with committed():
        moderation_merge(source=source, target=target, moderator=moderator)
    moved = visit(source.get_absolute_url())
    assert moved.status_code == 301 and moved["Location"] == target.get_absolute_url()
    assert "dead for weeks" in page(target.get_absolute_url())
    assert count_on_company_page(target) == 2
    directory = page(reverse("companies:list"))
    assert f">{source.name}</a>" not in directory and count_in(directory, target) == 2


def test_an_approved_complaint_is_on_the_kept_lists_at_once(settings, company, moderator, committed):
    from complaints.services.moderation import moderation_approve

    settings.PREMODERATION = {"all"}
    pending = make_published(company=company, title="Router dead for weeks", story=STORY)
    keep([reverse("complaints:list"), company.get_absolute_url(), reverse("home")])
    with committed():
        moderation_approve(complaint=pending, moderator=moderator)
    for url in (reverse("complaints:list"), company.get_absolute_url(), reverse("home")):
        assert "dead for weeks" in page(url), url


def test_a_rejection_moves_the_public_version(settings, company, moderator, committed):
    from complaints.services.moderation import moderation_reject
    from core.public_content import public_version

    settings.PREMODERATION = {"all"}
    pending = make_published(company=company, title="Router dead for weeks")
    before = public_version()
    with committed():
        moderation_reject(complaint=pending, moderator=moderator, reason="not_real")
    assert public_version() != before
    assert visit(pending.get_absolute_url()).status_code == 404


def test_an_ordinary_answer_leaves_the_kept_pages_alone(story, committed):
    # Only changes into or out of public view move the version: the kept pages keep serving.
    from companies.models import Representative
    from complaints.models import Message
    from complaints.services.thread import message_post
    from complaints.tests.factories import UserFactory
    from core.public_content import public_version

    rep = UserFactory()
    Representative.objects.create(company=story.company, user=rep)
    before = public_version()
    with committed():
        message_post(complaint=story, user=rep, kind=Message.Kind.ANSWER, body="We are on it.")
    assert public_version() == before


# The search's matches are kept too; the page shown reads the complaints again, public ones only.

def test_kept_search_matches_never_bring_back_a_hidden_complaint(story):
    keep([reverse("complaints:list") + "?q=router&sort=newest"])  # the matches are kept
    # Hidden behind the services' back: the kept matches still hold it, but it is no longer public.
    Complaint.objects.filter(pk=story.pk).update(status=Complaint.Status.HIDDEN)
    body = page(reverse("complaints:list") + "?sort=newest&q=router")  # another address, the same matches
    assert "dead for weeks" not in body


# The version itself.

def test_a_lost_version_never_brings_back_old_pages(story):
    from core.public_content import VERSION_KEY

    url = story.get_absolute_url()
    keep([url])
    Complaint.objects.filter(pk=story.pk).update(story="A newer story")
    cache.delete(VERSION_KEY)  # evicted, or Redis restarted without its data
    assert "A newer story" in page(url)


def test_a_bump_after_the_version_was_lost_still_moves_it(story):
    from core.public_content import VERSION_KEY, _bump_version, public_version

    before = public_version()
    cache.delete(VERSION_KEY)
    _bump_version()
    assert public_version() not in (before, 0, 1)


def test_a_page_reads_the_version_once(story, monkeypatch):
    from core import public_content

    keep([reverse("complaints:list")])
    reads = []
    real_get = cache.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", counting_get)
    page(reverse("complaints:list") + "?q=router")  # not kept: rendered, with kept matches and fragments
    assert reads.count(public_content.VERSION_KEY) == 1


# Browsers and shared proxies keep nothing they could show after a hide.

@pytest.mark.parametrize("kept", [False, True])
def test_public_pages_tell_browsers_and_proxies_not_to_keep_them(story, kept):
    for url in pages_showing(story):
        if kept:
            page(url)
        response = visit(url)
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-cache"} <= directives, url
