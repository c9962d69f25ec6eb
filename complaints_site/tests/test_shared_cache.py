"""Hidden means gone, across processes: a web process that kept a page in the shared Redis
cache serves the tombstone to the very next visitor once another process has hidden the
complaint (issue 11).

Everything runs in real processes of their own: a web server (runserver) and short
`manage.py shell` runs that set up, hide, redact, withdraw and restore through the
services, as a moderator's web process would. They share a throwaway SQLite file and the
local Redis under a key prefix of this test's own, so the test is the same on every
database the suite runs on and leaves nothing behind.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
PHONE = "+7 912 345 67 89"

SETUP = """
from django.contrib.auth.models import Group
from companies.tests.factories import CompanyFactory
from complaints.tests.factories import UserFactory, make_published

moderator = UserFactory(username="moderator")
moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
company = CompanyFactory(name="2KOM", slug="2kom")
complaint = make_published(company=company, title="Router dead for weeks",
                           story="The router died. Call me on {phone}, nobody else will.")
print(json.dumps({{"complaint": complaint.get_absolute_url(), "company": company.get_absolute_url(),
                   "pk": complaint.pk}}))
"""

ACT = """
from django.contrib.auth import get_user_model
from complaints.models import Complaint
from complaints.services.moderation import moderation_hide, moderation_redact, moderation_restore
from complaints.services.lifecycle import complaint_withdraw

moderator = get_user_model().objects.get(username="moderator")
complaint = Complaint.objects.get(pk={pk})
{action}
"""


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable; CI must run it ({error})")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({error}): start it to test several processes sharing it")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Site:
    """The shared database file and cache prefix, and the processes that use them."""

    def __init__(self, folder: Path, prefix: str):
        (folder / "shared_cache_settings.py").write_text(textwrap.dedent(f"""
            from complaints_site.settings import *  # noqa: F403
            CACHES["default"]["KEY_PREFIX"] = {prefix!r}  # noqa: F405
        """))
        self.env = {
            **{name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
            "DJANGO_SETTINGS_MODULE": "shared_cache_settings",
            "PYTHONPATH": os.pathsep.join([str(folder), str(BASE_DIR)]),
            "SQLITE_FILE": str(folder / "db.sqlite3"),
            "MEDIA_ROOT": str(folder / "media"),
            "REDIS_URL": REDIS_URL,
            "VISITOR_CACHE_SECONDS": "60",
            "PREMODERATION": "none",
            "DEBUG": "true",
            "SECRET_KEY": "shared-cache-test",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", "import json\n" + code)


def get(base: str, path: str) -> tuple[int, str]:
    with urllib.request.urlopen(base + path, timeout=20) as response:  # a new visitor: no cookies
        return response.status, response.read().decode()


@pytest.fixture
def site(tmp_path):
    _redis_or_skip()
    import redis

    prefix = f"test-shared-cache-{uuid.uuid4().hex}"
    yield Site(tmp_path, prefix)
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def server(site):
    """A web process of its own, on a free port, stopped by its pid."""
    site.manage("migrate", "--verbosity", "0")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
        cwd=BASE_DIR, env=site.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                get(base, "/healthz")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("the web process did not start")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_page_kept_by_one_process_is_a_tombstone_once_another_process_hides_it(site, server):
    made = json.loads(site.shell(SETUP.format(phone=PHONE)).strip().splitlines()[-1])
    pages = [made["complaint"], made["company"], "/complaints/", "/complaints/?q=router", "/"]
    for path in pages:
        assert "nobody else will" in get(server, path)[1] or "dead for weeks" in get(server, path)[1], path

    def act(action: str) -> None:
        site.shell(ACT.format(pk=made["pk"], action=action))

    # The pages are served from the shared cache: a change made behind the services' back is not seen yet.
    act('Complaint.objects.filter(pk=complaint.pk).update(title="Changed behind the services")')
    assert "dead for weeks" in get(server, made["complaint"])[1]

    act('moderation_redact(item=complaint, field="story", selection="' + PHONE + '", moderator=moderator)')
    status, body = get(server, made["complaint"])
    assert status == 200 and PHONE not in body and "[removed: personal data]" in body

    act('moderation_hide(item=complaint, moderator=moderator, reason="personal_data")')
    status, body = get(server, made["complaint"])
    assert status == 200 and "Hidden by the moderators." in body and "nobody else will" not in body
    for path in pages[1:]:
        assert "Changed behind the services" not in get(server, path)[1], path

    act('moderation_restore(item=complaint, moderator=moderator)')
    assert "nobody else will" in get(server, made["complaint"])[1]
    assert "Changed behind the services" in get(server, "/complaints/")[1]

    act('complaint_withdraw(complaint=complaint, user=complaint.author, reason="Sorted out.")')
    status, body = get(server, made["complaint"])
    assert "The author withdrew this complaint." in body and "nobody else will" not in body
    for path in pages[1:]:
        assert "Changed behind the services" not in get(server, path)[1], path
