"""Redis down: pages are still served, built afresh, and signed-in members stay signed in, but a
rate-limited write is refused with a clear 503 and nothing is saved, because its counters cannot
be kept. Once Redis is back the same write goes through.

Against a redis-server of the test's own, on a free port, stopped and started by its pid: the
local Redis that other tests share is never touched.
"""

import logging
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from complaints.forms import ComplaintForm
from complaints.models import Comment, Complaint
from complaints.tests.factories import PASSWORD, UserFactory, make_published
from core import cache as resilient_cache

pytestmark = pytest.mark.django_db

LIMITS_UNAVAILABLE = "We cannot check our limits against spam just now"


def _missing(reason: str):
    # In CI a skipped outage test would look like a pass; there it is a failure.
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must install it")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own that keeps nothing on disk: killed, it comes back empty."""

    def __init__(self, binary: str, folder, port: int):
        self.binary, self.folder, self.port = binary, folder, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None:
                    pytest.fail(f"redis-server on port {self.port} did not start")
                time.sleep(0.05)
        pytest.fail(f"redis-server on port {self.port} did not answer")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server not found (Debian's redis-server package)")
    server = RedisServer(binary, tmp_path, _free_port())
    server.start()
    # Each test starts as a fresh process would: no outage remembered, no warning given yet.
    resilient_cache._state.update(down_until=0.0, warned_at=float("-inf"))
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def production_cache(redis_server):
    """The production cache set-up (settings.py with REDIS_URL) against our own redis-server.

    A context manager rather than the `settings` fixture: the project's autouse fixture clears the
    cache after the test, and by then the default cache must be the local one again.
    """
    caches = {"default": {
        "BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_server.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }}
    with override_settings(CACHES=caches, SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
                           VISITOR_CACHE_SECONDS=60):
        yield redis_server


def _comment(client, complaint, body="Same here, no internet for a week."):
    return client.post(reverse("complaints:comment", args=[complaint.pk]),
                       {"body": body, "submission_token": str(uuid.uuid4())})


def test_pages_are_served_and_members_stay_signed_in_while_redis_is_down(production_cache, member, caplog):
    complaint = make_published(company=CompanyFactory(name="2KOM"), title="Router dead for weeks")
    pages = {"/": "Router dead for weeks", complaint.company.get_absolute_url(): "2KOM",
             complaint.get_absolute_url(): "Router dead for weeks"}
    visitor, signed_in = Client(), Client()
    signed_in.force_login(member)
    for path in pages:  # kept in Redis, for visitors and members
        assert visitor.get(path).status_code == 200
        assert signed_in.get(path).status_code == 200

    production_cache.kill()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        for path, text in pages.items():
            for client in (visitor, Client(), signed_in):
                response = client.get(path)
                assert response.status_code == 200, path
                assert text in response.content.decode()
        # The session is read from the database: still signed in, on a page only members see.
        assert signed_in.get(reverse("complaints:mine")).status_code == 200
        assert 'action="/accounts/logout/"' in signed_in.get("/").content.decode()

    warnings = [record for record in caplog.records if record.name == "core.cache"]
    assert len(warnings) == 1, "one warning per process and minute, not one per cache call"


def test_a_comment_is_refused_while_redis_is_down_and_accepted_once_it_is_back(production_cache, member):
    complaint = make_published()
    client = Client()
    client.force_login(member)

    production_cache.kill()
    response = _comment(client, complaint)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert LIMITS_UNAVAILABLE in response.content.decode()
    assert Comment.objects.count() == 0
    # Reading is not limited: the complaint page is still there, with its comment form.
    assert client.get(complaint.get_absolute_url()).status_code == 200

    production_cache.start()  # the same port, empty
    deadline = time.monotonic() + 10
    while (response := _comment(client, complaint)).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.2)  # the process leaves Redis alone for a moment after a failure
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def _stamp_shown(seconds_ago: int, monkeypatch) -> str:
    """The signed time a complaint form shown `seconds_ago` carries (the minimum fill time passed)."""
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp",
                      lambda self: signing.b62_encode(int(time.time()) - seconds_ago))
        return ComplaintForm()._new_stamp()


def test_a_complaint_is_not_filed_while_redis_is_down(production_cache, member, settings, monkeypatch):
    # The anti-bot check that each form is sent once also needs Redis: it must not call the member a bot.
    settings.FORM_MIN_FILL_SECONDS = 3
    company = CompanyFactory()
    client = Client()
    client.force_login(member)

    production_cache.kill()
    response = client.post(reverse("complaints:new"), {
        "company_name": company.name, "title": "Router broken", "story": "It broke on 2 May.",
        "desired_outcome": "compensation", "language": "en", "submission_token": str(uuid.uuid4()),
        "form_started": _stamp_shown(10, monkeypatch),
    })
    assert response.status_code == 503
    assert LIMITS_UNAVAILABLE in response.content.decode()
    assert Complaint.objects.count() == 0


def test_sign_in_and_sign_up_are_refused_clearly_while_redis_is_down(production_cache):
    UserFactory(email="ivan@example.com")
    production_cache.kill()

    visitor = Client()
    started = time.monotonic()
    response = visitor.post(reverse("account_login"), {"login": "ivan@example.com", "password": PASSWORD})
    assert response.status_code == 503
    assert LIMITS_UNAVAILABLE in response.content.decode()
    assert time.monotonic() - started < 1, "refused at once, without waiting for allauth's lock"
    assert "_auth_user_id" not in visitor.session

    # allauth's own views answer through handler429, which tells the outage from a real limit.
    response = visitor.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 503
    assert LIMITS_UNAVAILABLE in response.content.decode()
    assert not UserFactory._meta.model.objects.filter(email="new@example.com").exists()


def test_readiness_says_the_cache_is_unavailable_while_redis_is_down(production_cache, db):
    assert Client().get("/readyz").status_code == 200
    production_cache.kill()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"
