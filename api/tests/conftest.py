"""A small public record with everything that must never leave: pending, hidden, withdrawn,
an anonymous author, a story held for review, a private message and contact details."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Message
from complaints.services.lifecycle import complaint_withdraw
from complaints.services.moderation import moderation_hide
from complaints.services.scorecards import scorecard_refresh
from complaints.services.thread import complaint_evaluate, message_post, offer_respond
from complaints.tests.factories import UserFactory, make_draft, make_published

SECRETS = ["ACC-SECRET-777", "+46 70 999 88 77", "Hidden Hannah", "Withdrawn Wilma", "Pending Paula",
           "Anonymous Anna", "PRIVATE-MESSAGE-TEXT", "Held story text"]


@dataclass
class Record:
    company: object
    rep: object
    author: object
    answered: Complaint
    anonymous: Complaint
    held: Complaint
    pending: Complaint
    hidden: Complaint
    withdrawn: Complaint
    offer: object


@pytest.fixture
def record(db, company, rep, moderator) -> Record:
    author = UserFactory(email="ivan@example.com")
    answered = make_published(author=author, company=company, display_name="Ivan Petrov",
                              account_number="ACC-SECRET-777", phone="+46 70 999 88 77", amount="1200.00",
                              currency="SEK", title="Internet down for two weeks")
    message_post(complaint=answered, user=rep, kind=Message.Kind.ANSWER, body="We are sorry; a technician comes.")
    message_post(complaint=answered, user=author, kind=Message.Kind.REPLY, body="PRIVATE-MESSAGE-TEXT", is_private=True)
    offer = message_post(complaint=answered, user=rep, kind=Message.Kind.OFFER, body="Three free days.", offer={
        "kind": "free_days", "days": 3, "description": "Three free days", "expires_on":
        timezone.localdate() + timedelta(days=14)}).offer
    offer_respond(offer=offer, user=author, accept=True)
    complaint_evaluate(complaint=answered, user=author, data={
        "resolved": True, "rating": 4, "would_return": True, "comment": "Sorted."})
    anonymous = make_published(company=company, display_name="Anonymous Anna", is_anonymous=True,
                               title="Billed twice in March")
    held = make_published(company=company, title="Router broken", story="Held story text, call +46 70 999 88 77")
    Complaint.objects.filter(pk=held.pk).update(text_held=True)
    hidden = make_published(company=company, display_name="Hidden Hannah", title="Hidden one")
    moderation_hide(item=hidden, moderator=moderator, reason="abuse")
    withdrawn = make_published(company=company, display_name="Withdrawn Wilma", title="Withdrawn one")
    complaint_withdraw(complaint=withdrawn, user=withdrawn.author)
    pending = make_draft(company=company, display_name="Pending Paula", title="Pending one")
    Complaint.objects.filter(pk=pending.pk).update(status=Complaint.Status.PENDING)
    scorecard_refresh(company_id=company.pk)
    return Record(company, rep, author, Complaint.objects.get(pk=answered.pk), anonymous, held,
                  pending, hidden, withdrawn, offer)


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Deltacom", slug="deltacom")
