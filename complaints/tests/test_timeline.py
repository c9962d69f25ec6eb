"""The public timeline as codes, in the reader's language, and a record of everything (issue 11)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.utils import timezone, translation

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Message, Offer, StatusChange
from complaints.services.moderation import moderation_approve, moderation_hide
from complaints.services.thread import (
    complaint_evaluate,
    message_post,
    offer_confirm_delivery,
    offer_mark_delivered,
    offer_respond,
)
from complaints.tests.factories import UserFactory, make_draft, make_published
from complaints.tests.test_thread_services import make_representative
from complaints.timeline import describe
from complaints_site.tests.language_client import LanguageClient

migration = importlib.import_module("complaints.migrations.0010_timeline_event_codes")
LANGUAGES = ["en", "ru", "de", "sv"]
E = StatusChange.Event


def offer(complaint, rep, **terms):
    terms = {"kind": Offer.Kind.CREDIT, "amount": "1500.00", "currency": "RUB", "description": "A credit",
             "expires_on": timezone.localdate() + timedelta(days=14), **terms}
    return message_post(complaint=complaint, user=rep, kind=Message.Kind.OFFER, body="We offer.", offer=terms).offer


def page(client, complaint, language) -> str:
    client = LanguageClient(client, language)
    return client.get(complaint.get_absolute_url()).content.decode()


@pytest.fixture
def mixed(db, moderator):
    """Author in Russian, company in English, moderator in German: each acted in their own language."""
    company = CompanyFactory(name="2KOM", slug="2kom", website="https://2kom.ru")
    rep = make_representative(company, "anna@2kom.ru")
    author = UserFactory(email="ivan@example.com")
    with translation.override("ru"):
        complaint = make_published(author=author, company=company)
    with translation.override("en"):
        credit = offer(complaint, rep)
    with translation.override("ru"):
        offer_respond(offer=credit, user=author, accept=True)
    with translation.override("en"):
        offer_mark_delivered(offer=credit, user=rep)
    with translation.override("ru"):
        offer_confirm_delivery(offer=credit, user=author, received=True)
        complaint_evaluate(complaint=complaint, user=author, data={"resolved": True, "rating": 5, "would_return": True})
    with translation.override("de"):
        moderation_hide(item=Message.objects.get(kind=Message.Kind.OFFER), moderator=moderator, reason="spam",
                        note="Anzeige eines Konkurrenten")
    return complaint


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complaint_acted_on_in_three_languages_reads_in_the_readers_language_only(client, mixed, language):
    html = page(client, mixed, language)
    rows = list(mixed.status_changes.all())
    assert [row.event for row in rows] == [
        E.PUBLISHED_AUTOMATICALLY, E.ANSWERED, E.OFFER_MADE, E.OFFER_ACCEPTED, E.OFFER_DELIVERED,
        E.OFFER_CONFIRMED, E.EVALUATED_RESOLVED, E.ITEM_HIDDEN,
    ]
    for row in rows:
        with translation.override(language):
            mine = describe(row.event, row.params)
        assert mine and mine in html
        for other in LANGUAGES:
            with translation.override(other):
                theirs = describe(row.event, row.params)
            if theirs != mine:
                assert theirs not in html, (other, theirs)
    # The sentences of the issue: never the Russian author's words on another language's page.
    if language != "ru":
        assert "Автор отметил жалобу как решённую." not in html
    if language != "en":
        assert "The company answered." not in html
    # A moderator's own note is not public; no moderator is named.
    assert "Anzeige eines Konkurrenten" not in html and "moderator@example.com" not in html


@pytest.mark.parametrize(("language", "amount"), [("en", "1,500.00 RUB"), ("de", "1.500,00 RUB")])
def test_offer_amounts_are_written_the_readers_way(client, mixed, language, amount):
    assert amount in page(client, mixed, language)


def test_every_step_of_an_offer_is_on_the_public_timeline(client, db, company, member):
    rep = make_representative(company, "anna@2kom.ru")
    complaint = make_published(author=member, company=company)
    first = offer(complaint, rep, kind=Offer.Kind.FREE_DAYS, amount=None, currency="", days=3)
    offer_respond(offer=first, user=member, accept=False, reason="Too little.")
    second = offer(complaint, rep)
    offer_respond(offer=second, user=member, accept=True)
    offer_mark_delivered(offer=second, user=rep)
    offer_confirm_delivery(offer=second, user=member, received=False, reason="Nothing arrived.")
    html = page(client, complaint, "en")
    for sentence in [
        "The company made an offer: Free days of service, 3 days.",
        "The author declined the offer: Free days of service, 3 days.",
        "The company made an offer: Credit on the account, 1,500.00 RUB.",
        "The author accepted the offer: Credit on the account, 1,500.00 RUB.",
        "The company says it delivered the offer: Credit on the account, 1,500.00 RUB.",
        "The author says the offer was not delivered: Credit on the account, 1,500.00 RUB.",
    ]:
        assert sentence in html, sentence
    # Only the public terms: no description, no reason, no private detail in the parameters.
    params = list(complaint.status_changes.filter(event__startswith="offer_").values_list("params", flat=True))
    assert {frozenset(p) for p in params} <= {frozenset({"offer", "kind", "days"}),
                                              frozenset({"offer", "kind", "amount", "currency"})}
    confirmed = offer(complaint, rep, kind=Offer.Kind.REFUND, amount="10", currency="EUR")
    offer_respond(offer=confirmed, user=member, accept=True)
    offer_mark_delivered(offer=confirmed, user=rep)
    offer_confirm_delivery(offer=confirmed, user=member, received=True)
    assert "The author confirmed receiving the offer: Refund, 10.00 EUR." in page(client, complaint, "en")


def test_an_auto_published_complaint_never_says_waiting_for_review(client, db, company, member):
    complaint = make_published(author=member, company=company)
    assert list(complaint.status_changes.values_list("from_status", "to_status")) == [("draft", "published")]
    html = page(client, complaint, "en")
    assert "Waiting for review" not in html
    assert "Published automatically." in html


def test_a_reviewed_complaint_shows_its_wait_for_review(client, db, settings, company, member, moderator):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=member, company=company)
    assert complaint.status == Complaint.Status.PENDING
    moderation_approve(complaint=complaint, moderator=moderator)
    html = page(client, complaint, "en")
    assert "Waiting for review" in html and "Approved by the moderators." in html


# The migration of the old rows, tested through its own functions.

@pytest.mark.parametrize(("row", "expected"), [
    (("pending", "published", "Опубликована автоматически."), ("published_automatically", {}, "")),
    (("pending", "published", "Von den Moderatoren genehmigt."), ("published_after_review", {}, "")),
    (("pending", "published", "Checked the invoice."), ("published_after_review", {}, "Checked the invoice.")),
    (("published", "answered", "Företaget har svarat."), ("answered", {}, "")),
    (("answered", "resolved", "Автор отметил жалобу как решённую."), ("evaluated_resolved", {}, "")),
    (("answered", "closed", "Nach 60 Tagen ohne Bewertung geschlossen."), ("closed_without_evaluation",
                                                                           {"days": 60}, "")),
    (("answered", "hidden", "Dolt av moderatorerna: Spam eller reklam"), ("hidden", {"reason": "spam"}, "")),
    (("pending", "rejected", "Персональные данные"), ("rejected", {"reason": "personal_data"}, "")),
    (("answered", "answered", "Moved by the moderators from 2KOM to Beeline."),
     ("moved", {"old": "2KOM", "new": "Beeline"}, "")),
    (("answered", "withdrawn", "Settled by phone."), ("withdrawn", {}, "Settled by phone.")),
    (("answered", "hidden", "Hidden by the moderators: a reason we never had"),
     ("", {}, "Hidden by the moderators: a reason we never had")),
    (("answered", "answered", "Something nobody recognises."), ("", {}, "Something nobody recognises.")),
])
def test_the_migration_turns_old_sentences_in_any_language_into_codes(row, expected):
    assert migration.classify(*row) == expected


def test_the_migration_converts_rows_in_bulk_and_adds_the_offers(db, company, member):
    rep = make_representative(company, "anna@2kom.ru")
    complaint = make_published(author=member, company=company)
    credit = offer(complaint, rep)
    StatusChange.objects.filter(complaint=complaint).delete()
    # The rows as the old code wrote them, in the actors' languages.
    old = [("draft", "pending", ""), ("pending", "published", "Опубликована автоматически."),
           ("published", "answered", "The company answered."), ("answered", "answered", "Strange old note")]
    for from_status, to_status, note in old:
        StatusChange.objects.create(complaint=complaint, from_status=from_status, to_status=to_status, note=note)
    reviewed = make_draft(author=member, company=company)
    StatusChange.objects.create(complaint=reviewed, from_status="draft", to_status="pending")

    migration.convert(global_apps, None)

    rows = [(r.from_status, r.to_status, r.event, r.note) for r in complaint.status_changes.order_by("pk")]
    assert rows == [
        ("draft", "published", "published_automatically", ""),  # its "waiting for review" row is gone
        ("published", "answered", "answered", ""),
        ("answered", "answered", "", "Strange old note"),
        ("answered", "answered", "offer_made", ""),
    ]
    assert complaint.status_changes.get(event="offer_made").params == {
        "offer": credit.pk, "kind": "credit", "amount": "1500.00", "currency": "RUB"}
    assert list(reviewed.status_changes.values_list("to_status", "event")) == [("pending", "submitted")]
