import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory, override_settings
from django.urls import path
from django.utils.functional import SimpleLazyObject

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


def _database_down(execute, sql, params, many, context):
    # What the driver raises when the server is gone, raised where every query goes through.
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.django_db
def test_database_down_gives_a_signed_in_member_our_503_page_and_one_log_record(settings, member, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with caplog.at_level(logging.ERROR, logger="django.request"), connection.execute_wrapper(_database_down):
        response = client.get("/")
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert "Internal Server Error" not in response.content.decode()
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    from complaints_site.logging import RequestContextFilter

    assert RequestContextFilter().filter(records[0])
    assert records[0].path == "/"


@pytest.mark.django_db
def test_redis_down_gives_a_signed_in_member_our_503_page_and_one_log_record(settings, member, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(member)
    # As in production: sessions read from Redis first. Port 9 is closed.
    redis_down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                              "LOCATION": "redis://127.0.0.1:9/0"}}
    with (override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db", CACHES=redis_down),
          caplog.at_level(logging.ERROR, logger="django.request")):
        response = client.get("/")
        records = [r for r in caplog.records if r.name == "django.request"]
        from complaints_site.logging import RequestContextFilter

        assert len(records) == 1
        assert RequestContextFilter().filter(records[0])
    assert response.status_code == 503
    assert "briefly unavailable" in response.content.decode()
    assert records[0].path == "/"


def test_the_log_filter_never_works_out_the_user():
    from complaints_site.logging import RequestContextFilter

    def unreachable():
        raise AssertionError("the filter read request.user")

    request = RequestFactory().get("/somewhere/")
    request.user = SimpleLazyObject(unreachable)
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), None)
    record.request = request
    assert RequestContextFilter().filter(record)
    assert (record.path, record.user_id) == ("/somewhere/", "-")
