"""The header's link to the moderation queue: moderators only, with the number waiting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.tests.factories import UserFactory, make_published
from complaints_site.tests.language_client import LanguageClient
from core.i18n_urls import localized_url

QUEUE = reverse("complaints:moderation_queue")


def _header_link(response, language: str = "en") -> str | None:
    html = response.content.decode()
    start = html.find(f'href="{localized_url(QUEUE, language)}"')
    return None if start < 0 else html[start:html.find("</a>", start)]


@pytest.mark.parametrize("language,label", [("en", "Moderation"), ("de", "Moderation"), ("ru", "Модерация"),
                                            ("sv", "Moderering")])
def test_a_moderator_sees_the_queue_link_with_the_number_waiting(client, settings, moderator, company, language,
                                                                  label):
    settings.PREMODERATION = {"all"}
    make_published(author=UserFactory(), company=company)
    make_published(author=UserFactory(), company=company)
    client.force_login(moderator)
    link = _header_link(LanguageClient(client, language).get("/"), language)
    assert link is not None and label in link and ">2</span>" in link


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_nobody_else_sees_the_queue_link(client, member, persona):
    if persona == "member":
        client.force_login(member)
    assert _header_link(client.get("/")) is None


def test_the_link_costs_a_member_no_query_after_the_first_page(client, member):
    client.force_login(member)
    client.get("/companies/")
    with CaptureQueriesContext(connection) as second:
        client.get("/companies/")
    assert not any("auth_user_groups" in query["sql"] for query in second.captured_queries)


def test_a_moderators_page_is_never_kept_for_other_members(client, settings, moderator, member, company):
    settings.VISITOR_CACHE_SECONDS = 60
    settings.PREMODERATION = {"all"}
    make_published(author=UserFactory(), company=company)
    client.force_login(moderator)
    assert _header_link(client.get("/companies/")) is not None
    client.force_login(member)
    assert _header_link(client.get("/companies/")) is None
