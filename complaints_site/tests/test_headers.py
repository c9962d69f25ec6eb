import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_send_security_headers_and_a_strict_csp(client):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_https_responses_carry_hsts_for_a_year_with_subdomains(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("home"), secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert "includeSubDomains" in response["Strict-Transport-Security"]


@pytest.mark.django_db
def test_plain_http_redirects_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.django_db
def test_a_foreign_host_header_gets_400(client, settings):
    settings.ALLOWED_HOSTS = ["complaints.example"]
    assert client.get(reverse("home"), HTTP_HOST="evil.example").status_code == 400


@pytest.mark.django_db
def test_health_reports_the_database(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
