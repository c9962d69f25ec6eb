"""The moderators' review page: why an item is held, its evidence, and removing detected personal data with a click."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from complaints.evidence import Evidence
from complaints.models import Redaction
from complaints.services.participation import comment_post
from complaints.tests.factories import UserFactory, make_published

PHONE = "+7 999 555-11-22"
EMAIL = "ivan.petrov@example.org"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), "red").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def held(settings, company):
    settings.PREMODERATION = {"personal_data"}
    evidence = [Evidence(content=_png(), content_type="image/png", original_name="bill <march>.png", width=8, height=6)]
    return make_published(author=UserFactory(), company=company, title="Billed twice",
                          story=f"Call me on {PHONE}.\nOr write to {EMAIL}, <b>please</b>.", evidence=evidence)


def _page(moderator, complaint, language="en"):
    client = Client()
    client.force_login(moderator)
    return client, client.get(reverse("complaints:moderation_item", args=["complaint", complaint.pk]),
                              HTTP_ACCEPT_LANGUAGE=language)


def test_the_review_page_says_what_personal_data_was_found_and_where(moderator, held):
    assert held.status == "pending"
    _client, response = _page(moderator, held)
    html = response.content.decode()
    assert f"<mark>{PHONE}</mark>" in html and f"<mark>{EMAIL}</mark>" in html
    assert "phone number in Story, line 1:" in html
    assert "e-mail address in Story, line 2:" in html
    # The story around the marks stays text: the author's markup is escaped.
    assert "&lt;b&gt;please&lt;/b&gt;" in html and "<b>please</b>" not in html


def test_the_review_page_shows_the_evidence_files(moderator, held):
    _client, response = _page(moderator, held)
    attachment = held.attachments.get()
    html = response.content.decode()
    assert f'src="{attachment.get_absolute_url()}"' in html
    assert 'alt="bill &lt;march&gt;.png"' in html


def test_a_text_without_personal_data_says_so(moderator, company, settings):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=UserFactory(), company=company, story="The router died.")
    _client, response = _page(moderator, complaint, language="de")
    assert response.status_code == 200 and "<mark>" not in response.content.decode()


def test_one_click_removes_a_detected_item_without_retyping_it(moderator, held):
    client, response = _page(moderator, held)
    html = response.content.decode()
    assert f'name="selection" value="{PHONE}"' in html
    response = client.post(reverse("complaints:moderation_redact", args=["complaint", held.pk]),
                           {"field": "story", "selection": PHONE, "reason": "personal_data"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert PHONE not in held.story and EMAIL in held.story
    assert Redaction.objects.get().removed == PHONE


def test_a_comment_under_review_shows_its_detected_items(moderator, company, member):
    complaint = make_published(author=UserFactory(), company=company)
    comment = comment_post(complaint=complaint, user=member, body=f"Same, ring {PHONE}", send_anyway=True)
    client = Client()
    client.force_login(moderator)
    html = client.get(reverse("complaints:moderation_item", args=["comment", comment.pk])).content.decode()
    assert f"<mark>{PHONE}</mark>" in html and "phone number in Text, line 1:" in html


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_only_moderators_see_the_review_page(client, member, held, persona):
    if persona == "member":
        client.force_login(member)
    response = client.get(reverse("complaints:moderation_item", args=["complaint", held.pk]))
    assert response.status_code in (302, 403, 404)
    assert PHONE not in response.content.decode()
