"""What search engines and link previews read: robots.txt, sitemaps, link previews, schema.org."""

import json
import re
import xml.etree.ElementTree as ElementTree
from datetime import datetime

import pytest

from companies.models import Scorecard
from complaints.models import Complaint
from complaints.services.moderation import moderation_hide
from complaints.services.scorecards import scorecard_refresh
from complaints.tests.factories import make_draft, make_published
from complaints_site import seo

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def _xml(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_personal_pages(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text.splitlines()
    for path in ("/accounts/", "/me/", "/business/", "/moderation/", "/sv/business/", "/ru/me/", "/api/v1/company/"):
        assert f"Disallow: {path}" in text
    assert "Disallow: /sv/api/" not in text


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
    urls = {url.find("s:loc", NS).text: url for url in complaints.findall("s:url", NS)}
    path = public.get_absolute_url()
    assert set(urls) == {f"http://testserver{prefix}{path}" for prefix in ("", "/ru", "/de", "/sv")}
    for url in urls.values():
        datetime.fromisoformat(url.find("s:lastmod", NS).text)  # W3C datetime
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        assert alternates == {"en": f"http://testserver{path}", "ru": f"http://testserver/ru{path}",
                              "de": f"http://testserver/de{path}", "sv": f"http://testserver/sv{path}",
                              "x-default": f"http://testserver{path}"}
    text = client.get("/sitemap-complaints.xml").content.decode()
    assert f"/complaints/{hidden.pk}/" not in text and f"/complaints/{draft.pk}/" not in text
    companies = _xml(client.get("/sitemap-companies.xml"))
    assert f"http://testserver/sv{company.get_absolute_url()}" in [
        url.find("s:loc", NS).text for url in companies.findall("s:url", NS)]


def test_sitemaps_are_split_into_files(client, company, monkeypatch):
    monkeypatch.setattr(seo.ComplaintSitemap, "limit", 8)
    for n in range(5):
        make_published(company=company, title=f"Complaint {n}")
    index = _xml(client.get("/sitemap.xml"))
    pages = [loc.text for loc in index.findall("s:sitemap/s:loc", NS) if "complaints" in loc.text]
    assert len(pages) == 3  # 5 complaints in 4 languages, 8 addresses a file
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert len(_xml(client.get("/sitemap-complaints.xml?p=3")).findall("s:url", NS)) == 4
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "complaints_complaint"' in q["sql"]
             and "COUNT" not in q["sql"]]
    assert reads and all("LIMIT 1" in sql and "OFFSET 4" in sql for sql in reads)  # one complaint, not all five
    assert seo._SiteSitemap.limit == 50000


def test_pages_name_their_language_versions(client, company, settings):
    complaint = make_published(company=company)
    path = complaint.get_absolute_url()
    page = client.get("/sv" + path).content.decode()
    assert '<html lang="sv">' in page
    for code, prefix in (("en", ""), ("ru", "/ru"), ("de", "/de"), ("sv", "/sv"), ("x-default", "")):
        assert f'<link rel="alternate" hreflang="{code}" href="{settings.SITE_URL}{prefix}{path}">' in page
    assert f'<link rel="canonical" href="{settings.SITE_URL}/sv{path}">' in page


def test_the_api_and_files_are_not_language_pages(client, company):
    assert client.get("/sv/api/v1/industries").status_code == 404
    assert client.get("/api/v1/industries").status_code == 200
    assert 'hreflang' not in client.get("/api/v1/docs").content.decode()


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
