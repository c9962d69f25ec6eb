"""The root URLs: every app's addresses, by language, with the admin, accounts, API and search-engine files."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from api.api import api
from complaints_site import seo, views
from complaints_site.language import choose_language
from core.abuse import login

# The admin signs in through allauth's login, with its rate limits (allauth's documented wiring).
admin.site.login = secure_admin_login(admin.site.login)

# allauth answers a rate-limited request with this (allauth.core.internal.ratelimit.respond_429).
handler429 = "core.abuse.too_many_requests"
# 503 with our page when the database or Redis is down (the error path reads neither).
handler500 = "complaints_site.views.server_error"

# The same in every language (core.i18n_urls.NEUTRAL_PREFIXES).
urlpatterns = [
    path("health/", views.health, name="health"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap_index"),
    path("sitemap-<section>.xml", seo.sitemap_section, name="sitemap_section"),
    path("api/v1/", api.urls),
    path("", include("api.file_urls")),
    path("language/", choose_language, name="choose_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# Pages: English at the root, the other languages under /ru/, /de/ and /sv/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    # allauth's login, but answering 429 when too many wrong passwords were tried (the admin's login too).
    path("accounts/login/", login, name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("companies.urls")),
    path("", include("complaints.urls")),
    path("", include("api.urls")),
    prefix_default_language=False,
)
