"""The business side through the test client: the inbox, reply templates, the team page, and
what representation changes on the public company page."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.models import ReplyTemplate, RepresentationClaim, Representative
from companies.services import claim_submit, reply_template_save
from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Message
from complaints.services.lifecycle import complaint_withdraw
from complaints.services.thread import complaint_evaluate, message_post, offer_respond
from complaints.tests.factories import UserFactory, make_draft, make_published

pytestmark = pytest.mark.django_db

INBOX = reverse("complaints:business")


def represent(user, company, role="owner"):
    return Representative.objects.create(user=user, company=company, role=role, verified_by="domain")


def answer(complaint, rep, body="We are on it."):
    return message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body=body)


def offer(complaint, rep):
    message = message_post(complaint=complaint, user=rep, kind=Message.Kind.OFFER, body="Our offer", offer={
        "kind": "refund", "amount": Decimal("20.00"), "currency": "EUR", "days": None,
        "description": "A month back", "expires_on": timezone.localdate() + timedelta(days=10),
    })
    return message.offer


def evaluate(complaint, *, resolved):
    return complaint_evaluate(complaint=complaint, user=complaint.author,
                              data={"resolved": resolved, "rating": 4 if resolved else 2, "would_return": resolved})


def published_days_ago(complaint, days):
    """What the services would have written had the complaint been published `days` ago."""
    when = timezone.now() - timedelta(days=days)
    Complaint.objects.filter(pk=complaint.pk).update(published_at=when, waiting_since=when)


def page_text(response) -> str:
    """The visible text of a page, tags dropped and spaces collapsed, so layout changes do not matter."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def listed(response) -> list[str]:
    return [complaint.title for complaint in response.context["page"]]


@pytest.fixture
def agent(db):
    """A company employee who represents nobody yet: each test decides which companies they speak for.

    Not the shared `rep`, who already represents `company` from the start."""
    return UserFactory(email="agent@alpha.example")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def inbox(agent):
    """A representative of Alpha (owner) and Beta (member) with one complaint in every inbox view."""
    alpha, beta = CompanyFactory(name="Alpha Net"), CompanyFactory(name="Beta Power")
    represent(agent, alpha)
    represent(agent, beta, role="member")
    overdue = make_published(company=alpha, title="Alpha overdue")
    published_days_ago(overdue, 10)  # ANSWER_OVERDUE_DAYS is 7
    awaiting = make_published(company=alpha, title="Alpha awaiting")
    published_days_ago(awaiting, 2)
    answer(make_published(company=alpha, title="Alpha waits on author"), agent)
    offer(make_published(company=alpha, title="Alpha open offer"), agent)
    resolved = make_published(company=beta, title="Beta resolved")
    answer(resolved, agent)
    evaluate(resolved, resolved=True)
    unresolved = make_published(company=beta, title="Beta unresolved")
    answer(unresolved, agent)
    evaluate(unresolved, resolved=False)
    # Never in the inbox: a draft, a withdrawn complaint, a complaint about a company not represented.
    make_draft(company=alpha, title="Alpha draft")
    withdrawn = make_published(company=alpha, title="Alpha withdrawn")
    complaint_withdraw(complaint=withdrawn, user=withdrawn.author)
    make_published(company=CompanyFactory(name="Gamma Gas"), title="Gamma complaint")
    return alpha, beta


ALL_TITLES = {"Alpha overdue", "Alpha awaiting", "Alpha waits on author", "Alpha open offer", "Beta resolved",
              "Beta unresolved"}


# The inbox.

def test_inbox_counts_every_view_for_all_represented_companies(agent_client, inbox):
    response = agent_client.get(INBOX)
    assert response.status_code == 200
    assert response.context["counts"] == {"total": 6, "awaiting": 2, "overdue": 1, "author": 2, "offers": 1,
                                          "resolved": 1, "unresolved": 1}
    assert set(listed(response)) == ALL_TITLES
    text = page_text(response)
    for label in ["All (6)", "Awaiting a first answer (2)", "Overdue (1)", "Awaiting the author (2)",
                  "Offers pending (1)", "Resolved (1)", "Unresolved (1)"]:
        assert label in text


@pytest.mark.parametrize(("view", "titles"), [
    ("awaiting", ["Alpha overdue", "Alpha awaiting"]),
    ("overdue", ["Alpha overdue"]),
    ("author", ["Alpha waits on author", "Alpha open offer"]),
    ("offers", ["Alpha open offer"]),
    ("resolved", ["Beta resolved"]),
    ("unresolved", ["Beta unresolved"]),
])
def test_each_view_lists_its_complaints_oldest_waiting_first(agent_client, inbox, view, titles):
    response = agent_client.get(INBOX, {"view": view})
    assert response.context["view"] == view
    assert listed(response) == titles


def test_all_view_puts_the_longest_waiting_first(agent_client, inbox):
    assert listed(agent_client.get(INBOX))[:2] == ["Alpha overdue", "Alpha awaiting"]


def test_company_parameter_narrows_the_inbox_to_one_company(agent_client, inbox):
    alpha, beta = inbox
    response = agent_client.get(INBOX, {"company": beta.slug})
    assert response.context["selected"] == beta
    assert response.context["counts"] == {"total": 2, "awaiting": 0, "overdue": 0, "author": 0, "offers": 0,
                                          "resolved": 1, "unresolved": 1}
    assert set(listed(response)) == {"Beta resolved", "Beta unresolved"}
    response = agent_client.get(INBOX, {"company": alpha.slug, "view": "awaiting"})
    assert listed(response) == ["Alpha overdue", "Alpha awaiting"]


@pytest.mark.parametrize("params", [
    {"view": "everything"}, {"view": "' OR 1=1 --"}, {"view": ""}, {"company": "no-such-company"},
    {"company": "gamma-gas"}, {"company": "<script>alert(1)</script>"}, {"page": "abc"}, {"page": "999"},
    {"view": "resolved\x00"}, {"company": "a" * 5000},
])
def test_unknown_views_and_companies_are_ignored_not_a_500(agent_client, inbox, params):
    response = agent_client.get(INBOX, params)
    assert response.status_code == 200
    assert response.context["view"] is None
    assert response.context["selected"] is None
    assert set(listed(response)) == ALL_TITLES  # never Gamma's complaint, never a draft or a withdrawn one


def test_a_member_who_represents_nobody_gets_the_explanation(client, member):
    client.force_login(member)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "You do not represent any company yet" in page_text(response)
    assert reverse("companies:list") in response.content.decode()


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_pending_request_shows_with_a_withdraw_button(client, member, company):
    claim = claim_submit(user=member, company=company, work_email="", job_title="Support lead", evidence="Ask Olga")
    claim_submit(user=UserFactory(), company=company, work_email="", job_title="Someone else", evidence="")
    client.force_login(member)
    response = client.get(INBOX)
    assert list(response.context["claims"]) == [claim]
    withdraw = reverse("companies:claim_withdraw", args=[claim.pk])
    assert f'action="{withdraw}"' in response.content.decode()
    assert "2KOM: Waiting for a moderator" in page_text(response)

    assert client.post(withdraw)["Location"] == INBOX
    claim.refresh_from_db()
    assert claim.status == RepresentationClaim.Status.WITHDRAWN
    assert list(client.get(INBOX).context["claims"]) == []


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    return len(queries.captured_queries)


def test_inbox_query_count_does_not_grow_with_complaints(agent_client, agent):
    # Guards the N+1 on each row's company (the table shows complaint.company.name for every row of
    # every represented company): the inbox must join it, not fetch it per complaint.
    companies = [CompanyFactory(name="Alpha Net"), CompanyFactory(name="Beta Power")]
    for company in companies:
        represent(agent, company)
    for n in range(3):
        make_published(company=companies[n % 2])
    agent_client.get("/")  # the header's cached answer to "is this a moderator?" is in place from the first page on
    few = _inbox_queries(agent_client)
    for n in range(17):
        complaint = make_published(company=companies[n % 2])
        if n % 3 == 0:
            answer(complaint, agent)
    assert _inbox_queries(agent_client) == few


# Reply templates.

def test_a_representative_creates_edits_and_deletes_reply_templates(agent_client, agent, company):
    represent(agent, company)
    templates = reverse("companies:templates", args=[company.slug])
    response = agent_client.post(templates, {"title": "Refund done", "body": "We have refunded you."})
    assert response["Location"] == templates
    template = ReplyTemplate.objects.get(company=company)
    assert (template.title, template.body) == ("Refund done", "We have refunded you.")
    assert "We have refunded you." in page_text(agent_client.get(templates))

    edit = reverse("companies:template_edit", args=[company.slug, template.pk])
    assert agent_client.get(edit).context["form"].instance == template
    response = agent_client.post(edit, {"title": "Refund done", "body": "The refund is on its way."})
    assert response["Location"] == templates
    template.refresh_from_db()
    assert template.body == "The refund is on its way."

    response = agent_client.post(reverse("companies:template_delete", args=[company.slug, template.pk]))
    assert response["Location"] == templates
    assert not ReplyTemplate.objects.exists()


def test_a_duplicate_template_title_is_refused_next_to_the_field(agent_client, agent, company):
    represent(agent, company)
    other = CompanyFactory(name="Other Co")
    reply_template_save(company=other, user=represent(agent, other).user, title="Apology", body="Other's apology")
    templates = reverse("companies:templates", args=[company.slug])
    assert agent_client.post(templates, {"title": "Apology", "body": "Sorry."}).status_code == 302  # per company

    response = agent_client.post(templates, {"title": "Apology", "body": "Sorry again."})
    assert response.status_code == 200
    message = "There is already a template with this name."
    assert response.context["form"].errors["title"] == [message]
    html = response.content.decode()
    title_field = html[html.index('for="id_title"'):html.index('for="id_body"')]
    assert message in title_field
    assert ReplyTemplate.objects.filter(company=company).count() == 1


def test_a_template_prefills_the_company_answer(agent_client, agent, company):
    represent(agent, company)
    template = reply_template_save(company=company, user=agent, title="Apology",
                                   body="We are sorry for the outage & the wait.")
    complaint = make_published(company=company)
    page = agent_client.get(complaint.get_absolute_url())
    assert f"?template={template.pk}" in page.content.decode()
    assert page.context["company_form"].initial == {}

    response = agent_client.get(complaint.get_absolute_url(), {"template": template.pk})
    assert response.context["company_form"].initial["body"] == template.body
    textarea = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', response.content.decode(), re.S)
    assert unescape(textarea.group(1)).strip() == template.body
    for junk in ("abc", "", "-1", "99999"):
        assert agent_client.get(complaint.get_absolute_url(), {"template": junk}).status_code == 200


# The team page.

@pytest.fixture
def team(agent, company):
    colleague = UserFactory(email="colleague@2kom.ru")
    return represent(agent, company), represent(colleague, company, role="member")


def test_the_owner_removes_a_colleague(agent_client, company, team):
    owner, colleague = team
    page = agent_client.get(reverse("companies:team", args=[company.slug]))
    assert list(page.context["team"]) == [owner, colleague]
    remove = reverse("companies:remove_representative", args=[company.slug, colleague.pk])
    assert f'action="{remove}"' in page.content.decode()

    response = agent_client.post(remove)
    assert response["Location"] == reverse("companies:team", args=[company.slug])
    assert list(Representative.objects.filter(company=company)) == [owner]


def test_a_member_leaves_but_cannot_remove_the_owner(client, company, team):
    owner, colleague = team
    client.force_login(colleague.user)
    page = client.get(reverse("companies:team", args=[company.slug])).content.decode()
    assert reverse("companies:remove_representative", args=[company.slug, owner.pk]) not in page

    response = client.post(reverse("companies:remove_representative", args=[company.slug, owner.pk]))
    assert response["Location"] == reverse("companies:team", args=[company.slug])
    assert Representative.objects.filter(pk=owner.pk).exists()

    response = client.post(reverse("companies:remove_representative", args=[company.slug, colleague.pk]))
    assert response["Location"] == INBOX
    assert list(Representative.objects.filter(company=company)) == [owner]
    assert client.get(reverse("companies:team", args=[company.slug])).status_code == 404


def test_when_the_last_owner_leaves_the_oldest_colleague_becomes_owner(agent_client, company, team):
    owner, colleague = team
    agent_client.post(reverse("companies:remove_representative", args=[company.slug, owner.pk]))
    colleague.refresh_from_db()
    assert colleague.role == Representative.Role.OWNER


# The public company page.

def test_a_company_is_shown_as_verified_once_it_has_a_representative(client, agent, company):
    assert "Verified company" not in page_text(client.get(company.get_absolute_url()))
    represent(agent, company)
    assert page_text(client.get(company.get_absolute_url())).count("Verified company") == 1


def test_company_page_shows_its_record(client, agent, company, django_capture_on_commit_callbacks):
    # The figures are stored and refreshed after each change commits.
    with django_capture_on_commit_callbacks(execute=True):
        represent(agent, company)
        resolved = make_published(company=company)
        offer_respond(offer=offer(resolved, agent), user=resolved.author, accept=True)
        evaluate(resolved, resolved=True)
        unresolved = make_published(company=company)
        offer_respond(offer=offer(unresolved, agent), user=unresolved.author, accept=False)
        evaluate(unresolved, resolved=False)
        make_published(company=company)  # not answered yet
        # Neither counts: a withdrawn complaint (with its offer) and a draft.
        withdrawn = make_published(company=company)
        offer(withdrawn, agent)
        complaint_withdraw(complaint=withdrawn, user=withdrawn.author)
        make_draft(company=company)

    response = client.get(company.get_absolute_url())
    card = response.context["card"]
    assert (card.complaints, card.answered, card.evaluated, card.resolved, card.offers_made, card.offers_accepted) == (
        3, 2, 2, 1, 2, 1
    )
    text = page_text(response)
    for shown in ["Complaints 3", "Answered 67% 2 of 3", "Resolved 50% 1 of 2 evaluated", "Offers made 2",
                  "Offers accepted 1", "Not enough data (2 of 10 evaluated complaints)"]:
        assert shown in text
