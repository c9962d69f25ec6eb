import pytest
from django.urls import reverse


def test_healthz_answers_ok_without_the_database(client):
    # No django_db mark: any query fails this test. The benchmark's baseline
    # must stay free of queries to be the framework's ceiling.
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"ok"


def test_healthz_goes_through_the_middleware_like_any_page(client):
    response = client.get(reverse("healthz"))
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405


@pytest.mark.django_db
def test_healthz_is_served_to_a_signed_in_member(member_client):
    assert member_client.get(reverse("healthz")).content == b"ok"
