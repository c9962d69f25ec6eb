"""What search engines read: robots.txt and the sitemaps (django.contrib.sitemaps), public
content only, each file at most 50,000 addresses with the index listing them all."""

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from companies.models import Company, Industry
from complaints.models import Complaint, Incident
from core.i18n_urls import is_neutral

# Pages that are personal, or forms: of no use in a search result.
DISALLOWED = [
    "/accounts/", "/me/", "/business/", "/moderation/", "/complaints/new/", "/complaints/mine/", "/report/",
    "/language/", "/i18n/", "/unsubscribe/", "/company-mail/", "/api/v1/company/", "/open-data/complaints.",
    "/open-data/companies.", "/evidence/",
]
SITEMAP_SECONDS = 3600


class _EachInEachLanguage(Sequence):
    """Every item in every language, read one slice of the queryset at a time. (Django's i18n
    sitemap makes that list in memory: a million complaints would be read for each file.)"""

    def __init__(self, queryset, languages: list[str]):
        self.queryset, self.languages = queryset, languages

    def __len__(self):
        return self.queryset.count() * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop, _step = index.indices(len(self))
        if start >= stop:
            return []
        n = len(self.languages)
        first, last = start // n, (stop - 1) // n + 1
        pairs = [(item, code) for item in self.queryset[first:last] for code in self.languages]
        return pairs[start - first * n:stop - first * n]


class _SiteSitemap(Sitemap):
    limit = 50000  # addresses per file, each language counted
    # Every page in each language, with its alternates (hreflang) and English as the default.
    i18n = True
    alternates = True
    x_default = True

    def _items(self):
        return _EachInEachLanguage(self.items(), list(self._languages()))
    protocol = urlsplit(settings.SITE_URL).scheme or "https"


class ComplaintSitemap(_SiteSitemap):
    def items(self):
        return Complaint.objects.public().only("id", "title", "updated_at").order_by("id")

    def lastmod(self, complaint):
        return complaint.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class CompanySitemap(_SiteSitemap):
    def items(self):
        return Company.objects.listed().annotate(figures_at=Max("scorecards__computed_at")).only(
            "id", "slug", "created_at").order_by("id")

    def lastmod(self, company):
        return company.figures_at or company.created_at


class IndustrySitemap(_SiteSitemap):
    def items(self):
        return Industry.objects.order_by("id")


class IncidentSitemap(_SiteSitemap):
    def items(self):
        return Incident.objects.filter(company__is_listed=True).annotate(
            updated=Max("updates__created_at")).order_by("id")

    def lastmod(self, incident):
        return max(moment for moment in (incident.created_at, incident.updated, incident.resolved_at) if moment)


SITEMAPS = {
    "complaints": ComplaintSitemap, "companies": CompanySitemap, "industries": IndustrySitemap,
    "incidents": IncidentSitemap,
}


@require_safe
def robots_txt(request):
    prefixes = [""] + [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    pages = [prefix + path for prefix in prefixes for path in DISALLOWED if not is_neutral(path)]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in [*pages, *filter(is_neutral, DISALLOWED)]),
             "Allow: /", "",
             f"Sitemap: {settings.SITE_URL}{reverse('sitemap_index')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap_section")


@require_safe
@cache_page(SITEMAP_SECONDS)
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)
