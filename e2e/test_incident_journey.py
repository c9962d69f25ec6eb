"""Deltacom's lines go down, in English and in Swedish: three customers have complained, the
representative opens an incident, customers link their complaints, two updates go out and
reach each customer's notifications, the incident is resolved with an offer of 3 free days
to everyone, and two of the three accept it on their own complaints.

Labels are looked up in the language of the run, as a person reading that language sees them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from companies.tests.factories import CompanyFactory
from complaints.models import Complaint, Incident, Offer
from complaints.tests.factories import UserFactory, make_published, make_representative

pytestmark = pytest.mark.e2e


def exact(text):
    return re.compile(rf"^\s*{re.escape(text)}[\s:*]*$")


@pytest.mark.parametrize("language", ["en", "sv"])
def test_deltacom_tells_everyone_of_the_outage_and_makes_it_good(person, live_server, language):
    def _(text):
        with translation.override(language):
            return translation.gettext(text)

    company = CompanyFactory(name="Deltacom", country="SE")
    rep = make_representative(company, email="noc@deltacom.example")
    customers = [UserFactory(email=f"kund{n}@example.com") for n in range(3)]
    complaints = [make_published(author=customer, company=company, title=f"Line dead since Monday ({n + 1})")
                  for n, customer in enumerate(customers)]

    def open_as(user):
        page = person(user)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        return page

    # The representative opens the incident from the company page.
    noc = open_as(rep)
    noc.goto(company.get_absolute_url())
    noc.get_by_role("link", name=_("Open an incident")).first.click()
    noc.get_by_label(exact(_("Title"))).fill("Lines down in Vasastan")
    noc.get_by_label(exact(_("What is affected"))).fill("Internet and TV")
    noc.get_by_label(exact(_("Where"))).fill("Vasastan, Stockholm")
    started = timezone.localtime() - timedelta(hours=3)
    noc.get_by_label(exact(_("Started"))).fill(started.strftime("%Y-%m-%dT%H:%M"))
    noc.get_by_label(exact(_("First update"))).fill("A cable was cut by road works. We are on it.")
    noc.get_by_role("button", name=_("Open the incident")).click()
    expect(noc.get_by_role("heading", level=1)).to_have_text("Lines down in Vasastan")
    incident = Incident.objects.get()

    # Two customers say it is their problem too; the representative links the third by number.
    for customer, complaint in zip(customers[:2], complaints[:2], strict=True):
        page = open_as(customer)
        page.goto(incident.get_absolute_url())
        page.get_by_role("button", name=re.compile(re.escape(complaint.title[:20]))).click()
        expect(page.get_by_role("status")).to_contain_text(_("The complaint is linked to the incident."))
    noc.get_by_label(exact(_("Complaint number"))).fill(str(complaints[2].pk))
    noc.get_by_role("button", name=_("Link the complaint")).click()
    assert Complaint.objects.filter(incident=incident).count() == 3

    # Two updates, then resolved.
    for status, text in ((_("Identified"), "The cut is found; a crew is splicing."),
                         (_("Monitoring"), "Lines are back; we are watching them."),
                         (_("Resolved"), "All lines have been stable since 14:10.")):
        noc.get_by_label(exact(_("Status"))).select_option(label=status)
        noc.get_by_label(exact(_("Update"))).fill(text)
        noc.get_by_role("button", name=_("Post the update")).click()
        expect(noc.get_by_role("status")).to_contain_text(_("The update is posted; everyone affected is told."))

    # Each customer finds the updates among their notifications.
    for customer in customers:
        page = open_as(customer)
        page.goto("/me/notifications/")
        expect(page.get_by_role("link", name=re.compile("Lines down in Vasastan"))).to_have_count(3)

    # One offer of 3 free days to everyone affected.
    noc.get_by_label(exact(_("What is offered"))).select_option(label=_("Free days of service"))
    noc.get_by_label(exact(_("Number of days"))).fill("3")
    noc.get_by_label(exact(_("Short description of the offer"))).fill("3 free days")
    noc.get_by_label(exact(_("Offer valid until"))).fill((timezone.localdate() + timedelta(days=30)).isoformat())
    noc.get_by_label(exact(_("Message to everyone affected"))).fill("We are sorry for the outage.")
    noc.get_by_role("button", name=_("Make the offer")).click()
    expect(noc.get_by_role("status")).to_contain_text("3")
    assert Offer.objects.filter(complaint__incident=incident).count() == 3

    # Two of the three accept it on their own complaints; the page of each says where it belongs.
    for customer, complaint in zip(customers[:2], complaints[:2], strict=True):
        page = open_as(customer)
        page.goto(complaint.get_absolute_url())
        expect(page.get_by_role("note").filter(has_text="Lines down in Vasastan")).to_be_visible()
        page.get_by_role("button", name=_("Accept the offer")).click()
    assert sorted(Offer.objects.filter(complaint__incident=incident).values_list("status", flat=True)) == [
        "accepted", "accepted", "open"]

    # Anyone reads the incident's record.
    visitor = open_as(None)
    visitor.goto(incident.get_absolute_url())
    expect(visitor.get_by_role("main")).to_contain_text("All lines have been stable since 14:10.")
    expect(visitor.get_by_role("main")).to_contain_text("3 free days")
