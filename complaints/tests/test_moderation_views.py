"""Moderation through the test client: who may open and use each moderation page (SECURITY.md
item 18), that pending, rejected and hidden content shows nowhere in public (item 20), that a
redacted phone number is gone everywhere (item 28), edit windows, reports and the public
transparency page."""

import re
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from companies.models import Company
from companies.services import claim_submit
from companies.tests.factories import CompanyFactory
from complaints.models import (
    Comment,
    Complaint,
    Delivery,
    Flag,
    Message,
    ModerationAction,
    Redaction,
    StatusChange,
    Suspension,
    Topic,
    Version,
)
from complaints.services.lifecycle import complaint_save_draft, complaint_submit
from complaints.services.moderation import (
    flag_create,
    moderation_approve,
    moderation_dismiss_flags,
    moderation_hide,
    moderation_redact,
    moderation_reject,
    moderation_restore,
)
from complaints.services.notifications import delivery_set
from complaints.services.participation import comment_post, follow_toggle
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, complaint_fields, make_draft, make_published, make_representative
from complaints.views.moderation import QUEUE_LISTS
from complaints_site.tests.language_client import LanguageClient

PHONE = "+46 70 123 45 67"
PHONE_IN_SLUG = "46-70-123-45-67"
REMOVED = "[removed: personal data]"
HIDDEN_NOTICE = "Hidden by the moderators."
EDITED = '<span class="help">edited</span>'
PERSONAS = ("visitor", "member", "author", "rep", "moderator")


def make_moderator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


@pytest.fixture
def clock(monkeypatch):
    """Move the clock the services and views read forward (rows keep the time they were written)."""
    def forward(**delta):
        later = timezone.now() + timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: later)
    return forward


# The access matrix.

@pytest.fixture
def world(settings, company):
    """A published complaint with a company message, a hidden one, a reported comment; a pending and a
    rejected complaint; a duplicate company. Reached through the services."""
    w = SimpleNamespace(company=company)
    w.users = {
        "member": UserFactory(email="member@example.com"),
        "author": UserFactory(email="author@example.com"),
        "rep": make_representative(company, email="rep@2kom.example"),
        "moderator": make_moderator(email="moderator@example.com"),
    }
    author, rep, moderator = w.users["author"], w.users["rep"], w.users["moderator"]
    w.beeline = CompanyFactory(name="Beeline")
    w.duplicate = CompanyFactory(name="2KOM Moscow")
    w.published = make_published(author=author, company=company, title="Router dead since March")
    w.message = message_post(complaint=w.published, user=rep, kind=Message.Kind.ANSWER,
                             body=f"Call our engineer on {PHONE}.", send_anyway=True)
    Message.objects.filter(pk=w.message.pk).update(text_held=False, announced=True)  # a moderator let it be read
    w.hidden_message = message_post(complaint=w.published, user=rep, kind=Message.Kind.DETAILS, body="Rude words")
    moderation_hide(item=w.hidden_message, moderator=moderator, reason="abuse")
    w.comment = comment_post(complaint=w.published, user=UserFactory(), body="Buy cheap routers at example.org")
    flag_create(user=UserFactory(), item=w.comment, reason=Flag.Reason.SPAM)
    settings.PREMODERATION = {"all"}
    w.pending = make_published(author=author, company=company, title="Charged after cancelling")
    w.rejected = make_published(author=author, company=company, title="Not a real story")
    moderation_reject(complaint=w.rejected, moderator=moderator, reason="not_real")
    settings.PREMODERATION = {"none"}
    w.proposed = complaint_submit(complaint=complaint_save_draft(
        author=author, fields=complaint_fields(title="About a firm nobody checked"), company=None,
        new_company={"name": "Tiny ISP", "website": "https://tiny-isp.example"}), user=author).company
    w.clients = {"visitor": client_for(), **{persona: client_for(user) for persona, user in w.users.items()}}
    return w


def snapshot() -> dict:
    return {
        "complaints": list(Complaint.objects.order_by("pk").values_list("pk", "status", "company_id", "title",
                                                                        "story")),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "body", "is_hidden", "text_held")),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "body", "is_hidden", "text_held")),
        "flags": list(Flag.objects.order_by("pk").values_list("pk", "status")),
        "suspensions": list(Suspension.objects.order_by("pk").values_list("user_id", flat=True)),
        "companies": list(Company.objects.order_by("pk").values_list("pk", "is_listed", "aliases", "name",
                                                                     "checked_at")),
        "actions": ModerationAction.objects.count(),
        "versions": Version.objects.count(),
        "redactions": Redaction.objects.count(),
    }


def changed(before, after) -> list[str]:
    return [key for key in before if before[key] != after[key]]


def request_in_savepoint(send, address, data=None):
    """One request between two snapshots; the database is rolled back afterwards."""
    with transaction.atomic():
        before = snapshot()
        response = send(address, data) if data is not None else send(address)
        after = snapshot()
        transaction.set_rollback(True)
    return response, before, after


def sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse("account_login")


@dataclass
class Case:
    name: str
    url: object  # world -> str
    allowed: frozenset
    data: object = None  # world -> dict for a POST; None for a GET
    changes: tuple = ()  # snapshot keys the allowed request changes
    denied_status: int = 403
    by_rule: frozenset = frozenset()  # reach the service and are refused with a message; nothing changes


MODERATOR = frozenset({"moderator"})
MEMBERS = frozenset(PERSONAS) - {"visitor"}


def url(name, *args):
    return lambda w: reverse(name, args=[arg(w) if callable(arg) else arg for arg in args])


def pk(attribute):
    return lambda w: getattr(w, attribute).pk


def decision(reason, **extra):
    return lambda w: {"reason": reason, "note": "", **extra}


MODERATION_CASES = [
    Case("queue", url("complaints:moderation_queue"), MODERATOR),
    Case("item: pending complaint", url("complaints:moderation_item", "complaint", pk("pending")), MODERATOR),
    Case("item: message", url("complaints:moderation_item", "message", pk("message")), MODERATOR),
    Case("item: comment", url("complaints:moderation_item", "comment", pk("comment")), MODERATOR),
    Case("approve", url("complaints:moderation_approve", pk("pending")), MODERATOR, decision("ok"), ("complaints",)),
    Case("reject", url("complaints:moderation_reject", pk("pending")), MODERATOR, decision("spam"), ("complaints",)),
    Case("move", url("complaints:moderation_move", pk("published")), MODERATOR,
         decision("wrong_company", company_name="Beeline"), ("complaints",)),
    Case("hide complaint", url("complaints:moderation_hide", "complaint", pk("published")), MODERATOR,
         decision("abuse"), ("complaints",)),
    Case("hide message", url("complaints:moderation_hide", "message", pk("message")), MODERATOR, decision("abuse"),
         ("messages",)),
    Case("hide comment", url("complaints:moderation_hide", "comment", pk("comment")), MODERATOR, decision("spam"),
         ("comments", "flags")),
    Case("restore message", url("complaints:moderation_restore", "message", pk("hidden_message")), MODERATOR,
         decision("ok"), ("messages",)),
    Case("redact message", url("complaints:moderation_redact", "message", pk("message")), MODERATOR,
         decision("personal_data", field="body", selection=PHONE), ("messages", "redactions")),
    Case("dismiss reports", url("complaints:moderation_dismiss", "comment", pk("comment")), MODERATOR,
         decision("ok"), ("flags",)),
    Case("suspend", url("complaints:moderation_suspend", "comment", pk("comment")), MODERATOR, decision("spam"),
         ("suspensions",)),
    Case("company page", lambda w: reverse("complaints:moderation_company", args=[w.duplicate.slug]), MODERATOR),
    Case("merge company", lambda w: reverse("complaints:moderation_company", args=[w.duplicate.slug]), MODERATOR,
         decision("duplicate", company_name="2KOM", action="merge"), ("companies",)),
    Case("confirm company", lambda w: reverse("complaints:moderation_company", args=[w.proposed.slug]), MODERATOR,
         lambda w: {"action": "confirm"}, ("companies", "actions")),
    Case("edit company", lambda w: reverse("complaints:moderation_company", args=[w.proposed.slug]), MODERATOR,
         lambda w: {"action": "edit", "edit-name": "Tiny ISP AB", "edit-website": "https://tiny-isp.example",
                    "edit-aliases": "Tiny", "edit-note": ""}, ("companies", "actions")),
]

MEMBER_CASES = [
    Case("report form", url("complaints:flag_form", "complaint", pk("published")), MEMBERS),
    Case("report", url("complaints:flag", "complaint", pk("published")), MEMBERS - {"author"},
         lambda w: {"reason": "not_real", "text": ""}, ("flags",), by_rule=frozenset({"author"})),
    Case("edit complaint form", url("complaints:change", pk("published")), frozenset({"author", "moderator"})),
    Case("edit complaint", url("complaints:change", pk("published")), frozenset({"author", "moderator"}),
         lambda w: {"title": "Router dead since March", "story": "Edited story."}, ("complaints", "versions")),
    Case("edit message form", url("complaints:message_edit", pk("message")), frozenset({"rep", "moderator"})),
    Case("edit message", url("complaints:message_edit", pk("message")), frozenset({"rep", "moderator"}),
         lambda w: {"body": "Call our engineer."}, ("messages", "versions")),
    Case("resubmit", url("complaints:resubmit", pk("rejected")), frozenset({"author"}), lambda w: {},
         ("complaints",), denied_status=404),
    Case("transparency", url("complaints:transparency"), frozenset(PERSONAS)),
]


def check(case, persona, response, before, after) -> str | None:
    diff = changed(before, after)
    if case.data is None and diff:
        return f"a GET changed {diff}"
    if persona in case.allowed:
        if case.data is None:
            return None if response.status_code == 200 else f"got {response.status_code}, expected 200"
        if response.status_code != 302 or sent_to_login(response):
            return f"got {response.status_code}, expected a redirect after the change"
        missing = [key for key in case.changes if key not in diff]
        return f"did not change {missing}" if missing else None
    if diff:
        return f"changed {diff} ({response.status_code})"
    if persona == "visitor":
        return None if sent_to_login(response) else f"got {response.status_code}, expected the login page"
    if persona in case.by_rule:
        return None if response.status_code == 302 else f"got {response.status_code}, expected a redirect"
    if response.status_code != case.denied_status:
        return f"got {response.status_code}, expected {case.denied_status}"
    return None


@pytest.mark.parametrize("cases", [MODERATION_CASES, MEMBER_CASES], ids=["moderation", "members"])
def test_each_page_and_action_opens_only_for_its_personas(world, cases):
    failures = []
    for case in cases:
        for persona in PERSONAS:
            client = world.clients[persona]
            send, data = (client.get, None) if case.data is None else (client.post, case.data(world))
            response, before, after = request_in_savepoint(send, case.url(world), data)
            problem = check(case, persona, response, before, after)
            if problem:
                failures.append(f"{case.name} / {persona}: {problem}")
    assert not failures, "Wrong cells:\n" + "\n".join(failures)


def test_a_get_to_a_moderation_action_changes_nothing(world):
    for case in MODERATION_CASES + MEMBER_CASES:
        if case.data is None:
            continue
        for persona in PERSONAS:
            response, before, after = request_in_savepoint(world.clients[persona].get, case.url(world))
            assert not changed(before, after), f"GET {case.name} / {persona}"
            assert response.status_code in (200, 302, 403, 404, 405), f"GET {case.name} / {persona}"


def test_a_moderation_action_without_a_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["moderator"])
    before = snapshot()
    response = client.post(reverse("complaints:moderation_hide", args=["complaint", world.published.pk]),
                           {"reason": "abuse", "note": ""})
    assert response.status_code == 403
    assert snapshot() == before


def test_a_draft_has_no_moderation_page(world):
    draft = make_draft(author=world.users["author"], company=world.company, title="Private draft words")
    response = world.clients["moderator"].get(reverse("complaints:moderation_item", args=["complaint", draft.pk]))
    assert response.status_code == 404


# Nothing that waits, was refused or was hidden shows in public.

MARKER = "QUOKKA-7731"


def test_pending_rejected_and_hidden_complaints_appear_in_no_public_output(
    settings, company, industry, member, other_member, moderator, django_capture_on_commit_callbacks,
    fresh_planner_statistics,
):
    rep = make_representative(company)
    with django_capture_on_commit_callbacks(execute=True):  # the scorecards are refreshed as in production
        make_published(author=member, company=company, title="Slow line all winter")
        settings.PREMODERATION = {"all"}
        pending = make_published(author=member, company=company, title=f"Waiting {MARKER}",
                                 story=f"The story {MARKER} waits.")
        rejected = make_published(author=member, company=company, title=f"Refused {MARKER}",
                                  story=f"The story {MARKER} was refused.")
        moderation_reject(complaint=rejected, moderator=moderator, reason="not_real")
        settings.PREMODERATION = {"none"}
        hidden = make_published(author=member, company=company, title=f"Hidden {MARKER}",
                                story=f"The story {MARKER} was hidden.")
        moderation_hide(item=hidden, moderator=moderator, reason="abuse")
    fresh_planner_statistics()

    viewers = {"visitor": client_for(), "other member": client_for(other_member), "representative": client_for(rep)}
    pages = {
        "home": reverse("home"),
        "complaint list": reverse("complaints:list"),
        "search": reverse("complaints:list") + "?q=7731",
        "company page": company.get_absolute_url(),
        "company directory": reverse("companies:list"),
        "industry page": reverse("companies:industry", args=[industry.slug]),
    }
    for viewer, client in viewers.items():
        responses = {name: client.get(address) for name, address in pages.items()}
        if viewer == "representative":
            responses["business inbox"] = client.get(reverse("complaints:business"))
        if viewer == "other member":
            responses["my complaints"] = client.get(reverse("complaints:mine"))
        for name, response in responses.items():
            assert response.status_code == 200, f"{name} / {viewer}"
            assert MARKER not in text_of(response), f"{name} / {viewer} shows the marker"

        # Counts see the one public complaint only.
        assert [c.complaint_count for c in responses["home"].context["top_companies"]] == [1]
        assert [c.pk for c in responses["home"].context["latest"]] == [c.pk for c in Complaint.objects.public()]
        assert responses["complaint list"].context["results"].count == 1
        assert responses["search"].context["results"].count == 0
        assert len(responses["company page"].context["page"]) == 1
        assert responses["company page"].context["card"].complaints == 1
        assert [c.complaint_count for c in responses["company directory"].context["page"]] == [1]
        assert [card.complaints for card in responses["industry page"].context["most_complaints"]] == [1]
        if viewer == "representative":
            assert responses["business inbox"].context["counts"]["total"] == 1
            assert len(responses["business inbox"].context["page"]) == 1

        # Their own addresses: nothing for what waits or was refused, a notice for what was hidden.
        for complaint in (pending, rejected):
            assert client.get(complaint.get_absolute_url()).status_code == 404, viewer
            assert client.get(reverse("complaints:redirect", args=[complaint.pk])).status_code == 404, viewer
            flag_form = client.get(reverse("complaints:flag_form", args=["complaint", complaint.pk]))
            assert flag_form.status_code in (302, 404), viewer
        tombstone = client.get(hidden.get_absolute_url())
        assert tombstone.status_code == 200
        assert "Hidden by the moderators: Abuse or hate" in text_of(tombstone)
        assert MARKER not in text_of(tombstone) and moderator.email not in text_of(tombstone)

    # The author sees their own, and is told what waits; moderators see the queue.
    author = client_for(member)
    assert text_of(author.get(reverse("complaints:mine"))).count(MARKER) == 3
    own = text_of(author.get(pending.get_absolute_url()))
    assert MARKER in own and "Waiting for review" in own
    assert MARKER in text_of(client_for(moderator).get(reverse("complaints:moderation_queue")))


def test_a_redacted_phone_number_is_gone_from_the_page_the_list_the_search_and_later_mail(
    client, company, member, other_member, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    rep = make_representative(company)
    complaint = make_published(author=member, company=company, title=f"Call {PHONE}, nobody answers",
                               story=f"My number is {PHONE} and they never called it.")
    follow_toggle(complaint=complaint, user=other_member)
    delivery_set(other_member, Topic.FOLLOWING, Delivery.AT_ONCE)  # not the daily digest: each mail is seen at once
    old_address = complaint.get_absolute_url()
    assert PHONE_IN_SLUG in old_address

    moderating = client_for(moderator)
    redact = reverse("complaints:moderation_redact", args=["complaint", complaint.pk])
    for field in ("title", "story"):
        moderating.post(redact, {"field": field, "selection": PHONE, "reason": "personal_data", "note": ""})
    complaint.refresh_from_db()
    assert PHONE not in complaint.title + complaint.story
    # The same selection a second time is no longer in the text: refused, nothing recorded twice.
    again = moderating.post(redact, {"field": "story", "selection": PHONE, "reason": "personal_data"}, follow=True)
    assert "no longer in the item" in text_of(again)
    assert ModerationAction.objects.filter(action="redact").count() == 2

    assert client.get(old_address).status_code == 301
    page = text_of(client.get(complaint.get_absolute_url()))
    listing = text_of(client.get(reverse("complaints:list")))
    for shown in (page, listing):
        assert PHONE not in shown and PHONE_IN_SLUG not in shown
        assert REMOVED in shown
    assert client.get(reverse("complaints:list"), {"q": "123 45 67"}).context["results"].count == 0
    # Only moderators see the original, on the item page.
    item = reverse("complaints:moderation_item", args=["complaint", complaint.pk])
    assert PHONE in text_of(moderating.get(item))
    assert client_for(member).get(item).status_code == 403

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We will call you today.")
    assert {mail.to[0] for mail in mailoutbox} == {member.email, other_member.email}
    for mail in mailoutbox:
        assert PHONE not in mail.subject + mail.body and PHONE_IN_SLUG not in mail.body


# Hidden and held texts in the thread.

@pytest.fixture
def thread(company, member, other_member):
    rep = make_representative(company)
    complaint = make_published(author=member, company=company)
    message = message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="RUDE-MESSAGE-TEXT")
    comment = comment_post(complaint=complaint, user=other_member, body="RUDE-COMMENT-TEXT")
    return SimpleNamespace(complaint=complaint, rep=rep, message=message, comment=comment)


def test_hidden_message_and_comment_show_a_notice_to_others_and_the_text_to_moderators(thread, member, moderator):
    moderating = client_for(moderator)
    for kind, item in (("message", thread.message), ("comment", thread.comment)):
        response = moderating.post(reverse("complaints:moderation_hide", args=[kind, item.pk]),
                                   {"reason": "abuse", "note": ""})
        assert response.status_code == 302
    address = thread.complaint.get_absolute_url()
    for user in (None, member, thread.rep):
        page = text_of(client_for(user).get(address))
        assert page.count(HIDDEN_NOTICE) == 2
        assert "RUDE-MESSAGE-TEXT" not in page and "RUDE-COMMENT-TEXT" not in page
    page = text_of(moderating.get(address))
    assert "RUDE-MESSAGE-TEXT" in page and "RUDE-COMMENT-TEXT" in page


def test_three_personal_data_reports_hold_a_text_for_everyone_but_moderators(thread, member, moderator):
    for _n in range(3):
        reporter = client_for(UserFactory())
        for kind, item in (("complaint", thread.complaint), ("comment", thread.comment)):
            reporter.post(reverse("complaints:flag", args=[kind, item.pk]), {"reason": "personal_data", "text": ""})
    assert Flag.objects.count() == 6
    address = thread.complaint.get_absolute_url()
    story = "Nobody called back."
    public = text_of(client_for().get(address))
    story_section = public[public.index('<section class="story"'):public.index('id="thread"')]
    assert "Held for review" in story_section and story not in story_section
    assert "RUDE-COMMENT-TEXT" not in public
    assert story in text_of(client_for(member).get(address))  # the author still reads their own story
    for_moderators = text_of(client_for(moderator).get(address))
    assert story in for_moderators and "RUDE-COMMENT-TEXT" in for_moderators
    # The report form quotes the item: not a held text.
    form = client_for(UserFactory()).get(reverse("complaints:flag_form", args=["comment", thread.comment.pk]))
    assert form.status_code == 200 and "RUDE-COMMENT-TEXT" not in text_of(form)


@pytest.fixture
def held_story(thread):
    for _n in range(3):
        flag_create(user=UserFactory(), item=thread.complaint, reason=Flag.Reason.PERSONAL_DATA)
    return "Nobody called back."


def test_a_held_story_is_not_in_the_page_head(thread, held_story):
    assert held_story not in text_of(client_for().get(thread.complaint.get_absolute_url()))


def test_a_held_story_is_not_quoted_in_the_complaint_list(held_story):
    assert held_story not in text_of(client_for().get(reverse("complaints:list")))


def test_reports_through_the_pages(thread, member, other_member):
    reporting = client_for(member)
    response = reporting.post(reverse("complaints:flag", args=["message", thread.message.pk]),
                              {"reason": "abuse", "text": ""}, follow=True)
    assert "A moderator will look at it" in text_of(response)
    assert Flag.objects.get().reporter == member
    # Once only; "other" needs a word; never one's own words.
    twice = reporting.post(reverse("complaints:flag", args=["message", thread.message.pk]),
                           {"reason": "spam", "text": ""}, follow=True)
    assert "already reported" in text_of(twice)
    other = reporting.post(reverse("complaints:flag", args=["comment", thread.comment.pk]),
                           {"reason": "other", "text": ""}, follow=True)
    assert "Say what is wrong" in text_of(other)
    own = client_for(other_member).post(reverse("complaints:flag", args=["comment", thread.comment.pk]),
                                        {"reason": "spam", "text": ""}, follow=True)
    assert "cannot report your own" in text_of(own)
    assert Flag.objects.count() == 1
    # The company reports too.
    client_for(thread.rep).post(reverse("complaints:flag", args=["complaint", thread.complaint.pk]),
                                {"reason": "wrong_company", "text": ""})
    assert Flag.objects.filter(reporter=thread.rep, complaint=thread.complaint).exists()


def test_a_private_or_hidden_message_cannot_be_reported_by_those_who_cannot_see_it(thread, member, other_member,
                                                                                   moderator):
    private = message_post(complaint=thread.complaint, user=thread.rep, kind=Message.Kind.DETAILS,
                           body="PRIVATE-DETAILS-TEXT", is_private=True)
    outsider = client_for(other_member)
    assert outsider.get(reverse("complaints:flag_form", args=["message", private.pk])).status_code == 404
    assert outsider.post(reverse("complaints:flag", args=["message", private.pk]),
                         {"reason": "spam", "text": ""}).status_code == 404
    author_form = client_for(member).get(reverse("complaints:flag_form", args=["message", private.pk]))
    assert author_form.status_code == 200 and "PRIVATE-DETAILS-TEXT" in text_of(author_form)

    moderation_hide(item=thread.message, moderator=moderator, reason="abuse")
    assert outsider.get(reverse("complaints:flag_form", args=["message", thread.message.pk])).status_code == 404
    assert not Flag.objects.exists()


# Edits.

def test_the_author_edits_for_24_hours_and_the_page_says_edited(thread, member, moderator, clock):
    complaint = thread.complaint
    author = client_for(member)
    change = reverse("complaints:change", args=[complaint.pk])
    assert author.get(change).status_code == 200
    response = author.post(change, {"title": complaint.title, "story": "Three weeks, not two."})
    assert response.status_code == 302
    page = text_of(author.get(complaint.get_absolute_url()))
    assert "Three weeks, not two." in page and EDITED in page

    clock(hours=25)
    late = author.post(change, {"title": complaint.title, "story": "Too late."}, follow=True)
    assert "24 hours" in text_of(late)
    complaint.refresh_from_db()
    assert complaint.story == "Three weeks, not two."

    moderating = client_for(moderator)
    moderating.post(change, {"title": complaint.title, "story": "Tidied by a moderator."})
    complaint.refresh_from_db()
    assert complaint.story == "Tidied by a moderator."
    # Moderators see every earlier version; the public does not.
    item = text_of(moderating.get(reverse("complaints:moderation_item", args=["complaint", complaint.pk])))
    assert "Nobody called back." in item and "Three weeks, not two." in item
    assert "Three weeks, not two." not in text_of(client_for().get(complaint.get_absolute_url()))


def test_a_message_is_edited_for_15_minutes(thread, moderator, clock):
    writer = client_for(thread.rep)
    edit = reverse("complaints:message_edit", args=[thread.message.pk])
    writer.post(edit, {"body": "Sorry for the wait."})
    thread.message.refresh_from_db()
    assert thread.message.body == "Sorry for the wait."
    assert EDITED in text_of(client_for().get(thread.complaint.get_absolute_url()))

    clock(minutes=16)
    late = writer.post(edit, {"body": "Changed my mind."}, follow=True)
    assert "15 minutes" in text_of(late)
    thread.message.refresh_from_db()
    assert thread.message.body == "Sorry for the wait."
    versions = text_of(client_for(moderator).get(reverse("complaints:moderation_item",
                                                         args=["message", thread.message.pk])))
    assert "RUDE-MESSAGE-TEXT" in versions


# Review, resubmission, the timeline.

def test_the_preview_warns_about_personal_data_and_such_a_complaint_waits(settings, member, company):
    make_published(author=member, company=company)  # not the first: only the personal-data rule applies
    settings.PREMODERATION = {"first", "personal_data"}
    author = client_for(member)
    plain = make_draft(author=member, company=company)
    assert "seems to contain personal data" not in text_of(author.get(reverse("complaints:preview",
                                                                              args=[plain.pk])))

    draft = make_draft(author=member, company=company, story=f"Call me on {PHONE} after six.")
    preview = text_of(author.get(reverse("complaints:preview", args=[draft.pk])))
    assert "seems to contain personal data" in preview and PHONE in preview and "phone number" in preview
    response = author.post(reverse("complaints:submit", args=[draft.pk]), follow=True)
    assert "waiting for review" in text_of(response)
    draft.refresh_from_db()
    assert draft.status == Complaint.Status.PENDING
    assert client_for().get(draft.get_absolute_url()).status_code == 404


def test_a_rejected_complaint_is_sent_again_once_through_the_pages(settings, member, company, moderator):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=member, company=company)
    moderation_reject(complaint=complaint, moderator=moderator, reason="personal_data")
    author = client_for(member)
    resubmit = reverse("complaints:resubmit", args=[complaint.pk])
    assert resubmit in text_of(author.get(complaint.get_absolute_url()))

    response = author.post(resubmit)
    assert response["Location"] == reverse("complaints:edit", args=[complaint.pk])
    settings.PREMODERATION = {"none"}
    complaint_save_draft(author=member, complaint=complaint, company=company,
                         fields=complaint_fields(story="Rewritten without the name."))
    author.post(reverse("complaints:submit", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.PENDING  # a resubmission always waits

    moderation_reject(complaint=complaint, moderator=moderator, reason="not_real")
    assert resubmit not in text_of(author.get(complaint.get_absolute_url()))
    refused = author.post(resubmit, follow=True)
    assert "cannot be resubmitted" in text_of(refused)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.REJECTED


def test_the_public_timeline_shows_decisions_without_the_moderator(settings, member, company, moderator):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=member, company=company)
    moderating = client_for(moderator)
    moderating.post(reverse("complaints:moderation_approve", args=[complaint.pk]), {"reason": "ok", "note": ""})
    for action in ("moderation_hide", "moderation_restore"):
        moderating.post(reverse(f"complaints:{action}", args=["complaint", complaint.pk]),
                        {"reason": "spam" if action == "moderation_hide" else "ok", "note": "Internal note"})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.PUBLISHED
    page = text_of(client_for().get(complaint.get_absolute_url()))
    for note in ("Approved by the moderators.", "Hidden by the moderators: Spam or advertising",
                 "Restored by the moderators."):
        assert note in page
    assert moderator.email not in page and "Internal note" not in page
    assert not StatusChange.objects.filter(complaint=complaint, actor=moderator).exists()


def test_a_moderator_acting_on_an_item_another_moderator_already_decided_is_told(world):
    second = client_for(make_moderator())
    approve = reverse("complaints:moderation_approve", args=[world.pending.pk])
    world.clients["moderator"].post(approve, {"reason": "ok", "note": ""})
    response = second.post(approve, {"reason": "ok", "note": ""}, follow=True)
    assert "no longer waiting for review" in text_of(response)
    assert ModerationAction.objects.filter(action="approve").count() == 1


# Companies.

NOT_CHECKED = ("Nobody has checked this company yet: a complainant added it, and no moderator has confirmed its "
               "name and details so far.")
NOT_CHECKED_LINE = "Nobody has checked this company yet: a complainant added it."


def in_language(language, text) -> str:
    with translation.override(language):
        return escape(translation.gettext(text))


def new_company_complaint(author, name="Tiny ISP"):
    draft = complaint_save_draft(author=author, fields=complaint_fields(title=f"About {name}"), company=None,
                                 new_company={"name": name, "website": "https://tiny-isp.example"})
    return complaint_submit(complaint=draft, user=author)


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_company_page_says_nobody_checked_it_until_a_moderator_confirms(member, moderator, language):
    complaint = new_company_complaint(member)  # published at once (the tests' rule), so the company is shown
    company = complaint.company
    visitor = client_for()
    visitor = LanguageClient(visitor, language)
    page = text_of(visitor.get(company.get_absolute_url()))
    assert f'lang="{language}"' in page
    assert in_language(language, NOT_CHECKED) in page
    assert in_language(language, NOT_CHECKED_LINE) in text_of(visitor.get(complaint.get_absolute_url()))

    response = client_for(moderator).post(reverse("complaints:moderation_company", args=[company.slug]),
                                          {"action": "confirm"})
    assert response.status_code == 302
    assert in_language(language, NOT_CHECKED) not in text_of(visitor.get(company.get_absolute_url()))
    assert in_language(language, NOT_CHECKED_LINE) not in text_of(visitor.get(complaint.get_absolute_url()))


def test_a_company_nobody_proposed_has_no_notice(company, member):
    complaint = make_published(author=member, company=company)
    assert NOT_CHECKED not in text_of(client_for().get(company.get_absolute_url()))
    assert NOT_CHECKED_LINE not in text_of(client_for().get(complaint.get_absolute_url()))


def test_the_queue_keeps_a_proposed_company_after_its_complaint_is_published(settings, member, moderator):
    settings.PREMODERATION = {"first"}
    complaint = new_company_complaint(member)
    client = client_for(moderator)
    client.post(reverse("complaints:moderation_approve", args=[complaint.pk]), {"reason": "ok", "note": ""})
    complaint.refresh_from_db()
    assert complaint.status == "published"
    response = client.get(reverse("complaints:moderation_queue"), {"show": "companies"})
    assert response.context["counts"]["companies"] == 1
    assert "Tiny ISP" in text_of(response) and "already shown in the directory" in text_of(response)
    assert "Tiny ISP" in text_of(client_for().get(reverse("companies:list")))


def test_a_second_moderator_confirming_the_same_company_is_told(member, moderator):
    company = new_company_complaint(member).company
    address = reverse("complaints:moderation_company", args=[company.slug])
    client_for(moderator).post(address, {"action": "confirm"})
    response = client_for(make_moderator()).post(address, {"action": "confirm"}, follow=True)
    assert "another moderator has already decided" in text_of(response)
    assert ModerationAction.objects.filter(action="approve_company").count() == 1


def test_editing_a_proposed_company_checks_it_and_keeps_its_address(member, moderator):
    company = new_company_complaint(member).company
    address = reverse("complaints:moderation_company", args=[company.slug])
    response = client_for(moderator).post(address, {
        "action": "edit", "edit-name": "Tiny ISP AB", "edit-website": "https://tiny.example",
        "edit-aliases": "Tiny\nTinyNet", "edit-note": "Checked the register"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.website, company.alias_list()) == ("Tiny ISP AB", "https://tiny.example",
                                                                     ["Tiny", "TinyNet"])
    assert not company.is_unchecked and company.checked_by == moderator
    assert client_for(moderator).get(reverse("complaints:moderation_queue")).context["counts"]["companies"] == 0
    assert ModerationAction.objects.get(company=company).action == "edit"
    assert client_for().get(company.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("data, field, error", [
    ({"edit-name": "   ", "edit-website": ""}, "name", "This field is required."),
    ({"edit-name": "Tiny", "edit-website": "javascript:alert(1)"}, "website", "Enter a valid URL."),
    ({"edit-name": "2kom", "edit-website": ""}, "name", "2KOM is already on the portal"),
])
def test_bad_company_details_are_refused_next_to_the_field_and_change_nothing(company, member, moderator, data,
                                                                              field, error):
    proposed = new_company_complaint(member).company
    before = snapshot()
    response = client_for(moderator).post(reverse("complaints:moderation_company", args=[proposed.slug]),
                                          {"action": "edit", "edit-aliases": "", "edit-note": "", **data})
    assert response.status_code == 200
    assert any(error in str(e) for e in response.context["edit_form"].errors[field])
    assert f'id="id_edit-{field}_error"' in text_of(response)
    assert changed(before, snapshot()) == []

def test_a_merged_company_keeps_its_old_address_as_a_permanent_redirect(company, member, moderator):
    duplicate = CompanyFactory(name="2KOM Moscow")
    complaint = make_published(author=member, company=duplicate)
    response = client_for(moderator).post(reverse("complaints:moderation_company", args=[duplicate.slug]),
                                          {"action": "merge", "company_name": "2KOM", "reason": "duplicate",
                                           "note": ""})
    assert response["Location"] == company.get_absolute_url()
    old = client_for().get(reverse("complaints:company", args=[duplicate.slug]))
    assert (old.status_code, old["Location"]) == (301, company.get_absolute_url())
    assert complaint.title in text_of(client_for().get(company.get_absolute_url()))


def test_a_moved_complaint_shows_under_the_new_company(company, member, moderator,
                                                       django_capture_on_commit_callbacks):
    beeline = CompanyFactory(name="Beeline")
    make_published(author=member, company=company, title="Wrong firm entirely")
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_published(author=member, company=company, title="Wrong firm entirely")
        response = client_for(moderator).post(reverse("complaints:moderation_move", args=[complaint.pk]),
                                              {"company_name": "Beeline", "reason": "wrong_company", "note": ""})
    assert response.status_code == 302
    visitor = client_for()
    old, new = visitor.get(company.get_absolute_url()), visitor.get(beeline.get_absolute_url())
    assert (len(old.context["page"]), len(new.context["page"])) == (1, 1)
    assert (old.context["card"].complaints, new.context["card"].complaints) == (1, 1)
    assert "Moved by the moderators from 2KOM to Beeline." in text_of(visitor.get(complaint.get_absolute_url()))


# The queue.

def test_the_queue_lists_each_kind_oldest_first_with_counts(settings, company, member, moderator, thread):
    settings.PREMODERATION = {"all"}
    older = make_published(author=member, company=company, title="Older waiting complaint")
    newer = make_published(author=member, company=company, title="Newer waiting complaint")
    draft = complaint_save_draft(author=member, fields=complaint_fields(title="About a new firm"), company=None,
                                 new_company={"name": "Tiny ISP", "website": "https://tiny-isp.example"})
    complaint_submit(complaint=draft, user=member)
    for _n in range(2):  # two reports about one comment are one row
        flag_create(user=UserFactory(), item=thread.comment, reason=Flag.Reason.SPAM)
    flag_create(user=UserFactory(), item=thread.message, reason=Flag.Reason.ABUSE)
    claim_submit(user=UserFactory(), company=company, work_email="", job_title="Support lead", evidence="Ask Anna")

    client = client_for(moderator)
    queue = reverse("complaints:moderation_queue")
    response = client.get(queue)
    assert response.context["counts"] == {"pending": 3, "flagged": 2, "held": 0, "claims": 1, "companies": 1}
    assert [c.pk for c in response.context["pending"]] == [older.pk, newer.pk, draft.pk]
    tabs = text_of(response)
    assert "Reported (2)" in tabs and "Representation requests (1)" in tabs and "Proposed companies (1)" in tabs
    assert 'aria-current="page">Waiting for review (3)' in " ".join(response.content.decode().split())
    # Each list on its own page, its tab marked as the current one.
    flagged = client.get(queue, {"show": "flagged"})
    assert [(row["kind"], row["item"].pk) for row in flagged.context["flagged"]] == [
        ("comment", thread.comment.pk), ("message", thread.message.pk)]
    assert "pending" not in flagged.context and 'aria-current="page">Reported (2)' in flagged.content.decode()
    assert "Tiny ISP" in text_of(client.get(queue, {"show": "companies"}))
    assert "Support lead" in text_of(client.get(queue, {"show": "claims"}))
    assert "Nobody is suspended." in text_of(client.get(queue, {"show": "suspended"}))


def test_the_queue_query_count_does_not_grow_with_the_queue(settings, company, member, moderator):
    """Guards the per-row lookups of flags, companies and authors on the queue page."""
    client = client_for(moderator)
    proposed = iter(range(100))

    def fill(n):
        settings.PREMODERATION = {"all"}
        for _n in range(n):
            make_published(author=member, company=company)
            new_company_complaint(member, name=f"Proposed firm {next(proposed)}")
        settings.PREMODERATION = {"none"}
        for _n in range(n):
            complaint = make_published(author=member, company=company)
            comment = comment_post(complaint=complaint, user=UserFactory(), body="Cheap routers!")
            flag_create(user=UserFactory(), item=comment, reason=Flag.Reason.SPAM)
            flag_create(user=UserFactory(), item=complaint, reason=Flag.Reason.NOT_REAL)

    def queries():
        counted = {}
        for shown in QUEUE_LISTS:
            cache.clear()  # the header's kept count of waiting items is worked out afresh each time
            with CaptureQueriesContext(connection) as context:
                assert client.get(reverse("complaints:moderation_queue"), {"show": shown}).status_code == 200
            counted[shown] = len(context)
        return counted

    fill(1)
    few = queries()
    fill(4)
    assert queries() == few


# The public report.

def test_the_transparency_page_counts_a_known_set_of_decisions(settings, client, company, member, moderator):
    rep = make_representative(company)
    first, second = UserFactory(), UserFactory()
    settings.PREMODERATION = {"all"}
    approved = make_published(author=member, company=company)
    rejected = make_published(author=member, company=company)
    make_published(author=member, company=company)  # still waiting
    now = timezone.now()
    # They were sent for review 30 and 90 minutes before the decisions: a median of one hour.
    for complaint, minutes in ((approved, 30), (rejected, 90)):
        StatusChange.objects.filter(complaint=complaint, to_status="pending").update(
            created_at=now - timedelta(minutes=minutes))
    moderation_approve(complaint=approved, moderator=moderator)
    moderation_reject(complaint=rejected, moderator=moderator, reason="spam")

    settings.PREMODERATION = {"none"}
    published = make_published(author=member, company=company, story=f"Call me on {PHONE}.")  # never waited
    flag_create(user=first, item=published, reason=Flag.Reason.PERSONAL_DATA)
    flag_create(user=second, item=published, reason=Flag.Reason.PERSONAL_DATA)
    flag_create(user=rep, item=published, reason=Flag.Reason.NOT_REAL)
    moderation_hide(item=published, moderator=moderator, reason="abuse")  # upholds all three
    moderation_restore(item=published, moderator=moderator)
    moderation_redact(item=published, field="story", selection=PHONE, moderator=moderator)
    comment = comment_post(complaint=published, user=first, body="A fair point.")
    flag_create(user=rep, item=comment, reason=Flag.Reason.SPAM)
    moderation_dismiss_flags(item=comment, moderator=moderator)

    response = client.get(reverse("complaints:transparency"))
    months = response.context["months"]
    this_month = timezone.localtime(now).strftime("%Y-%m")
    row = months[-1]
    assert row["month"] == this_month
    # Sent for review: the three under "all", not the one published at once (counted by the month it happened).
    entered = StatusChange.objects.filter(to_status="pending").exclude(complaint=published)
    assert sum(month["pending"] for month in months) == 3
    pending_now = sum(timezone.localtime(c.created_at).strftime("%Y-%m") == this_month for c in entered)
    assert (row["pending"], row["approve"], row["reject"], row["hide"], row["restore"], row["redact"],
            row["median_hours"]) == (pending_now, 1, 1, 1, 1, 1, 1.0)
    assert {reason: n for reason, _label, n in row["flags"]} == {
        "personal_data": 2, "abuse": 0, "spam": 1, "not_real": 1, "wrong_company": 0, "other": 0}
    assert response.context["companies"] == [{"name": "2KOM", "slug": "2kom", "raised": 2, "upheld": 1,
                                              "dismissed": 1}]

    html = squeeze(text_of(response))
    assert (f'<th scope="row">{this_month}</th><td>{pending_now}</td><td>1</td><td>1</td><td>1</td><td>1</td>'
            f"<td>1</td><td>1 hour</td>") in html
    assert f'<th scope="row">{this_month}</th><td>2</td><td>0</td><td>1</td><td>1</td><td>0</td><td>0</td>' in html
    assert '<td><a href="/companies/2kom/">2KOM</a></td><td>2</td><td>1</td><td>1</td>' in html
    assert moderator.email not in html
