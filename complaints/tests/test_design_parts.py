"""The design issue's rules that are not layout: what a complaint card tells at a glance, the order
of a complaint page, star inputs, "Filters (n)", chart labels that fit, and the tagline setting."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from companies.charts import bar_chart, label_lines
from complaints.models import Complaint, Evaluation
from complaints.tests.factories import make_published

pytestmark = pytest.mark.django_db


def card_of(client, complaint) -> str:
    page = client.get(reverse("complaints:list")).content.decode()
    start = page.index(complaint.get_absolute_url())
    return page[page.rfind("<article", 0, start):page.index("</article>", start)]


def test_a_card_says_how_long_a_complaint_has_waited(client, company, member):
    complaint = make_published(author=member, company=company)
    Complaint.objects.filter(pk=complaint.pk).update(published_at=timezone.now() - timedelta(days=3, hours=1))
    assert "Waiting 3 days for an answer" in card_of(client, complaint)


def test_a_card_says_how_fast_the_company_answered_and_shows_the_stars(client, company, member):
    complaint = make_published(author=member, company=company)
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Complaint.Status.RESOLVED, first_answered_at=complaint.published_at + timedelta(hours=5))
    Evaluation.objects.create(complaint=complaint, resolved=True, rating=4, would_return=True)
    card = card_of(client, complaint)
    assert "Answered in 5 hours" in card
    assert 'aria-label="4 of 5 stars"' in card
    assert card.count("star star-on") == 4
    assert "Waiting" not in card


def test_a_kept_card_changes_when_the_wait_grows(client, company, member, settings):
    complaint = make_published(author=member, company=company)
    assert "Waiting less than a day" in card_of(client, complaint)
    Complaint.objects.filter(pk=complaint.pk).update(published_at=timezone.now() - timedelta(days=2, hours=1))
    assert "Waiting 2 days" in card_of(client, complaint)


def test_the_complaint_page_reads_story_conversation_evaluation_comments_timeline(client, company, member):
    complaint = make_published(author=member, company=company)
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.RESOLVED)
    Evaluation.objects.create(complaint=complaint, resolved=True, rating=5, would_return=True)
    page = client.get(complaint.get_absolute_url()).content.decode()
    order = [page.index(marker) for marker in (
        'class="story"', 'id="thread"', 'id="evaluation"', 'id="comments"', 'id="timeline-heading"')]
    assert order == sorted(order)


def test_the_evaluation_form_draws_ratings_as_labelled_star_radio_buttons(client, company, member):
    complaint = make_published(author=member, company=company)
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.ANSWERED)
    client.force_login(member)
    page = client.get(reverse("complaints:evaluate", kwargs={"pk": complaint.pk})).content.decode()
    stars = page[page.index('class="star-input"'):]
    stars = stars[:stars.index("</span>\n")]
    assert stars.count('type="radio" name="rating"') == 5
    assert '<span class="visually-hidden">3 stars</span>' in stars
    # An optional service factor keeps "No answer" as a plain choice.
    assert 'name="treatment" value=""' in page


def test_filters_fold_behind_a_toggle_that_counts_the_ones_set(client):
    closed = client.get(reverse("complaints:list")).content.decode()
    assert '<details class="filters">' in closed and "Filters</summary>" in closed
    page = client.get(reverse("complaints:list"), {"q": "router", "status": "answered", "language": "en",
                                                   "sort": "newest"}).content.decode()
    assert '<details class="filters" open>' in page
    assert "Filters (2)</summary>" in page  # the search words and the sort are not filters


@pytest.mark.parametrize("label, slot, lines", [
    ("Waiting time", 110, ["Waiting", "time"]),
    ("Treatment", 110, ["Treatment"]),
    ("Willingness to solve the problem", 110, ["Willingness", "to solve t…"]),
    ("Jan", 46, ["Jan"]),
])
def test_chart_labels_wrap_onto_two_lines_and_shorten_only_when_they_must(label, slot, lines):
    assert label_lines(label, slot) == lines
    assert all(len(line) <= max(3, slot // 10) for line in lines)


def test_chart_labels_keep_the_full_text_as_a_tooltip(client, company):
    chart = bar_chart("Service", [("Willingness to solve the problem", 4.0, "4.0 of 5")], max_value=5)
    svg = render_to_string("includes/_bar_chart.html", {"chart": chart, "number": 1})
    assert "<title>Willingness to solve the problem</title>" in svg
    assert "<th scope=\"row\">Willingness to solve the problem</th>" in svg


def test_the_tagline_is_a_setting(client, settings):
    assert "Complaints in public, answers in public." in client.get("/").content.decode()
    settings.SITE_TAGLINE = "Every company answers"
    assert "Every company answers" in client.get("/").content.decode()


def test_the_home_page_has_one_call_to_file_a_complaint(client):
    page = client.get("/").content.decode()
    assert page.count(f'href="{reverse("complaints:new")}"') == 1
