"""Incidents: open, link, update, resolve, one offer to everyone, each author's own answer to it;
who may do what (the permission matrix); bad input; the public page, the banner, feeds, notifications."""

from datetime import timedelta

import feedparser
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Incident, IncidentUpdate, Notification, Offer
from complaints.services.incidents import (
    affected_ids,
    incident_group_offer,
    incident_join_toggle,
    incident_link,
    incident_open,
    incident_update,
)
from complaints.services.lifecycle import ComplaintError, PersonalDataError
from complaints.services.participation import company_follow_toggle
from complaints.services.thread import offer_respond
from complaints.tests.factories import UserFactory, make_published, make_representative
from complaints.tests.test_notifications import client_for
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db
FREE_DAYS = {"kind": Offer.Kind.FREE_DAYS, "amount": None, "currency": "", "days": 3,
             "description": "3 free days of service", "expires_on": timezone.localdate() + timedelta(days=30)}


@pytest.fixture
def customers(company):
    return [UserFactory(email=f"customer{n}@example.com") for n in range(3)]


@pytest.fixture
def outage(company, rep, customers):
    """Three customers complained; the company opened an incident an hour after the line went down."""
    for n, customer in enumerate(customers):
        make_published(author=customer, company=company, title=f"No internet since 8:00 ({n})")
    return incident_open(company=company, user=rep, title="Lines down in Vasastan", affected="Internet and TV",
                         area="Vasastan", started_at=timezone.now() - timedelta(hours=1),
                         body="We know; a cable was cut by road works.")


def linked_all(outage, rep):
    for complaint in Complaint.objects.filter(company=outage.company):
        incident_link(incident=outage, complaint=complaint, user=rep)


def test_the_incident_flow_from_open_to_each_authors_answer(outage, rep, customers, company,
                                                            django_capture_on_commit_callbacks):
    linked_all(outage, rep)
    bystander = UserFactory()
    incident_join_toggle(incident=outage, user=bystander)
    assert affected_ids(outage) == {c.pk for c in customers} | {bystander.pk}

    with django_capture_on_commit_callbacks(execute=True):
        incident_update(incident=outage, user=rep, status=Incident.Status.IDENTIFIED, body="Crew on site.")
        incident_update(incident=outage, user=rep, status=Incident.Status.RESOLVED, body="Repaired at 14:10.")
    for person in [*customers, bystander]:
        assert Notification.objects.filter(user=person, kind="incident_update").count() == 2
    outage.refresh_from_db()
    assert outage.is_resolved and outage.resolved_at is not None
    with pytest.raises(ComplaintError, match="resolved"):
        incident_update(incident=outage, user=rep, status=Incident.Status.MONITORING, body="More?")

    assert incident_group_offer(incident=outage, user=rep, body="Sorry for the outage.", offer=FREE_DAYS) == 3
    offers = list(Offer.objects.filter(complaint__incident=outage).select_related("complaint"))
    assert len(offers) == 3 and {o.days for o in offers} == {3}
    with pytest.raises(ComplaintError, match="already"):
        incident_group_offer(incident=outage, user=rep, body="Again", offer=FREE_DAYS)
    for offer in offers[:2]:
        offer_respond(offer=offer, user=offer.complaint.author, accept=True)
    assert sorted(Offer.objects.filter(complaint__incident=outage).values_list("status", flat=True)) == [
        "accepted", "accepted", "open"]


@pytest.mark.parametrize("who, allowed", [("rep", True), ("moderator", True), ("author", False),
                                          ("member", False), ("other_rep", False)])
def test_who_opens_and_updates_an_incident(company, rep, moderator, member, who, allowed):
    other_company = CompanyFactory(name="Beeline")
    people = {"rep": rep, "moderator": moderator, "author": member, "member": UserFactory(),
              "other_rep": make_representative(other_company)}
    user = people[who]
    client = client_for(user)
    new = reverse("complaints:incident_new", args=[company.slug])
    form = {"title": "Outage", "affected": "Internet", "area": "", "started_at": "2026-12-01T08:00", "body": "Known."}
    response = client.post(new, form)
    assert (response.status_code == 302) == allowed
    assert Incident.objects.exists() == allowed
    incident = incident_open(company=company, user=rep, title="X", affected="Y", area="",
                             started_at=timezone.now(), body="Z")
    response = client.post(reverse("complaints:incident_update", args=[incident.pk]),
                           {"status": "identified", "body": "Found it."})
    assert (response.status_code == 302) == allowed
    assert IncidentUpdate.objects.filter(incident=incident).count() == (2 if allowed else 1)


def test_a_visitor_is_sent_to_sign_in_and_changes_nothing(client, outage):
    for url, data in [(reverse("complaints:incident_update", args=[outage.pk]), {"status": "resolved", "body": "x"}),
                      (reverse("complaints:incident_join", args=[outage.pk]), {}),
                      (reverse("complaints:incident_offer", args=[outage.pk]), {})]:
        assert client.post(url, data).status_code == 302
    assert client.get(reverse("complaints:incident_new", args=[outage.company.slug])).status_code == 302
    assert IncidentUpdate.objects.filter(incident=outage).count() == 1


def test_only_the_author_links_their_own_complaint(outage, customers, company):
    mine = Complaint.objects.get(author=customers[0])
    theirs = Complaint.objects.get(author=customers[1])
    client = client_for(customers[0])
    page = client.get(outage.get_absolute_url()).content.decode()
    assert "This is my problem too" in page and mine.title in page
    client.post(reverse("complaints:incident_link", args=[outage.pk]), {"complaint": mine.pk})
    assert Complaint.objects.get(pk=mine.pk).incident == outage
    response = client.post(reverse("complaints:incident_link", args=[outage.pk]), {"complaint": theirs.pk})
    assert response.status_code == 403 and Complaint.objects.get(pk=theirs.pk).incident is None
    other = make_published(author=customers[0], company=CompanyFactory(name="Beeline"))
    with pytest.raises(ComplaintError, match="another company"):
        incident_link(incident=outage, complaint=other, user=customers[0])
    banner = client.get(mine.get_absolute_url()).content.decode()
    assert "Part of the incident “Lines down in Vasastan”: Investigating." in banner


@pytest.mark.parametrize("data, field, error", [
    ({"title": "", "affected": "Internet", "started_at": "2026-12-01T08:00", "body": "x"}, "title", "required"),
    ({"title": "Down", "affected": "Internet", "started_at": "tomorrow", "body": "x"}, "started_at", "valid date"),
    ({"title": "Down", "affected": "Internet", "started_at": "2999-01-01T08:00", "body": "x"}, "started_at", "future"),
    ({"title": "x" * 201, "affected": "Internet", "started_at": "2026-12-01T08:00", "body": "x"}, "title", "at most"),
])
def test_bad_incident_input_is_refused_next_to_the_field(company, rep, data, field, error):
    response = client_for(rep).post(reverse("complaints:incident_new", args=[company.slug]), {"area": "", **data})
    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Incident.objects.exists()


def test_a_bad_group_offer_is_refused_and_makes_nothing(outage, rep):
    linked_all(outage, rep)
    client = client_for(rep)
    offer_url = reverse("complaints:incident_offer", args=[outage.pk])
    early = client.post(offer_url, {"body": "Sorry", "offer_kind": "free_days", "offer_days": "3",
                                    "offer_description": "3 days", "offer_expires_on": "2099-01-01"})
    assert early.status_code == 400 and "once the incident is resolved" in early.content.decode()
    incident_update(incident=outage, user=rep, status=Incident.Status.RESOLVED, body="Fixed.")
    missing = client.post(offer_url, {"body": "Sorry", "offer_kind": "free_days", "offer_description": "3 days",
                                      "offer_expires_on": "2099-01-01"})
    assert missing.status_code == 400 and "Give the number of days." in missing.content.decode()
    with pytest.raises(PersonalDataError):
        incident_group_offer(incident=outage, user=rep, body="Call me on +7 999 555-11-22", offer=FREE_DAYS)
    assert not Offer.objects.exists()
    outage.refresh_from_db()
    assert outage.offered_at is None


def test_a_moderator_runs_incidents_but_makes_no_offers(outage, moderator, rep):
    incident_update(incident=outage, user=moderator, status=Incident.Status.RESOLVED, body="Resolved.")
    with pytest.raises(ComplaintError, match="representatives"):
        incident_group_offer(incident=outage, user=moderator, body="x", offer=FREE_DAYS)


def test_the_public_page_shows_the_timeline_and_the_figures(client, outage, rep):
    linked_all(outage, rep)
    incident_update(incident=outage, user=rep, status=Incident.Status.RESOLVED, body="Repaired at 14:10.")
    page = client.get(outage.get_absolute_url()).content.decode()
    for text in ("Lines down in Vasastan", "Internet and TV", "Repaired at 14:10.", "A cable was cut",
                 "People affected", "Lasted", "No internet since 8:00 (0)"):
        assert text.lower() in page.lower(), text
    assert client.get(outage.company.get_absolute_url()).content.decode().count("Lines down in Vasastan") == 1
    client = LanguageClient(client, "ru")
    assert "Пострадавших" in client.get(outage.get_absolute_url()).content.decode()


def test_followers_hear_of_updates_and_the_feed_has_them(outage, rep, member, django_capture_on_commit_callbacks):
    company_follow_toggle(company=outage.company, user=member)
    with django_capture_on_commit_callbacks(execute=True):
        incident_update(incident=outage, user=rep, status=Incident.Status.MONITORING, body="Back up, watching.")
    assert list(Notification.objects.filter(user=member).values_list("kind", flat=True)) == ["incident_news"]
    feed = feedparser.parse(Client().get(reverse("complaints:incident_feed", args=[outage.pk])).content)
    assert not feed.bozo and [e.title for e in feed.entries] == ["Monitoring", "Investigating"]
    company_feed = feedparser.parse(Client().get(reverse("complaints:company_feed", args=[outage.company.slug])).content)
    assert any("Incident: Lines down in Vasastan" in e.title for e in company_feed.entries)
