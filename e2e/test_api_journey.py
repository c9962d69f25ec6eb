"""A help desk answers through the API, in English and in Swedish: the representative makes a
token and registers the help desk's webhook on the company's pages, a script posts an offer
with the token, the author accepts it on the complaint page, and the webhook receives the
signed acceptance, which the delivery log shows.

Labels are looked up in the language of the run, as a person reading that language sees them."""

import hashlib
import hmac
import json
import re
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from api.tests.receiver import Receiver
from companies.tests.factories import CompanyFactory
from complaints.models import Offer
from complaints.tests.factories import UserFactory, make_published, make_representative

pytestmark = pytest.mark.e2e


def exact(text):
    return re.compile(rf"^\s*{re.escape(text)}[\s:*]*$")


@pytest.fixture
def receiver(tmp_path, settings):
    running = Receiver(tmp_path)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the help desk listens on loopback in this test
    settings.WEBHOOK_CA_FILE = str(running.cert_file)
    yield running
    running.stop()


def api(live_server, method, path, key, body=None):
    request = urllib.request.Request(
        live_server.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_help_desk_answers_through_the_api_and_hears_the_acceptance(person, live_server, receiver, language):
    def _(text):
        with translation.override(language):
            return translation.gettext(text)

    company = CompanyFactory(name="Bredband Nord", slug="bredband-nord", country="SE")
    rep = make_representative(company, email="desk@bredband-nord.example")
    author = UserFactory(email="kund@example.com")
    complaint = make_published(author=author, company=company, title="Charged twice for November")

    def open_as(user):
        page = person(user)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        return page

    # The representative makes a token that may answer.
    desk = open_as(rep)
    desk.goto(f"/business/?company={company.slug}")
    desk.get_by_role("link", name=_("API tokens")).first.click()
    expect(desk).to_have_url(re.compile(("/sv" if language == "sv" else "") + "/business/bredband-nord/api/$"))
    desk.get_by_label(exact(_("Name"))).fill("Help desk")
    desk.get_by_label(_("Read and answer")).check()
    desk.get_by_role("button", name=_("Create token")).click()
    key = desk.locator("#new-token").inner_text().strip()
    assert key.startswith("cpt_")
    desk.reload()
    expect(desk.locator("#new-token")).to_have_count(0)  # shown once

    # ...and registers the help desk's webhook.
    desk.get_by_role("link", name=_("Webhooks")).first.click()
    desk.get_by_label(exact(_("Address"))).fill(receiver.url)
    desk.get_by_role("button", name=_("Add"), exact=True).click()
    expect(desk.get_by_text(receiver.url).first).to_be_visible()
    secret = desk.locator("code", has_text="whsec_").inner_text().strip()

    # The help desk's script reads the inbox and makes an offer.
    status, inbox = api(live_server, "GET", "/api/v1/company/inbox", key)
    assert status == 200 and [item["id"] for item in inbox["items"]] == [complaint.pk]
    status, message = api(live_server, "POST", f"/api/v1/company/complaints/{complaint.pk}/messages", key, {
        "kind": "offer", "body": "We are sorry: the second charge is refunded.", "offer_kind": "refund",
        "offer_amount": "349.00", "offer_currency": "SEK", "offer_description": "Refund of the double charge",
        "offer_expires_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
    })
    assert status == 201 and message["offer"]["status"] == "open"

    # The author sees it on the complaint page and accepts.
    reader = open_as(author)
    reader.goto(complaint.get_absolute_url())
    expect(reader.get_by_text("We are sorry: the second charge is refunded.")).to_be_visible()
    reader.get_by_role("button", name=_("Accept the offer")).click()
    assert Offer.objects.get().status == Offer.Status.ACCEPTED

    # The webhook heard it, signed.
    (call,) = [call for call in receiver.received if call["json"]["event"] == "offer.accepted"]
    parts = dict(part.split("=", 1) for part in call["headers"]["Webhook-Signature"].split(","))
    signed = hmac.new(secret.encode(), f"{parts['t']}.".encode() + call["raw"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], signed)
    assert call["json"]["complaint"]["id"] == complaint.pk

    desk.reload()
    log = desk.locator("table.deliveries-table")
    expect(log).to_contain_text("offer.accepted")
    expect(log).to_contain_text("HTTP 200")
