"""Finding complaints: search, filters, sorting and keyset paging on the complaint list.

These run on both databases; PostgreSQL's own full-text behaviour (word
forms, ranking, the trigger) is tested in test_search_postgresql.py.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from companies.tests.factories import CompanyFactory, IndustryFactory
from complaints import search
from complaints.models import Complaint, Message, Offer
from complaints.search import Term, parse_web_search
from complaints.sorts import SORTS
from complaints.tests.factories import UserFactory, make_draft, make_published
from core import paging
from core.paging import BadCursor, decode_cursor, encode_cursor

pytestmark = pytest.mark.django_db
LIST = "/complaints/"


def titles(response) -> list[str]:
    return [complaint.title for complaint in response.context["page"]]


def published(title, *, days_ago=0, company=None, **fields) -> Complaint:
    complaint = make_published(title=title, company=company, **fields)
    moment = timezone.now() - datetime.timedelta(days=days_ago)
    Complaint.objects.filter(pk=complaint.pk).update(published_at=moment)
    complaint.published_at = moment
    return complaint


# Web-search syntax ----------------------------------------------------------------------

def test_web_search_syntax_reads_like_postgresql():
    assert parse_web_search('router "double charge" -bank') == [
        [Term("router"), Term("double charge"), Term("bank", negated=True)]
    ]
    assert parse_web_search("router or modem fee") == [[Term("router")], [Term("modem"), Term("fee")]]
    assert parse_web_search('-"late fee" OR') == [[Term("late fee", negated=True)]]
    assert parse_web_search('  or  "" - -- ') == []
    assert parse_web_search('"unclosed phrase') == [[Term("unclosed phrase")]]


def test_web_search_reads_at_most_twelve_terms():
    assert sum(len(group) for group in parse_web_search(" ".join(f"w{n}" for n in range(40)))) == search.MAX_TERMS


# Search on the list ---------------------------------------------------------------------

def test_search_finds_title_story_and_company_name(client):
    telia = CompanyFactory(name="Telia", aliases="Telia Sverige")
    published("Router broken", story="The box died.")
    published("Billing", story="Charged twice for the router.")
    published("Rude staff", story="Nobody listened.", company=telia)
    assert set(titles(client.get(LIST, {"q": "router"}))) == {"Router broken", "Billing"}
    assert titles(client.get(LIST, {"q": "telia"})) == ["Rude staff"]
    assert titles(client.get(LIST, {"q": "sverige"})) == ["Rude staff"]


def test_search_syntax_phrase_minus_and_or(client):
    published("Double charge", story="They took a double charge from my card.")
    published("Charge double", story="The charge was double the price, said the bank.")
    published("Late", story="The modem came late.")
    assert titles(client.get(LIST, {"q": '"took a double charge"'})) == ["Double charge"]
    assert titles(client.get(LIST, {"q": "charge -bank"})) == ["Double charge"]
    assert set(titles(client.get(LIST, {"q": "modem or bank"}))) == {"Charge double", "Late"}


def test_search_finds_only_public_complaints(client, company, moderator):
    from complaints.services.moderation import moderation_hide

    marker = "zanzibarite"
    visible = published(f"Visible {marker}", company=company)
    make_draft(title=f"Draft {marker}", company=company)
    hidden = published(f"Hidden {marker}", company=company)
    moderation_hide(item=hidden, moderator=moderator, reason="spam")
    withdrawn = published(f"Withdrawn {marker}", company=company)
    Complaint.objects.filter(pk=withdrawn.pk).update(status=Complaint.Status.WITHDRAWN)
    for status in (Complaint.Status.PENDING, Complaint.Status.REJECTED):
        other = published(f"{status} {marker}", company=company)
        Complaint.objects.filter(pk=other.pk).update(status=status)
    response = client.get(LIST, {"q": marker})
    assert [c.pk for c in response.context["page"]] == [visible.pk]
    assert response.context["results"].count == 1
    for sort in ("newest", "oldest", "me_too", "relevance"):
        assert [c.pk for c in client.get(LIST, {"q": marker, "sort": sort}).context["page"]] == [visible.pk]


def test_held_text_is_not_searchable_by_its_words(client, company):
    held = published("Held complaint", story="My card number is written here: quokkalicious.", company=company)
    Complaint.objects.filter(pk=held.pk).update(text_held=True)
    response = client.get(LIST, {"q": "quokkalicious"})
    assert response.context["results"].count == 0 and not titles(response)
    assert titles(client.get(LIST, {"q": "held"})) == ["Held complaint"]  # the title is public


@pytest.mark.parametrize("hostile", [
    '<script>alert("refund")</script>',
    '"><img src=x onerror=alert(1)> refund',
    "refund & <b>bold</b> &amp; \ue000marker\ue001",
])
def test_highlighted_excerpt_escapes_everything_but_the_highlight(client, hostile):
    published(f"A refund {hostile}", story=f"Please refund me. {hostile} The refund never came.")
    body = client.get(LIST, {"q": "refund"}).content.decode()
    assert "<script>" not in body.split("</header>")[-1].replace('<script src', "")
    assert "<img" not in body and "<b>bold" not in body
    assert "&lt;" in body
    if "\ue000" not in hostile:
        assert re.search(r"<mark>refund</mark>", body, re.IGNORECASE)
    # Every <mark> is closed and contains text only.
    assert body.count("<mark>") == body.count("</mark>")
    assert not re.search(r"<mark>[^<]*<(?!/mark>)", body)


def test_searching_marks_words_in_the_title_and_excerpt(client):
    published("Router broken again", story="Day one. " * 60 + "Then the router died. " + "More words. " * 40)
    body = client.get(LIST, {"q": "router"}).content.decode()
    card = body[body.index("complaint-card"):]
    title = card[card.index("card-title"):card.index("</h3>")]
    excerpt = card[card.index("card-excerpt"):card.index("</p>", card.index("card-excerpt"))]
    assert "<mark>" in title.lower() or "<mark>router</mark>" in title.lower()
    assert "died" in excerpt and "<mark>router</mark>" in excerpt.lower()


def test_relevance_is_the_default_sort_when_searching_and_puts_title_matches_first(client):
    published("Nothing here", story="The router died.", days_ago=0)
    published("Router died", story="It did.", days_ago=5)
    response = client.get(LIST, {"q": "router"})
    assert response.context["filter"].chosen_sort == "relevance"
    assert titles(response) == ["Router died", "Nothing here"]
    assert titles(client.get(LIST, {"q": "router", "sort": "newest"})) == ["Nothing here", "Router died"]


def test_relevance_without_words_falls_back_to_newest(client):
    published("Old", days_ago=3)
    published("New", days_ago=1)
    response = client.get(LIST, {"sort": "relevance"})
    assert response.context["filter"].chosen_sort == "newest"
    assert titles(response) == ["New", "Old"]


def test_ranking_is_bounded_to_the_newest_candidates(client, monkeypatch):
    for n in range(5):
        published(f"Router {n}", days_ago=n)
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 3)
    # Few matches (up to the count's cap): all of them are ranked.
    response = client.get(LIST, {"q": "router"})
    assert len(titles(response)) == 5 and response.context["results"].count == 5
    # More than the cap: only the newest CANDIDATE_LIMIT are ranked, and the count says "more than".
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    response = client.get(LIST, {"q": "router"})
    assert sorted(titles(response)) == ["Router 0", "Router 1", "Router 2"]
    results = response.context["results"]
    assert (results.count, results.count_capped) == (4, True)


def test_the_newest_matches_are_looked_for_in_recent_windows_first(django_assert_num_queries):
    ages = {"Router 2": 2, "Router 40": 40, "Router 400": 400, "Router 800": 800}
    ids = {title: published(title, days_ago=days).pk for title, days in ages.items()}
    matches = search.search_filter(Complaint.objects.public(), "router")
    with django_assert_num_queries(1):  # the last month holds enough
        assert search.newest_matches(matches, 1) == [ids["Router 2"]]
    with django_assert_num_queries(2):  # the last month holds one: the last year
        assert search.newest_matches(matches, 2) == [ids["Router 2"], ids["Router 40"]]
    with django_assert_num_queries(3):  # all time, and the answer is the same as without windows
        newest = search.newest_matches(matches, 3)
    assert newest == [ids["Router 2"], ids["Router 40"], ids["Router 400"]]
    assert newest == list(matches.order_by("-published_at", "-pk").values_list("pk", flat=True)[:3])
    assert search.newest_matches(matches, 10) == [ids[title] for title in ages]


def test_a_ranked_search_over_the_cap_ranks_the_newest_matches_of_all_time(client, monkeypatch):
    published("Router old", days_ago=900)
    published("Router older", days_ago=1000)
    published("Router oldest", days_ago=1100)
    monkeypatch.setattr(search, "CANDIDATE_LIMIT", 2)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    response = client.get(LIST, {"q": "router"})
    assert sorted(titles(response)) == ["Router old", "Router older"]


# Filters --------------------------------------------------------------------------------

@pytest.fixture
def landscape(db):
    """Complaints that differ in one filter each."""
    isp = IndustryFactory(name="ISP", slug="isp")
    bank = IndustryFactory(name="Banks", slug="banks")
    telia = CompanyFactory(name="Telia", slug="telia", aliases="Telia Sverige", industry=isp)
    nordea = CompanyFactory(name="Nordea", slug="nordea", industry=bank)
    rows = {
        "telia-en": published("Telia en", company=telia, amount=Decimal("100"), currency="SEK", days_ago=40),
        "telia-sv": published("Telia sv", company=telia, language="sv", amount=Decimal("900"), currency="SEK",
                              days_ago=10),
        "nordea-de": published("Nordea de", company=nordea, language="de", days_ago=5),
        "nordea-en": published("Nordea en", company=nordea, amount=Decimal("50.50"), currency="EUR", days_ago=1),
    }
    Complaint.objects.filter(pk=rows["telia-sv"].pk).update(status=Complaint.Status.RESOLVED)
    Complaint.objects.filter(pk=rows["nordea-de"].pk).update(status=Complaint.Status.UNRESOLVED)
    Complaint.objects.filter(pk=rows["nordea-en"].pk).update(status=Complaint.Status.ANSWERED)
    message = Message.objects.create(complaint=rows["nordea-en"], author=UserFactory(), company=nordea,
                                     kind=Message.Kind.OFFER, body="We offer a refund.")
    Offer.objects.create(complaint=rows["nordea-en"], message=message, company=nordea, kind="refund",
                         amount=Decimal("50.50"), currency="EUR", description="Refund",
                         expires_on=timezone.localdate() + datetime.timedelta(days=14))
    return rows


@pytest.mark.parametrize(("params", "expected"), [
    ({"company": "telia"}, {"Telia en", "Telia sv"}),
    ({"company": "Telia"}, {"Telia en", "Telia sv"}),
    ({"company": "telia sverige"}, {"Telia en", "Telia sv"}),
    ({"industry": "banks"}, {"Nordea de", "Nordea en"}),
    ({"status": "answered"}, {"Nordea en"}),
    ({"language": "sv"}, {"Telia sv"}),
    ({"language": "en", "industry": "isp"}, {"Telia en"}),
    ({"has_offer": "yes"}, {"Nordea en"}),
    ({"has_offer": "no", "company": "nordea"}, {"Nordea de"}),
    ({"resolved": "yes"}, {"Telia sv"}),
    ({"resolved": "no"}, {"Nordea de"}),
    ({"amount_min": "60"}, {"Telia en", "Telia sv"}),
    ({"amount_min": "50.5", "amount_max": "100"}, {"Telia en", "Nordea en"}),
    ({"amount_max": "99"}, {"Nordea en"}),
    ({"q": "Telia", "language": "sv"}, {"Telia sv"}),
    ({"q": "Nordea", "has_offer": "yes", "sort": "oldest"}, {"Nordea en"}),
])
def test_filters_and_their_combinations(client, landscape, params, expected):
    response = client.get(LIST, params)
    assert set(titles(response)) == expected
    assert response.context["results"].count == len(expected)
    assert not response.context["filter"].form.errors


def test_date_range_covers_whole_days(client, landscape):
    today = timezone.localdate()
    params = {"published_from": (today - datetime.timedelta(days=10)).isoformat(),
              "published_to": (today - datetime.timedelta(days=5)).isoformat()}
    assert set(titles(client.get(LIST, params))) == {"Telia sv", "Nordea de"}
    assert set(titles(client.get(LIST, {"published_to": "9999-12-31"}))) == set(
        Complaint.objects.values_list("title", flat=True)
    )


@pytest.mark.parametrize(("params", "field"), [
    ({"company": "No such company"}, "company"),
    ({"industry": "no-such-industry"}, "industry"),
    ({"status": "hidden"}, "status"),
    ({"status": "draft"}, "status"),
    ({"language": "xx"}, "language"),
    ({"published_from": "yesterday"}, "published_from"),
    ({"published_from": "2026-02-30"}, "published_from"),
    ({"published_from": "2026-05-01", "published_to": "2026-04-01"}, "published_to"),
    ({"amount_min": "-5"}, "amount_min"),
    ({"amount_min": "1e999999"}, "amount_min"),
    ({"amount_min": "12345678901234"}, "amount_min"),
    ({"amount_min": "NaN"}, "amount_min"),
    ({"amount_min": "60", "amount_max": "10"}, "amount_max"),
    ({"has_offer": "maybe"}, "has_offer"),
    ({"resolved": "1; DROP TABLE"}, "resolved"),
    ({"sort": "title"}, "sort"),
    ({"sort": "-published_at"}, "sort"),
])
def test_an_invalid_value_gets_a_message_next_to_its_field_and_the_rest_still_applies(client, landscape, params, field):
    response = client.get(LIST, {**params, "language": params.get("language", "en")})
    assert response.status_code == 200
    form = response.context["filter"].form
    assert field in form.errors
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body  # next to the field
    if field != "language":
        # The valid filter still applies: English complaints only.
        assert set(titles(response)) <= {"Telia en", "Nordea en"}
        assert titles(response)


def test_sorting_by_me_too_and_oldest(client, company):
    low = published("Few", company=company, days_ago=1)
    high = published("Many", company=company, days_ago=2)
    published("None", company=company, days_ago=3)
    Complaint.objects.filter(pk=high.pk).update(me_too_count=5)
    Complaint.objects.filter(pk=low.pk).update(me_too_count=1)
    assert titles(client.get(LIST, {"sort": "me_too"})) == ["Many", "Few", "None"]
    assert titles(client.get(LIST, {"sort": "oldest"})) == ["None", "Many", "Few"]
    assert titles(client.get(LIST)) == ["Few", "Many", "None"]


def test_me_too_count_follows_the_me_too_rows(company, member, other_member):
    from complaints.services.participation import me_too_toggle

    complaint = published("Counted", company=company)
    me_too_toggle(complaint=complaint, user=member)
    me_too_toggle(complaint=complaint, user=other_member)
    complaint.refresh_from_db()
    assert complaint.me_too_count == complaint.me_toos.count() == 2
    me_too_toggle(complaint=complaint, user=member)
    complaint.refresh_from_db()
    assert complaint.me_too_count == complaint.me_toos.count() == 1


def test_the_address_holds_the_whole_state(client, landscape):
    """A bookmarked search comes back the same, and page links keep the filters."""
    for n in range(25):
        published(f"Telia extra {n}", company=landscape["telia-en"].company, language="sv", days_ago=2 + n / 100)
    params = {"q": "Telia", "language": "sv", "sort": "newest"}
    first = client.get(LIST, params)
    next_link = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    assert "q=Telia" in next_link and "language=sv" in next_link and "sort=newest" in next_link
    second = client.get(LIST + next_link)
    assert not set(titles(first)) & set(titles(second))
    assert len(titles(first)) + len(titles(second)) == 26
    assert client.get(LIST, params).context["results"].count == 26


# Keyset paging --------------------------------------------------------------------------

def walk(client, params, direction="next"):
    """Every page of a list, following its links; returns the pages' titles."""
    pages = []
    response = client.get(LIST, params)
    while True:
        pages.append(titles(response))
        link = re.search(rf'rel="{direction}" href="([^"]+)"', response.content.decode())
        if not link:
            return pages
        response = client.get(LIST + link.group(1).replace("&amp;", "&"))
        assert len(pages) < 20


@pytest.mark.parametrize("sort", ["newest", "oldest", "me_too"])
def test_paging_visits_every_complaint_once_even_with_equal_sort_keys(client, company, sort):
    same_moment = timezone.now() - datetime.timedelta(hours=1)
    made = [published(f"C{n:02}", company=company) for n in range(45)]
    # Ties on every part of the key but the id.
    Complaint.objects.filter(pk__in=[c.pk for c in made[:30]]).update(published_at=same_moment)
    Complaint.objects.filter(pk__in=[c.pk for c in made[::2]]).update(me_too_count=2)
    pages = walk(client, {"sort": sort})
    assert [len(page) for page in pages] == [20, 20, 5]
    seen = [title for page in pages for title in page]
    assert sorted(seen) == sorted(c.title for c in made)
    ordering = SORTS[sort].order_by()
    expected = list(Complaint.objects.public().order_by(*ordering).values_list("title", flat=True))
    assert seen == expected


def test_paging_back_returns_the_same_pages(client, company):
    for n in range(45):
        published(f"C{n:02}", company=company, days_ago=n)
    forward = walk(client, {})
    response = client.get(LIST)
    for _ in range(2):
        link = re.search(r'rel="next" href="([^"]+)"', response.content.decode()).group(1)
        response = client.get(LIST + link.replace("&amp;", "&"))
    backward = [titles(response)]
    while link := re.search(r'rel="prev" href="([^"]+)"', response.content.decode()):
        response = client.get(LIST + link.group(1).replace("&amp;", "&"))
        backward.append(titles(response))
    assert backward[::-1] == forward


@pytest.mark.parametrize(("rows", "pages"), [(0, [0]), (1, [1]), (20, [20]), (21, [20, 1]), (40, [20, 20])])
def test_paging_at_the_edges(client, company, rows, pages):
    for n in range(rows):
        published(f"C{n:02}", company=company, days_ago=n)
    walked = walk(client, {})
    assert [len(page) for page in walked] == pages
    first = client.get(LIST).content.decode()
    assert 'rel="prev"' not in first


@pytest.mark.parametrize("cursor", [
    "zzz", "1.2.3", "", "1", "-1.-1", "99999999999999999999999.1", "1.99999999999999999999", "1e5.1",
    "' OR 1=1 --", "1.1\x00", "9" * 200, "1731000000000000.5",
])
def test_a_bad_page_link_shows_the_first_page_with_a_note(client, company, cursor):
    published("Only one", company=company)
    for key in ("after", "before"):
        response = client.get(LIST, {key: cursor})
        assert response.status_code == 200
        if response.context["results"].bad_cursor:
            assert titles(response) == ["Only one"]
            assert "no longer valid" in response.content.decode()


def test_cursors_round_trip():
    moment = datetime.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=datetime.UTC)
    for sort in SORTS.values():
        values = (7, moment, 42)[-len(sort.fields):] if len(sort.fields) == 3 else (moment, 42)
        assert decode_cursor(encode_cursor(values), sort) == values
    with pytest.raises(BadCursor):
        decode_cursor("1.2.3", SORTS["newest"])


def test_counts_are_capped(client, company, monkeypatch, fresh_planner_statistics):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    for n in range(7):
        published(f"C{n}", company=company)
    fresh_planner_statistics()
    response = client.get(LIST)
    assert response.context["results"].count == 5 and response.context["results"].count_capped
    assert "More than 5 complaints" in response.content.decode()
    assert len(titles(response)) == 7  # a page is not limited by the cap


def test_list_query_count_does_not_grow_when_searching(client, company, django_assert_max_num_queries):
    for n in range(3):
        published(f"Router {n}", company=company)
    # the matching ids (the count), the ranking, the page's rows, the industry choices;
    # PostgreSQL highlights in a query of its own (only for complaints whose highlight is not kept yet)
    client.get(LIST, {"q": "router"})
    expected = 5 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(expected):
        client.get(LIST, {"q": "router"})
    for n in range(30):
        published(f"Router more {n}", company=company)
    with django_assert_max_num_queries(expected):
        client.get(LIST, {"q": "router"})
    with django_assert_max_num_queries(expected):  # the company named in the filter, no ranking (sorted by date)
        client.get(LIST, {"q": "router", "company": "2kom", "sort": "newest", "has_offer": "no"})


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_status_list_pages_through_its_own_index_forward_and_back(client, company, monkeypatch, sort):
    """A status filter orders by the status first (paging.OneOf): same rows, same order, every page."""
    monkeypatch.setattr(paging, "COUNT_CAP", 10)  # capped: the pages are read by key, not from the ids
    for n in range(45):
        complaint = published(f"C{n:02}", company=company, days_ago=n)
        if n % 3:
            Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED)
    closed = [f"C{n:02}" for n in range(45) if n % 3]
    expected = closed if sort == "newest" else closed[::-1]
    response = client.get(LIST, {"status": "closed", "sort": sort})
    pages = [titles(response)]
    while response.context["page"].has_next:
        response = client.get(LIST, {"status": "closed", "sort": sort, "after": response.context["page"].next_cursor})
        pages.append(titles(response))
    assert [title for page in pages for title in page] == expected
    back = client.get(LIST, {"status": "closed", "sort": sort, "before": response.context["page"].previous_cursor})
    assert titles(back) == pages[-2]
    assert titles(client.get(LIST, {"resolved": "no", "sort": sort})) == []
