"""What search engines and link previews read: robots.txt, sitemaps, link previews, schema.org."""

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import pytest

from companies.models import Scorecard
from companies.scorecards import scorecard_refresh
from complaints.models import Complaint
from complaints.moderation import moderation_hide
from complaints.tests.factories import make_draft, make_published
from complaints_site import seo

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _xml(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_personal_pages(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text.splitlines()
    for path in ("/accounts/", "/me/", "/business/", "/moderation/", "/api/v1/company/"):
        assert f"Disallow: {path}" in text


def test_sitemaps_list_only_public_content_with_lastmod(client, company, moderator):
    public = make_published(company=company, title="Public one")
    hidden = make_published(company=company, title="Hidden one")
    moderation_hide(item=hidden, moderator=moderator, reason="abuse")
    draft = make_draft(company=company, title="Draft one")
    index = _xml(client.get("/sitemap.xml"))
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    assert {re.sub(r".*/sitemap-(\w+)\.xml.*", r"\1", loc) for loc in sections} == {
        "complaints", "companies", "industries", "incidents"}

    complaints = _xml(client.get("/sitemap-complaints.xml"))
    urls = {url.find("s:loc", NS).text: url.find("s:lastmod", NS).text for url in complaints.findall("s:url", NS)}
    assert list(urls) == [f"http://testserver{public.get_absolute_url()}"]
    for lastmod in urls.values():
        datetime.fromisoformat(lastmod)  # W3C datetime
    text = client.get("/sitemap-complaints.xml").content.decode()
    assert f"/complaints/{hidden.pk}/" not in text and f"/complaints/{draft.pk}/" not in text
    companies = _xml(client.get("/sitemap-companies.xml"))
    assert [url.find("s:loc", NS).text for url in companies.findall("s:url", NS)] == [
        f"http://testserver{company.get_absolute_url()}"]


def test_sitemaps_are_split_into_files(client, company, monkeypatch):
    monkeypatch.setattr(seo.ComplaintSitemap, "limit", 2)
    for n in range(5):
        make_published(company=company, title=f"Complaint {n}")
    index = _xml(client.get("/sitemap.xml"))
    pages = [loc.text for loc in index.findall("s:sitemap/s:loc", NS) if "complaints" in loc.text]
    assert len(pages) == 3
    assert len(_xml(client.get("/sitemap-complaints.xml?p=3")).findall("s:url", NS)) == 1
    assert seo.ComplaintSitemap.limit <= 50000 and seo._SiteSitemap.limit == 50000


def test_a_complaint_page_has_a_link_preview_and_a_canonical_address(client, company, settings):
    complaint = make_published(company=company, title="Router <b>broken</b>", story="It broke on Monday. " * 5)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{complaint.get_absolute_url()}">' in page
    assert '<meta property="og:title" content="Router &lt;b&gt;broken&lt;/b&gt; · 2KOM">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert 'property="og:description" content="It broke on Monday.' in page


def test_a_held_story_is_not_in_the_preview(client, company):
    complaint = make_published(company=company, story="Secret story text")
    Complaint.objects.filter(pk=complaint.pk).update(text_held=True)
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "Secret story text" not in page


def _ld(page):
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block)


def test_a_company_is_an_organization_rated_only_where_a_score_is_shown(client, company):
    make_published(company=company)
    scorecard_refresh(company_id=company.pk)
    data = _ld(client.get(company.get_absolute_url()).content.decode())
    assert data["@type"] == "Organization" and data["name"] == "2KOM" and "aggregateRating" not in data

    Scorecard.objects.filter(company=company, window="12m").update(score=7.46, evaluated=12, label="good")
    data = _ld(client.get(company.get_absolute_url()).content.decode())
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": 7.5, "bestRating": 10,
                                       "worstRating": 0, "ratingCount": 12}


@pytest.mark.parametrize("name", ["</script><script>alert(1)</script>", "A & B <Ltd>"])
def test_the_markup_cannot_be_broken_out_of(client, db, name):
    from companies.tests.factories import CompanyFactory

    company = CompanyFactory(name=name, slug="hostile")
    page = client.get(company.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert _ld(page)["name"] == name
