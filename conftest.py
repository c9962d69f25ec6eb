"""Shared test setup: personas, a private media folder, mail in memory, row-lock races."""

import sys
import threading
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.db import connection

from companies.services import claim_submit
from companies.tests.factories import CompanyFactory, IndustryFactory
from complaints.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _publish_without_review(settings):
    # Most tests are about what happens after publishing; tests of the
    # pre-moderation rule set settings.PREMODERATION themselves.
    settings.PREMODERATION = {"none"}


@pytest.fixture(autouse=True)
def _no_minimum_fill_time(settings):
    # Tests (and the browser) send forms at once, some without the signed time;
    # the anti-bot tests set settings.FORM_MIN_FILL_SECONDS themselves.
    settings.FORM_MIN_FILL_SECONDS = 0


@pytest.fixture(autouse=True)
def _no_visitor_cache(settings):
    # Most tests change something and look again at once, as a visitor too;
    # the visitor cache's own tests turn it on.
    settings.VISITOR_CACHE_SECONDS = 0


@pytest.fixture
def no_rate_limits(settings):
    """For tests that post one form many times on purpose (hostile input): no rate limits at all."""
    settings.ACCOUNT_RATE_LIMITS = False


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # LocaleMiddleware leaves the last request's language active in this
    # thread; a test that asked in Swedish must not make the next one Swedish.
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    """A signed-up member with a confirmed e-mail address."""
    return UserFactory(email="member@example.com")


@pytest.fixture
def unconfirmed_member(db):
    return UserFactory(email="unconfirmed@example.com", verified=False)


@pytest.fixture
def other_member(db):
    return UserFactory(email="other@example.com")


@pytest.fixture
def moderator(db):
    user = UserFactory(email="moderator@example.com")
    group, _ = Group.objects.get_or_create(name="moderators")
    user.groups.add(group)
    return user


@pytest.fixture
def industry(db):
    return IndustryFactory(name="Internet providers", slug="internet-providers")


@pytest.fixture
def company(db, industry):
    return CompanyFactory(name="2KOM", slug="2kom", industry=industry, website="https://2kom.ru", country="RU")


@pytest.fixture
def rep(company):
    """A representative of `company`: claimed it with a confirmed address at its domain, approved at once."""
    user = UserFactory(email="anna@2kom.ru")
    claim_submit(user=user, company=company, work_email=user.email, job_title="Customer care", evidence="")
    return user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block as if its transaction committed: the mail, tasks and cache
    changes a service leaves for after its commit happen, as in a real request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sent(mailoutbox):
    """`sent()`: the mail sent so far, as (first recipient, subject without the site's prefix)."""

    def mail() -> list[tuple[str, str]]:
        prefix = django_settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        return [(message.to[0], message.subject.removeprefix(prefix)) for message in mailoutbox]

    return mail


def _until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _a_session_waits_for_a_lock() -> bool:
    # Only this test's threads use this test database (each xdist worker has its own).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture
def row_lock_race(monkeypatch):
    """Run two actions whose transactions surely overlap on one row lock (PostgreSQL); return what each did.

    `row_lock_race(service, "locked", first, second, refusal=ComplaintError)`: "locked" names
    the helper `service` calls, from its own module, to lock its row (select_for_update) inside
    its transaction; it is replaced there, so the race follows the service wherever it moves.
    The first action takes the lock and is held right after it, its transaction still open; the
    second starts and must be seen waiting for that lock before the first is let go. Threads
    started behind a barrier prove nothing: their transactions may never overlap, and a service
    without the lock passes by luck. Here, without the lock, the second never waits and the race
    fails. Each outcome is "ok", "refused" (the `refusal` error) or the repr of another error.
    """

    def race(service, locker: str, first, second, *, refusal: type[Exception]) -> list[str]:
        module = sys.modules[service.__module__]
        take_lock = getattr(module, locker)
        holding, release = threading.Event(), threading.Event()
        outcomes = [None, None]

        def lock_then_hold(*args, **kwargs):
            row = take_lock(*args, **kwargs)
            if threading.current_thread() is threads[0] and not holding.is_set():
                holding.set()
                release.wait(timeout=30)
            return row

        def run(index, action):
            try:
                action()
                outcomes[index] = "ok"
            except refusal:
                outcomes[index] = "refused"
            except Exception as error:  # shows up in the assertion on the outcomes
                outcomes[index] = repr(error)
            finally:
                connection.close()

        monkeypatch.setattr(module, locker, lock_then_hold)
        threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate([first, second])]
        try:
            threads[0].start()
            _until(lambda: holding.is_set() or not threads[0].is_alive())
            assert holding.is_set(), f"{service.__name__} never called {locker}: {outcomes[0]}"
            threads[1].start()
            waited = _until(_a_session_waits_for_a_lock)
            assert waited and threads[1].is_alive(), (
                f"the second action did not wait for the first one's row lock: {outcomes[1]}"
            )
        finally:
            release.set()
            for thread in threads:
                if thread.ident is not None:  # started
                    thread.join(timeout=30)
        return outcomes

    return race


def confirm_email(user):
    EmailAddress.objects.filter(user=user).update(verified=True)


@pytest.fixture
def fresh_planner_statistics(db):
    """Call it once a test's complaints exist: PostgreSQL's row estimates are brought up to date.

    The unfiltered public list trusts the planner's estimate of public complaints beyond
    twice the cap (complaints.sorts.public_count). Rows other tests made and took away may
    still be in that estimate (autovacuum's ANALYZE runs when it likes); a test that counts
    exactly analyses first, so it sees only its own rows.
    """

    def analyze():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE complaints_complaint")

    return analyze
