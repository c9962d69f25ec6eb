"""A stateless web tier: two web processes, each with a local folder of its own, one task worker,
and evidence in S3-compatible object storage (moto's stand-alone server, started by the test).

A member files a complaint with a photo through web process A; web process B shows it and serves
the photo, which only object storage can give it (nothing is written to either local folder). A
moderator's hide made through A is seen at once on B, whose copy of the page was kept in the
shared Redis cache. Everything runs in processes of their own, sharing a throwaway SQLite file.
"""

import http.cookiejar
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
BUCKET = "evidence-test"
STORY = "The router died in March. Two engineers came, none fixed it."

SETUP = """
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from companies.tests.factories import CompanyFactory
from complaints.tests.factories import UserFactory

def session_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key

member = UserFactory(email="member@example.com")
moderator = UserFactory(email="moderator@example.com")
moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
CompanyFactory(name="2KOM", slug="2kom")
print(json.dumps({"member": session_for(member), "moderator": session_for(moderator)}))
"""


def _missing(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must be able to run this test")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answers(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (our own loopback server)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{what} did not start")
            time.sleep(0.1)
    pytest.fail(f"{what} did not answer")


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12, 8), "blue").save(out, format="PNG")
    return out.getvalue()


class Browser:
    """A person with cookies of their own, talking to one web process."""

    def __init__(self, base: str, session_key: str | None = None):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)
        if session_key:
            self.cookies.set_cookie(_cookie("sessionid", session_key))

    def get(self, path: str) -> tuple[int, bytes, dict]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict, files: dict | None = None) -> tuple[int, bytes, dict]:
        csrf = next(c.value for c in self.cookies if c.name == "csrftoken")
        body, content_type = _multipart({**fields, "csrfmiddlewaretoken": csrf}, files or {})
        request = urllib.request.Request(self.base + path, data=body, method="POST", headers={
            "Content-Type": content_type, "Referer": self.base + path, "Origin": self.base})
        return self._open(request)

    def _open(self, request) -> tuple[int, bytes, dict]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None,
                                 False, None, None, {})


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _hidden_inputs(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


@pytest.fixture
def services(tmp_path):
    """moto's S3 server with our bucket, and a Redis key prefix of this test's own."""
    try:
        import boto3
        import redis
    except ImportError as error:
        _missing(f"{error.name} is not installed (requirements-dev.txt)")
    moto_server = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if moto_server is None:
        _missing("moto_server is not installed (moto[server] in requirements-dev.txt)")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as error:
        _missing(f"Redis at {REDIS_URL} is unreachable ({error})")

    port = _free_port()
    moto = subprocess.Popen([moto_server, "-p", str(port)], stdout=subprocess.DEVNULL,  # noqa: S603
                            stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    prefix = f"test-object-storage-{uuid.uuid4().hex}"
    try:
        _wait_until_answers(endpoint, moto, "moto_server")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")  # noqa: S106 (moto accepts any key)
        s3.create_bucket(Bucket=BUCKET)
        (tmp_path / "object_storage_settings.py").write_text(
            "from complaints_site.settings import *  # noqa: F403\n"
            f'CACHES["default"]["KEY_PREFIX"] = {prefix!r}  # noqa: F405\n'
        )
        env = {
            **{k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")},
            "DJANGO_SETTINGS_MODULE": "object_storage_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(BASE_DIR)]),
            "SQLITE_FILE": str(tmp_path / "db.sqlite3"), "REDIS_URL": REDIS_URL, "DEBUG": "true",
            "SECRET_KEY": "object-storage-test", "PREMODERATION": "none", "FORM_MIN_FILL_SECONDS": "0",
            "VISITOR_CACHE_SECONDS": "60", "TASKS_BACKEND": "database", "EMAIL_FILE_PATH": str(tmp_path / "mail"),
            "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": endpoint, "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test", "S3_PREFIX": "uploads",
        }
        yield {"env": env, "s3": s3}
    finally:
        moto.terminate()
        moto.wait(timeout=10)
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def processes(services, tmp_path):
    """Migrate, then two web processes (each its own MEDIA_ROOT) and one worker; all stopped by pid."""
    env = services["env"]
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=BASE_DIR, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    started, bases = [], []
    try:
        for name in ("a", "b"):
            media = tmp_path / f"media-{name}"
            media.mkdir()
            port = _free_port()
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=BASE_DIR, env={**env, "MEDIA_ROOT": str(media)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            started.append(process)
            bases.append(f"http://127.0.0.1:{port}")
            _wait_until_answers(bases[-1] + "/healthz", process, f"web process {name}")
        started.append(subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
            cwd=BASE_DIR, env={**env, "MEDIA_ROOT": str(tmp_path / "media-worker")},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        yield bases
    finally:
        for process in started:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_evidence_uploaded_through_one_web_process_is_served_by_the_other(services, processes, tmp_path):
    a, b = processes
    env = services["env"]
    made = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", "import json\n" + SETUP],  # noqa: S603
                          cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    sessions = json.loads(made.stdout.strip().splitlines()[-1])

    # The member files through A: the form, then the photo with it, then publishing.
    member = Browser(a, sessions["member"])
    status, page, _headers = member.get("/complaints/new/")
    assert status == 200
    photo = _png()
    fields = {**_hidden_inputs(page.decode()), "company_name": "2KOM", "title": "Router dead since March",
              "story": STORY, "desired_outcome": "repair", "language": "en", "display_name": "Ivan"}
    status, page, headers = member.post("/complaints/new/", fields, {"evidence": ("router.png", photo, "image/png")})
    assert status == 302, page.decode()[:2000]
    preview = headers["Location"]
    draft_pk = re.search(r"/complaints/(\d+)/", preview).group(1)
    member.get(preview)
    status, _page, headers = member.post(f"/complaints/{draft_pk}/submit/", {})
    assert status == 302
    complaint_url = urllib.parse.urlsplit(headers["Location"]).path

    # B shows it, with the photo, which it can only have from object storage.
    visitor = Browser(b)
    status, page, _headers = visitor.get(complaint_url)
    assert status == 200 and STORY in page.decode()
    [evidence_url] = re.findall(r'href="(/evidence/[0-9a-f-]+/)"', page.decode())
    status, served, headers = visitor.get(evidence_url)
    assert status == 200 and headers["Content-Type"] == "image/png"
    assert served[:8] == b"\x89PNG\r\n\x1a\n"
    keys = [item["Key"] for item in services["s3"].list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert len(keys) == 1 and keys[0].startswith("uploads/evidence/")
    for name in ("media-a", "media-b"):
        assert not any(path.is_file() for path in (tmp_path / name).rglob("*")), f"{name} holds a file"

    # A moderator hides it through A; B's next visitor gets the tombstone, and no photo.
    moderator = Browser(a, sessions["moderator"])
    moderator.get(f"/moderation/complaint/{draft_pk}/")
    status, _page, _headers = moderator.post(f"/moderation/complaint/{draft_pk}/hide/",
                                             {"reason": "personal_data", "note": ""})
    assert status == 302
    status, page, _headers = Browser(b).get(complaint_url)
    assert status == 200 and STORY not in page.decode() and "Hidden by the moderators." in page.decode()
    assert Browser(b).get(evidence_url)[0] == 404
