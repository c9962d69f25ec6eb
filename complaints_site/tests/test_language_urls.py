"""The language in the address: English at the root, /ru/, /de/ and /sv/ for the others."""

import pytest
from django.conf import settings

from core.i18n_urls import canonical_url, localized_url, neutral_url

pytestmark = pytest.mark.django_db


def test_each_language_has_its_addresses(client, company):
    assert 'lang="sv"' in client.get("/sv/companies/2kom/").content.decode()
    assert 'lang="ru"' in client.get("/ru/companies/").content.decode()
    assert 'lang="de"' in client.get("/de/").content.decode()


def test_an_address_without_a_prefix_is_the_english_page_for_everyone_without_a_choice(client, company):
    response = client.get("/companies/2kom/", HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200 and 'lang="en"' in response.content.decode()


def test_who_chose_a_language_is_taken_to_the_page_in_it(client, company):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    response = client.get("/companies/?sort=name&industry=internet-providers")
    assert response.status_code == 302
    assert response["Location"] == "/sv/companies/?sort=name&industry=internet-providers"
    assert "Cookie" in response["Vary"]
    assert client.get("/sv/companies/").status_code == 200
    # Not a form sent to an English address, and not the API.
    sent = client.post("/companies/2kom/follow/")
    assert not sent.get("Location", "").startswith("/sv/companies/2kom/follow")
    assert client.get("/api/v1/industries").status_code == 200


def test_choosing_a_language_goes_to_the_same_page_in_it(client, company):
    response = client.get("/language/", {"language": "sv", "next": "/companies/2kom/?window=6m"})
    assert response["Location"] == "/sv/companies/2kom/?window=6m"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    back = client.get("/language/", {"language": "en", "next": "/sv/companies/2kom/"})
    assert back["Location"] == "/companies/2kom/"
    russian = client.get("/language/", {"language": "ru", "next": "/sv/companies/"})
    assert russian["Location"] == "/ru/companies/"


def test_addresses_move_between_languages(db):
    site = settings.SITE_URL
    assert neutral_url(f"{site}/sv/complaints/7/router/") == f"{site}/complaints/7/router/"
    assert localized_url(f"{site}/complaints/7/router/", "de") == f"{site}/de/complaints/7/router/"
    assert localized_url(f"{site}/ru/complaints/7/router/", "sv") == f"{site}/sv/complaints/7/router/"
    assert localized_url(f"{site}/sv/complaints/7/router/", "en") == f"{site}/complaints/7/router/"
    assert localized_url(f"{site}/api/v1/complaints", "sv") == f"{site}/api/v1/complaints"
    assert localized_url("https://elsewhere.example/x/", "sv") == "https://elsewhere.example/x/"
    assert canonical_url("/sv/companies/2kom/") == f"{site}/companies/2kom/"


def test_a_notification_links_to_the_readers_language(company, member, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import translation

    from complaints.models import MemberPreferences
    from complaints.services.notifications import delivery_set
    from complaints.services.thread import message_post
    from complaints.tests.factories import make_published, make_representative

    MemberPreferences.objects.update_or_create(user=member, defaults={"language": "sv"})
    delivery_set(member, "my_complaints", "at_once")
    complaint = make_published(author=member, company=company)
    rep = make_representative(company, email="anna@2kom.ru")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):  # the company writes in German
        message_post(complaint=complaint, user=rep, kind="answer", body="Wir kümmern uns darum.")
    (mail,) = [m for m in mailoutbox if member.email in m.to]
    assert f"{settings.SITE_URL}/sv{complaint.get_absolute_url()}" in mail.body
    assert "/de/" not in mail.body
