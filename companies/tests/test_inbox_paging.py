"""The business inbox and "my complaints" at any size: keyset paging, capped counts, and plans.

A representative of a company with 70,000 complaints must get a page as fast as one with
seven: the same number of queries, each reading about a page of an index (issue 17).
"""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from companies.tests.test_business_inbox import page_text, represent
from complaints.inbox import INBOX_VIEWS, inbox_complaints
from complaints.models import Complaint, Message, Offer
from complaints.sorts import INBOX_SORT
from complaints.tests.factories import UserFactory
from complaints.tests.test_hostile_input import payloads  # noqa: F401 (a fixture)
from core import paging
from core.paging import BadCursor, decode_cursor

pytestmark = pytest.mark.django_db

INBOX = reverse("complaints:business")
MINE = reverse("complaints:mine")
S = Complaint.Status
W = Complaint.WaitingOn
NOW = timezone.now()

# The states a complaint passes through, as the services leave them: (status, waiting on, answered).
STATES = [
    (S.PUBLISHED, W.COMPANY, False),  # awaiting a first answer (overdue when old)
    (S.ANSWERED, W.AUTHOR, True),
    (S.ANSWERED, W.COMPANY, True),
    (S.RESOLVED, W.NOBODY, True),
    (S.UNRESOLVED, W.NOBODY, True),
    (S.CLOSED, W.NOBODY, True),
    (S.DRAFT, W.NOBODY, False),  # never in the inbox
]


def add_complaints(company, count, *, author=None, start=0, offers_every=5):
    """`count` complaints of `company` in every inbox state, written directly (fast enough for 20,000).

    Waiting times repeat (every 11th complaint shares one) so that the primary key has to break ties;
    every `offers_every`-th answered complaint carries an open offer.
    """
    author = author or UserFactory()
    complaints = []
    for n in range(start, start + count):
        status, waiting_on, answered = STATES[n % len(STATES)]
        published = None if status == S.DRAFT else NOW - timedelta(days=30) + timedelta(minutes=37 * (n % 997))
        waiting_since = published + timedelta(hours=n % 11) if published else None
        complaints.append(Complaint(
            company=company, author=author, status=status, title=f"{company.name} {n}", story="Still broken.",
            desired_outcome=Complaint.Outcome.REFUND, language="en", published_at=published,
            waiting_on=waiting_on, waiting_since=waiting_since,
            first_answered_at=published + timedelta(hours=1) if answered else None,
            created_at=(published or NOW) - timedelta(minutes=5),
        ))
    complaints = Complaint.objects.bulk_create(complaints, batch_size=2000)
    with_offers = [c for n, c in enumerate(complaints) if c.status == S.ANSWERED and n % offers_every == 0]
    messages = Message.objects.bulk_create([
        Message(complaint=c, author=author, company=company, kind=Message.Kind.OFFER, body="An offer")
        for c in with_offers
    ])
    Offer.objects.bulk_create([
        Offer(complaint=m.complaint, message=m, company=company, kind=Offer.Kind.REFUND, description="Money back",
              expires_on=timezone.localdate() + timedelta(days=10))
        for m in messages
    ])
    return complaints


def inbox_order(complaints) -> list[str]:
    """The titles in the inbox's order, worked out here: waiting first, longest waiting first, then the id."""
    shown = [c for c in complaints if c.status in Complaint.PUBLIC_STATUSES]
    shown.sort(key=lambda c: (c.waiting_on == W.NOBODY, c.waiting_since or c.published_at or c.created_at, c.pk))
    return [c.title for c in shown]


def titles(response) -> list[str]:
    return [complaint.title for complaint in response.context["page"]]


def link(response, rel) -> dict:
    """The query of the page's "next" or "previous" link, or None when there is none."""
    page = response.context["page"]
    cursor = page.next_cursor if rel == "next" else page.previous_cursor
    if not cursor:
        return None
    html = response.content.decode()
    anchor = 'rel="next" href="' if rel == "next" else 'rel="prev" href="'
    start = html.index(anchor) + len(anchor)
    query = parse_qs(urlparse(html[start:html.index('"', start)].replace("&amp;", "&")).query)
    return {name: values[0] for name, values in query.items()}


def walk(client, url, params=None, *, limit=100):
    """Every page from the first by the "next" links; the responses."""
    responses = [client.get(url, params or {})]
    while (following := link(responses[-1], "next")) and len(responses) < limit:
        responses.append(client.get(url, following))
    return responses


@pytest.fixture
def agent(db):
    """A company employee who represents only the companies a test gives them (Alpha, from `alpha`).

    Not the shared `agent`, who already represents `company` from the start."""
    return UserFactory(email="agent@alpha.example")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def alpha(agent):
    company = CompanyFactory(name="Alpha Net")
    represent(agent, company)
    return company


# Queries per page do not grow with the company.

@pytest.mark.parametrize("view", ["", *INBOX_VIEWS])
@pytest.mark.parametrize("companies", [1, 2])
def test_inbox_query_count_is_the_same_for_3_and_60_complaints(agent_client, agent, alpha, view, companies,
                                                                django_assert_num_queries):
    represented = [alpha] + [represent(agent, CompanyFactory(name="Beta Power")).company][: companies - 1]
    for company in represented:
        add_complaints(company, 3, offers_every=1)
    params = {"view": view} if view else {}
    agent_client.get(INBOX, params)  # the header's "is this a moderator?" is cached from the first page on
    with CaptureQueriesContext(connection) as few:
        assert agent_client.get(INBOX, params).status_code == 200
    for company in represented:
        add_complaints(company, 57, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = agent_client.get(INBOX, params)
    assert response.status_code == 200
    if not view:
        assert len(titles(response)) == 20 and link(response, "next")


def test_my_complaints_query_count_is_the_same_for_3_and_60_complaints(client, django_assert_num_queries):
    member, company = UserFactory(), CompanyFactory()
    add_complaints(company, 3, author=member)
    client.force_login(member)
    client.get(MINE)
    with CaptureQueriesContext(connection) as few:
        client.get(MINE)
    add_complaints(company, 57, author=member, start=3)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(titles(client.get(MINE))) == 20


def test_counts_past_the_cap_say_more_than(agent_client, alpha, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    monkeypatch.setattr("complaints.views.companies.COUNT_CAP", 5)
    add_complaints(alpha, 28)  # 4 in each state: 24 shown, 4 of them resolved and 4 unresolved
    response = agent_client.get(INBOX)
    assert response.context["counts"]["total"] == 5
    text = page_text(response)
    assert "All (more than 5)" in text
    assert "Resolved (4)" in text and "Unresolved (4)" in text


# Paging at the edges.

@pytest.mark.parametrize("view", ["", *INBOX_VIEWS])
def test_walking_forward_then_back_shows_every_row_once_in_order(agent_client, alpha, view):
    complaints = add_complaints(alpha, 150, offers_every=1)
    params = {"view": view} if view else {}
    forward = walk(agent_client, INBOX, params)
    seen = [title for response in forward for title in titles(response)]
    in_view = set(inbox_complaints([alpha], view or None).values_list("pk", flat=True))
    assert seen == inbox_order([c for c in complaints if c.pk in in_view])
    assert link(forward[0], "previous") is None  # the first page has no way back
    assert link(forward[-1], "next") is None
    assert all(len(titles(response)) == 20 for response in forward[:-1])

    back = [forward[-1]]
    while previous := link(back[-1], "previous"):
        back.append(agent_client.get(INBOX, previous))
    assert [titles(response) for response in reversed(back)] == [titles(response) for response in forward]


def test_several_companies_are_merged_in_one_order(agent_client, agent, alpha):
    beta = represent(agent, CompanyFactory(name="Beta Power")).company
    complaints = add_complaints(alpha, 45) + add_complaints(beta, 45, start=3)
    forward = walk(agent_client, INBOX)
    seen = [title for response in forward for title in titles(response)]
    assert seen == inbox_order(complaints)
    back = [forward[-1]]
    while previous := link(back[-1], "previous"):
        back.append(agent_client.get(INBOX, previous))
    assert [title for response in reversed(back) for title in titles(response)] == seen
    # One company of the two: only its rows, in the same order.
    narrowed = [t for r in walk(agent_client, INBOX, {"company": beta.slug}) for t in titles(r)]
    assert narrowed == [title for title in seen if title.startswith("Beta")]


def test_a_complaint_arriving_during_the_walk_neither_repeats_nor_hides_a_row(agent_client, alpha):
    complaints = add_complaints(alpha, 70)
    expected = inbox_order(complaints)
    first = agent_client.get(INBOX)
    # Between two requests: one complaint sorting on the page already seen, one sorting further on.
    early, late = add_complaints(alpha, 2, start=700)
    Complaint.objects.filter(pk=early.pk).update(status=S.PUBLISHED, waiting_on=W.COMPANY,
                                                 waiting_since=NOW - timedelta(days=400))
    Complaint.objects.filter(pk=late.pk).update(status=S.PUBLISHED, waiting_on=W.COMPANY,
                                                waiting_since=NOW - timedelta(days=1))
    rest = walk(agent_client, INBOX, link(first, "next"))
    seen = titles(first) + [title for response in rest for title in titles(response)]
    assert len(seen) == len(set(seen))  # nothing twice
    assert early.title not in seen  # it sorts before the cursor: next time from the first page
    assert [title for title in seen if title != late.title] == expected  # nothing skipped
    assert late.title in seen


def test_my_complaints_walk_forward_and_back(client):
    member, company = UserFactory(), CompanyFactory()
    complaints = add_complaints(company, 45, author=member)
    add_complaints(company, 5)  # someone else's
    client.force_login(member)
    forward = walk(client, MINE)
    newest_first = [c.title for c in sorted(complaints, key=lambda c: (c.created_at, c.pk), reverse=True)]
    assert [title for response in forward for title in titles(response)] == newest_first
    back = [forward[-1]]
    while previous := link(back[-1], "previous"):
        back.append(client.get(MINE, previous))
    assert [titles(response) for response in reversed(back)] == [titles(response) for response in forward]


# Tampered page links: the first page and a notice, never an error.

TAMPERED = [
    "garbage", "1", "1.2", "0.0.0.0", "2.0.1", "-1.0.1", "0.99999999999999999999999.1",
    "0.-99999999999999999999.1", f"0.0.{2**63}", "0.0.-1", "1" * 99 + ".1.1", "0." + "9" * 100 + ".1",
    "0.1e5.1", "0.0x10.1", "0. 5.1", "\x00.0.1", "0.0.1\x00", "１.０.１",
]


def _is_a_cursor(text) -> bool:
    try:
        decode_cursor(text, INBOX_SORT)
    except BadCursor:
        return False
    return True


@pytest.mark.parametrize("value", TAMPERED)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_tampered_cursor_gives_the_first_page(agent_client, alpha, direction, value):
    add_complaints(alpha, 30)
    first = titles(agent_client.get(INBOX))
    response = agent_client.get(INBOX, {direction: value})
    assert response.status_code == 200
    if not _is_a_cursor(value):
        assert titles(response) == first
        assert "That page link is no longer valid" in page_text(response)


def test_payloads_as_cursors_give_a_page(agent_client, alpha, payloads):  # noqa: F811 (the fixture)
    add_complaints(alpha, 30)
    first = titles(agent_client.get(INBOX))
    everything = [*payloads.naughty, *payloads.sqli, *payloads.xss]
    # Every payload is refused or read as numbers, never another error; through the page
    # go those read as numbers and every 15th of the rest (all of them took 40 s).
    decodable = [payload for payload in everything if _is_a_cursor(payload)]
    for payload in decodable + everything[::15]:
        response = agent_client.get(INBOX, {"after": payload})
        assert response.status_code == 200, payload
        if payload not in decodable:
            assert titles(response) == first, payload
        assert agent_client.get(INBOX, {"before": payload, "view": "awaiting"}).status_code == 200, payload


@pytest.mark.parametrize("value", ["garbage", "1.2.3", "9" * 30 + ".1", "\x00"])
def test_my_complaints_with_a_tampered_cursor_gives_the_first_page(client, value):
    member = UserFactory()
    add_complaints(CompanyFactory(), 30, author=member)
    client.force_login(member)
    first = titles(client.get(MINE))
    for direction in ("after", "before"):
        response = client.get(MINE, {direction: value})
        assert response.status_code == 200
        assert titles(response) == first


@pytest.mark.parametrize("foreign", ["1731000000000000.5", "3.1731000000000000.5"])
def test_a_cursor_from_a_public_list_is_refused(agent_client, alpha, foreign):
    add_complaints(alpha, 30)
    response = agent_client.get(INBOX, {"after": foreign})  # newest first (two keys); most "me too" (three)
    assert response.status_code == 200
    assert response.context["bad_cursor"]


# Plans on PostgreSQL: no page or count reads the whole complaints table.

def _seq_scans_of_complaints(plan) -> list:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") == "complaints_complaint":
        found.append(plan)
    for child in plan.get("Plans", []):
        found += _seq_scans_of_complaints(child)
    return found


def _complaint_queries(client, url, params):
    """The response, and the SQL of each query it ran on the complaints table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries
                      if "complaints_complaint" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans (CI runs the suite on both)")
def test_inbox_pages_and_counts_never_scan_the_complaints_table(agent_client, agent, alpha):
    # Enough rows, with fresh statistics, that a sequential scan would be the planner's choice
    # were no index to match: 20,000 complaints of one company among 30,000.
    add_complaints(alpha, 20_000, offers_every=40)
    for n in range(40):
        add_complaints(CompanyFactory(name=f"Other {n}"), 250, start=n * 250)
    add_complaints(represent(agent, CompanyFactory(name="Beta Power")).company, 300)
    with connection.cursor() as cursor:
        for table in ("complaints_complaint", "complaints_offer", "companies_company"):
            cursor.execute(f"ANALYZE {table}")
    for view in ["", *INBOX_VIEWS]:
        params = {"view": view} if view else {}
        for scope in ({"company": alpha.slug}, {}):  # one company; then both, merged
            first, queries = _complaint_queries(agent_client, INBOX, {**params, **scope})
            deeper = link(first, "next")
            if deeper:  # a later page, and back
                response, more = _complaint_queries(agent_client, INBOX, deeper)
                queries += more
                if back := link(response, "previous"):
                    queries += _complaint_queries(agent_client, INBOX, back)[1]
            assert len(queries) >= 2  # the counts (seven views in one query) and a page at least
            assert any(sql.count("SELECT COUNT(*)") == 7 for sql in queries)
            for sql in queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                    plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                assert not _seq_scans_of_complaints(plan[0]["Plan"]), (view, scope, sql)

    response = agent_client.get(INBOX, {"company": alpha.slug})
    assert response.context["counts"]["total"] == paging.COUNT_CAP
    assert "All (more than 1,000)" in page_text(response)


def test_capped_counts_count_each_view_up_to_its_cap_in_one_query(alpha, django_assert_num_queries):
    add_complaints(alpha, 30)
    public = Complaint.objects.public().filter(company=alpha)
    exact = public.filter(status=S.RESOLVED).count()
    assert 0 < exact <= 10
    with django_assert_num_queries(1):
        counts = paging.capped_counts({
            "all": public, "resolved": public.filter(status=S.RESOLVED), "nothing": public.none(),
            "other company": Complaint.objects.public().exclude(company=alpha),
        }, cap=10)
    assert counts == {"all": (10, True), "resolved": (exact, False), "nothing": (0, False), "other company": (0, False)}
