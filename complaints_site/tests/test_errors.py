import logging

import pytest
from django.test import Client
from django.urls import path

from complaints_site.urls import urlpatterns as site_urls


def boom(request):
    raise RuntimeError("something broke with password=hunter2")


urlpatterns = [path("boom/", boom), *site_urls]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_error_shows_our_500_page_and_logs_path_and_user_only(settings, member, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Traceback" not in body and "hunter2" not in body and "SECRET_KEY" not in body
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    from complaints_site.logging import RequestContextFilter

    RequestContextFilter().filter(records[0])
    assert records[0].path == "/boom/"
    assert records[0].user_id == member.pk
    session_key = client.cookies["sessionid"].value
    assert session_key not in records[0].getMessage()
