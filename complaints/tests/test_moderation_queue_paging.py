"""The moderation queue at any size: complaints waiting for review paged by key, the other lists cut."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from complaints.models import Comment, Complaint
from complaints.tests.factories import UserFactory, make_published
from complaints.views.moderation import QUEUE_ROWS

QUEUE = "/moderation/"
pytestmark = pytest.mark.django_db


def add_pending(count, *, start=0):
    """`count` complaints waiting for review, the n-th created n minutes after a moment a day ago."""
    author, company = UserFactory(), CompanyFactory()
    since = timezone.now() - timedelta(days=1)
    return Complaint.objects.bulk_create([
        Complaint(company=company, author=author, status=Complaint.Status.PENDING, title=f"Pending {n}",
                  story="Still broken.", desired_outcome=Complaint.Outcome.REFUND, language="en",
                  created_at=since + timedelta(minutes=n))
        for n in range(start, start + count)
    ])


def pending_titles(response) -> list[str]:
    return [complaint.title for complaint in response.context["pending"]]


def next_link(response) -> str | None:
    found = re.search(r'rel="next" href="([^"]*)"', response.content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


def test_complaints_waiting_for_review_are_paged_oldest_first_and_all_reached(mod_client):
    add_pending(QUEUE_ROWS * 2 + 3)
    response = mod_client.get(QUEUE)
    assert response.status_code == 200
    assert pending_titles(response) == [f"Pending {n}" for n in range(QUEUE_ROWS)]
    assert f"Waiting for review ({QUEUE_ROWS * 2 + 3})" in response.content.decode()
    seen = pending_titles(response)
    while link := next_link(response):
        response = mod_client.get(QUEUE + link)
        seen += pending_titles(response)
    assert seen == [f"Pending {n}" for n in range(QUEUE_ROWS * 2 + 3)]


def test_a_complaint_submitted_between_two_pages_is_neither_skipped_nor_shown_twice(mod_client):
    add_pending(QUEUE_ROWS + 5)
    first = mod_client.get(QUEUE)
    add_pending(1, start=QUEUE_ROWS * 3)  # the newest: it belongs at the end
    second = mod_client.get(QUEUE + next_link(first))
    assert pending_titles(second) == [f"Pending {n}" for n in range(QUEUE_ROWS, QUEUE_ROWS + 5)] + [
        f"Pending {QUEUE_ROWS * 3}"]


@pytest.mark.parametrize("cursor", ["junk", "1.2.3", "1.x", "9" * 90, "99999999999999999999.1", "\x00"])
def test_a_tampered_page_link_gives_the_first_page_and_says_so(mod_client, cursor):
    add_pending(3)
    response = mod_client.get(QUEUE, {"after": cursor})
    assert response.status_code == 200
    assert pending_titles(response) == ["Pending 0", "Pending 1", "Pending 2"]
    assert "That page link is no longer valid" in response.content.decode()


def test_other_lists_show_their_oldest_rows_and_say_how_many_there_are(mod_client, company):
    complaint = make_published(company=company)
    author = UserFactory()
    Comment.objects.bulk_create([
        Comment(complaint=complaint, author=author, body=f"Call me {n}", text_held=True)
        for n in range(QUEUE_ROWS + 4)
    ])
    response = mod_client.get(QUEUE, {"show": "held"})
    assert len(response.context["held"]) == QUEUE_ROWS
    text = " ".join(response.content.decode().split())
    assert f"Held texts ({QUEUE_ROWS + 4})" in text
    assert f"The {QUEUE_ROWS} oldest of {QUEUE_ROWS + 4}: the next ones appear as these are handled." in text


def test_the_queue_costs_the_same_queries_with_three_or_three_hundred_waiting(mod_client, django_assert_num_queries):
    add_pending(3)
    mod_client.get(QUEUE)  # warm: the header's moderator check is kept
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        mod_client.get(QUEUE)
    add_pending(300, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = mod_client.get(QUEUE)
    assert len(response.context["pending"]) == QUEUE_ROWS


@pytest.mark.parametrize("shown", ["", "pending", "flagged", "held", "claims", "companies", "suspended"])
def test_the_queue_stays_closed_to_members_and_visitors(client, member, shown):
    add_pending(2)
    assert client.get(QUEUE, {"show": shown}).status_code == 302
    client.force_login(member)
    assert client.get(QUEUE, {"show": shown}).status_code == 403


@pytest.mark.parametrize("shown", ["nonsense", "PENDING", "<script>", "' OR 1=1 --", "suspended\n"])
def test_an_unknown_list_shows_the_complaints_waiting_for_review(mod_client, shown):
    add_pending(2)
    response = mod_client.get(QUEUE, {"show": shown})
    assert response.status_code == 200
    assert response.context["shown"] == "pending" and len(response.context["pending"]) == 2
    assert "<script>" not in response.content.decode()


def test_the_review_page_leads_back_to_the_list_its_item_came_from(mod_client, company):
    from complaints.models import Flag
    from complaints.services.moderation import flag_create

    pending = add_pending(1)[0]
    complaint = make_published(company=company)
    held = Comment.objects.create(complaint=complaint, author=UserFactory(), body="Call me", text_held=True)
    reported = Comment.objects.create(complaint=complaint, author=UserFactory(), body="Cheap routers!")
    flag_create(user=UserFactory(), item=reported, reason=Flag.Reason.SPAM)
    for kind, item, back in [("complaint", pending, 'href="/moderation/"'),
                             ("comment", held, 'href="/moderation/?show=held"'),
                             ("comment", reported, 'href="/moderation/?show=flagged"')]:
        page = mod_client.get(f"/moderation/{kind}/{item.pk}/").content.decode()
        assert f"{back}>← Moderation" in page
