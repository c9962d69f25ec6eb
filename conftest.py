"""Shared test setup: personas, a private media folder, mail in memory."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

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
def member_client(client, member):
    client.force_login(member)
    return client


def confirm_email(user):
    EmailAddress.objects.filter(user=user).update(verified=True)
