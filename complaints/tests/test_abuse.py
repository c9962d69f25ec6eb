"""Anti-abuse (SECURITY.md 13, 14, 25, 26, 29): rate limits per member and per address,
a friendly 429, the honeypot and minimum fill time, the admin login, double submissions."""

import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import redis
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse

from companies.models import RepresentationClaim
from companies.tests.factories import CompanyFactory
from complaints.forms import CommentForm, ComplaintForm
from complaints.models import Comment, Complaint, Flag, Message, MeToo
from complaints.tests.factories import PASSWORD, UserFactory, make_draft, make_published, sign_in

pytestmark = pytest.mark.django_db

ACTIONS = ["file_complaint", "submit_complaint", "post_message", "comment", "me_too", "represent", "flag"]
REDIS_URL = "redis://127.0.0.1:6379/15"
HOME = "198.51.100.7"  # the address most of these members share
ELSEWHERE = "203.0.113.9"


@pytest.fixture(autouse=True)
def _publish_at_once(settings):
    settings.PREMODERATION = {"none"}


def small_limits(settings, rate):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **dict.fromkeys(ACTIONS, rate)}


def client_for(user) -> Client:
    return sign_in(Client(), user)  # representation requests ask for a recent password


# ---- One attempt at each limited action, and what it creates -----------------

def complaint_post(company) -> dict:
    return {
        "company_name": company.name, "title": "Router broken", "story": "It broke on 2 May.",
        "desired_outcome": "compensation", "language": "en", "submission_token": str(uuid.uuid4()),
    }


@dataclass
class World:
    company: object
    others_complaint: Complaint  # public, by someone else: comments
    own_complaint: dict  # user pk -> their public complaint: messages

    def own(self, user) -> Complaint:
        if user.pk not in self.own_complaint:
            self.own_complaint[user.pk] = make_published(author=user, company=self.company)
        return self.own_complaint[user.pk]


def attempt_file(world, client, user, **extra):
    return client.post(reverse("complaints:new"), complaint_post(world.company), **extra)


def attempt_submit(world, client, user, **extra):
    draft = make_draft(author=user, company=world.company)
    return client.post(reverse("complaints:submit", args=[draft.pk]), **extra)


def attempt_message(world, client, user, **extra):
    complaint = world.own(user)
    data = {"body": "Any news?", "submission_token": str(uuid.uuid4())}
    return client.post(reverse("complaints:message", args=[complaint.pk]), data, **extra)


def attempt_comment(world, client, user, **extra):
    data = {"body": "Same here.", "submission_token": str(uuid.uuid4())}
    return client.post(reverse("complaints:comment", args=[world.others_complaint.pk]), data, **extra)


def attempt_me_too(world, client, user, **extra):
    complaint = make_published(company=world.company)  # a new one each time: the button toggles
    return client.post(reverse("complaints:me_too", args=[complaint.pk]), **extra)


def attempt_represent(world, client, user, **extra):
    company = CompanyFactory()  # one open request per company
    data = {"work_email": "", "job_title": "Support lead", "evidence": "I answer the support line."}
    return client.post(reverse("companies:represent", args=[company.slug]), data, **extra)


def attempt_flag(world, client, user, **extra):
    complaint = make_published(company=world.company)  # one report per item and member
    data = {"reason": "spam", "text": ""}
    return client.post(reverse("complaints:flag", args=["complaint", complaint.pk]), data, **extra)


@dataclass
class Action:
    attempt: Callable
    count: Callable
    done: tuple  # status codes of an accepted attempt


ACTION_TESTS = {
    "file_complaint": Action(attempt_file, lambda: Complaint.objects.count(), (302,)),
    "submit_complaint": Action(
        attempt_submit, lambda: Complaint.objects.exclude(status=Complaint.Status.DRAFT).count(), (302,)
    ),
    "post_message": Action(attempt_message, lambda: Message.objects.count(), (302,)),
    "comment": Action(attempt_comment, lambda: Comment.objects.count(), (302,)),
    "me_too": Action(attempt_me_too, lambda: MeToo.objects.count(), (302,)),
    "represent": Action(attempt_represent, lambda: RepresentationClaim.objects.count(), (302,)),
    "flag": Action(attempt_flag, lambda: Flag.objects.count(), (302,)),
}


@pytest.fixture
def world(company):
    return World(company=company, others_complaint=make_published(company=company), own_complaint={})


def assert_friendly_429(response, *, within):
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= within
    content = response.content.decode()
    assert "Please slow down a little" in content
    assert re.search(r"Please try again in about \d+ (minute|hour)", content)
    assert "429.html" in [t.name for t in response.templates]


# ---- Limits -----------------------------------------------------------------

def test_every_action_has_a_limit_per_member_and_per_address(settings):
    from allauth.core.internal.ratelimit import get_rates

    for action in ACTIONS:
        rates = get_rates(app="allauth.account", action=action)
        assert {rate.per for rate in rates} == {"user", "ip"}, action
        user, ip = (next(r for r in rates if r.per == per) for per in ("user", "ip"))
        assert ip.amount > user.amount, f"{action}: people behind one address need room"
    # allauth's own limits are still there beside ours.
    assert get_rates(app="allauth.account", action="login")


@pytest.mark.parametrize("action", ACTIONS)
def test_over_the_limit_gives_429_and_creates_nothing_per_member_and_per_address(world, settings, action):
    small_limits(settings, "2/h/user,3/h/ip")
    spec = ACTION_TESTS[action]
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    first_client, second_client, third_client = client_for(first), client_for(second), client_for(third)

    # The member's own limit: two, then no more.
    start = spec.count()
    for _ in range(2):
        assert spec.attempt(world, first_client, first, REMOTE_ADDR=HOME).status_code in spec.done
    before = spec.count()
    assert before == start + 2
    response = spec.attempt(world, first_client, first, REMOTE_ADDR=HOME)
    assert_friendly_429(response, within=3600)
    assert int(response["Retry-After"]) > 3500
    assert spec.count() == before

    # Another member is not held by the first one's limit...
    assert spec.attempt(world, second_client, second, REMOTE_ADDR=HOME).status_code in spec.done
    # ...but shares the address: its limit (3) is now used up, by two members.
    before = spec.count()
    assert_friendly_429(spec.attempt(world, second_client, second, REMOTE_ADDR=HOME), within=3600)
    assert spec.count() == before

    # A member elsewhere is not affected at all.
    assert spec.attempt(world, third_client, third, REMOTE_ADDR=ELSEWHERE).status_code in spec.done
    assert spec.count() == start + 4


def test_a_refused_attempt_does_not_count(world, settings):
    """Refused by one limit, an attempt uses nothing of the other."""
    small_limits(settings, "2/h/user,2/h/ip")
    first, second = UserFactory(), UserFactory()
    first_client, second_client = client_for(first), client_for(second)
    # Refused by the member's limit: the address's limit is not touched.
    for _ in range(2):
        attempt_comment(world, first_client, first, REMOTE_ADDR=ELSEWHERE)
    for _ in range(5):
        assert attempt_comment(world, first_client, first, REMOTE_ADDR=HOME).status_code == 429
    # Refused by the address's limit: the member's limit is not touched.
    for _ in range(2):
        attempt_comment(world, second_client, second, REMOTE_ADDR=HOME)
    for _ in range(5):
        assert attempt_comment(world, first_client, first, REMOTE_ADDR=HOME).status_code == 429
    third = UserFactory()
    third_client = client_for(third)
    for _ in range(2):
        assert attempt_comment(world, third_client, third, REMOTE_ADDR=HOME).status_code == 429
    assert attempt_comment(world, third_client, third, REMOTE_ADDR="192.0.2.50").status_code == 302
    assert attempt_comment(world, third_client, third, REMOTE_ADDR="192.0.2.50").status_code == 302
    assert Comment.objects.count() == 6


def test_gets_are_never_limited(world, settings, member):
    small_limits(settings, "1/h/user,1/h/ip")
    client = client_for(member)
    attempt_file(world, client, member)
    assert attempt_file(world, client, member).status_code == 429
    for _ in range(5):
        assert client.get(reverse("complaints:new")).status_code == 200
        assert client.get(world.others_complaint.get_absolute_url()).status_code == 200


def test_a_complaint_form_with_mistakes_costs_nothing(world, settings, member):
    small_limits(settings, "1/h/user,1/h/ip")
    client = client_for(member)
    for _ in range(3):
        response = client.post(reverse("complaints:new"), {**complaint_post(world.company), "title": ""})
        assert response.status_code == 200
    assert attempt_file(world, client, member).status_code == 302


def test_the_wait_is_told_in_hours_for_a_daily_limit(world, settings, member):
    small_limits(settings, "1/d/user,5/d/ip")
    client = client_for(member)
    attempt_represent(world, client, member)
    response = attempt_represent(world, client, member)
    assert_friendly_429(response, within=86400)
    assert int(response["Retry-After"]) > 86000
    assert "Please try again in about 24 hours" in response.content.decode()


# ---- The client address ------------------------------------------------------

def test_a_forged_x_forwarded_for_does_not_reset_the_limit_without_trusted_proxies(world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    small_limits(settings, "100/h/user,3/h/ip")
    statuses = []
    for n in range(5):
        member = UserFactory()
        response = attempt_comment(world, client_for(member), member, REMOTE_ADDR=HOME,
                                   HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert Comment.objects.count() == 3


def test_with_one_trusted_proxy_the_last_hop_is_the_address(world, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    small_limits(settings, "100/h/user,3/h/ip")
    proxy = "10.0.0.2"
    statuses = []
    for n in range(5):
        member = UserFactory()
        # The client forges a first entry; our proxy appends the address it really saw.
        response = attempt_comment(world, client_for(member), member, REMOTE_ADDR=proxy,
                                   HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HOME}")
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    # Someone else behind the same proxy is another address.
    member = UserFactory()
    response = attempt_comment(world, client_for(member), member, REMOTE_ADDR=proxy,
                               HTTP_X_FORWARDED_FOR=f"{HOME}, {ELSEWHERE}")
    assert response.status_code == 302


# ---- Where the counters live -------------------------------------------------

def test_counters_live_in_the_cache(world, settings, member):
    small_limits(settings, "1/h/user,5/h/ip")
    client = client_for(member)
    attempt_comment(world, client, member)
    assert attempt_comment(world, client, member).status_code == 429
    assert any(":comment:" in key for key in cache._cache), "no counter in the cache"
    cache.clear()
    assert attempt_comment(world, client, member).status_code == 302


@pytest.fixture
def redis_cache(settings):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: CI must run a Redis server ({error})")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error})")
    prefix = f"test-abuse-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix,
    }}
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_counts_are_shared_by_worker_processes_through_redis(world, settings, member, redis_cache):
    small_limits(settings, "2/h/user,10/h/ip")
    client = client_for(member)

    worker_one = caches["default"]
    assert isinstance(worker_one, RedisCache)
    for _ in range(2):
        assert attempt_comment(world, client, member).status_code == 302

    # A second worker: its own cache object and its own connection pool to Redis.
    del caches["default"]
    worker_two = caches["default"]
    assert worker_two is not worker_one
    assert worker_two._cache is not worker_one._cache
    assert attempt_comment(world, client, member).status_code == 429

    # And a third client, made by hand, reads the same two uses.
    independent = RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache})
    counters = [key for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_cache}:*:comment:*user*")]
    assert len(counters) == 1
    key = counters[0].decode().split(":", 2)[2]  # without Django's "prefix:version:"
    assert len(independent.get(key)) == 2
    assert Comment.objects.count() == 2


# ---- The 429 page --------------------------------------------------------------

def test_the_429_page_follows_the_interface_language(world, settings, member):
    small_limits(settings, "1/h/user,5/h/ip")
    client = client_for(member)
    attempt_comment(world, client, member)
    response = attempt_comment(world, client, member, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 429
    assert 'lang="de"' in response.content.decode()


# ---- Accounts: wrong passwords and the admin --------------------------------------

def test_repeated_wrong_passwords_get_429_with_the_message_in_the_form(client, member):
    statuses = []
    for _ in range(40):
        response = client.post(reverse("account_login"), {"login": member.email, "password": "wrong"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429, "no 429 after 40 wrong passwords"
    assert set(statuses[:-1]) == {200}
    assert "Too many failed login attempts" in response.content.decode()
    assert response.context["form"].has_error("__all__", "too_many_login_attempts")
    assert 0 < int(response["Retry-After"]) <= 300
    # Even the right password is refused now, with the same answer.
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_meets_the_same_limit(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(40):
        response = client.post(reverse("account_login"), {"login": staff.email, "password": "wrong"})
        if response.status_code == 429:
            break
    # The admin's own form checks no password: it sends people to the limited login.
    response = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    response = client.post(response.redirect_chain[-1][0], {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_a_password_posted_to_the_admin_login_is_not_checked(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(reverse("admin:login"), {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_the_admin_is_for_staff_only(client, member):
    client.force_login(member)
    assert client.get(reverse("admin:login")).status_code == 403
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


# ---- Honeypot and minimum fill time ------------------------------------------------

def aged_stamp(form_class, seconds, monkeypatch) -> str:
    """The signed time a form shown ``seconds`` ago carries."""
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - seconds))
        return form_class()._new_stamp()


def rendered_stamp(response) -> str:
    match = re.search(r'name="form_started" value="([^"]+)"', response.content.decode())
    assert match, "no signed time in the form"
    return match.group(1)


@pytest.fixture
def slow_forms(settings):
    settings.FORM_MIN_FILL_SECONDS = 3


def test_forms_carry_a_hidden_honeypot_and_a_signed_time(member_client, company):
    complaint = make_published(company=company)
    for url in (reverse("complaints:new"), complaint.get_absolute_url()):
        content = member_client.get(url).content.decode()
        assert 'type="hidden" name="form_started"' in content
        field = re.search(r'<div class="visually-hidden">\s*<label for="id_(?:comment_)?extra_note">Leave this empty</label>'
                          r'\s*(<input[^>]+>)', content)
        assert field, url
        assert 'tabindex="-1"' in field.group(1)
        assert 'autocomplete="off"' in field.group(1)


def test_a_complaint_form_sent_at_once_is_refused_and_can_be_sent_after_a_moment(
    slow_forms, member_client, company, monkeypatch
):
    stamp = rendered_stamp(member_client.get(reverse("complaints:new")))
    response = member_client.post(reverse("complaints:new"), {**complaint_post(company), "form_started": stamp})
    assert response.status_code == 200
    assert "Please take a moment to check the form and send it again." in response.content.decode()
    assert Complaint.objects.count() == 0

    data = {**complaint_post(company), "form_started": aged_stamp(ComplaintForm, 10, monkeypatch)}
    assert member_client.post(reverse("complaints:new"), data).status_code == 302
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("case", ["honeypot", "tampered", "missing", "another form's", "too soon"])
def test_a_bot_filled_complaint_form_creates_nothing(slow_forms, member_client, company, monkeypatch, case):
    stamp = aged_stamp(ComplaintForm, 10, monkeypatch)
    data = {**complaint_post(company), "form_started": stamp}
    if case == "honeypot":
        data["extra_note"] = "Buy cheap watches"
    elif case == "tampered":
        value, timestamp, signature = stamp.split(":")
        data["form_started"] = f"{value}:{signing.b62_encode(signing.b62_decode(timestamp) - 60)}:{signature}"
    elif case == "missing":
        del data["form_started"]
    elif case == "another form's":
        data["form_started"] = aged_stamp(CommentForm, 10, monkeypatch)
    elif case == "too soon":
        data["form_started"] = aged_stamp(ComplaintForm, 1, monkeypatch)

    response = member_client.post(reverse("complaints:new"), data)

    assert response.status_code == 200
    assert "Please take a moment to check the form and send it again." in response.content.decode()
    assert Complaint.objects.count() == 0
    # The form shown again can be sent by a person: its time is a good one.
    assert ComplaintForm()._stamp_problem(rendered_stamp(response)) in ("fast", None)


def test_a_stamp_sent_again_with_another_form_is_refused_and_saves_nothing(slow_forms, member_client, company,
                                                                         monkeypatch):
    stamp = aged_stamp(ComplaintForm, 10, monkeypatch)
    first = {**complaint_post(company), "form_started": stamp, "submission_token": str(uuid.uuid4())}
    assert member_client.post(reverse("complaints:new"), first).status_code == 302

    replay = {**first, "title": "Another one", "submission_token": str(uuid.uuid4())}
    response = member_client.post(reverse("complaints:new"), replay)

    assert response.status_code == 200
    assert "Please take a moment to check the form and send it again." in response.content.decode()
    assert response.context["form"].has_error("__all__", "automated")
    assert Complaint.objects.count() == 1
    # The form shown again carries a new stamp that a person can send.
    assert rendered_stamp(response) != stamp


def test_a_double_click_is_not_a_replay(slow_forms, member_client, company, monkeypatch):
    data = {**complaint_post(company), "form_started": aged_stamp(ComplaintForm, 10, monkeypatch),
            "submission_token": str(uuid.uuid4())}
    assert member_client.post(reverse("complaints:new"), data).status_code == 302
    assert member_client.post(reverse("complaints:new"), data).status_code == 302
    assert Complaint.objects.count() == 1


def test_a_stamp_is_not_used_up_by_a_form_with_mistakes(slow_forms, member_client, company, monkeypatch):
    data = {**complaint_post(company), "form_started": aged_stamp(ComplaintForm, 10, monkeypatch)}
    response = member_client.post(reverse("complaints:new"), {**data, "title": ""})
    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    assert member_client.post(reverse("complaints:new"), data).status_code == 302
    assert Complaint.objects.count() == 1


def test_a_stamp_older_than_a_day_is_refused(slow_forms, monkeypatch):
    from core.abuse import STAMP_MAX_AGE

    assert ComplaintForm()._stamp_problem(aged_stamp(ComplaintForm, STAMP_MAX_AGE + 10, monkeypatch)) == "expired"


def test_each_rendering_and_restamp_gets_its_own_stamp(member_client, company):
    from core.abuse import restamped

    first = rendered_stamp(member_client.get(reverse("complaints:new")))
    second = rendered_stamp(member_client.get(reverse("complaints:new")))
    assert first != second
    copies = {restamped(first) for _ in range(3)}
    assert len(copies) == 3 and first not in copies
    assert restamped("not-ours") == "not-ours"


def test_without_a_minimum_a_missing_time_passes_but_a_tampered_one_does_not(member_client, company, settings):
    assert settings.FORM_MIN_FILL_SECONDS == 0
    assert member_client.post(reverse("complaints:new"), complaint_post(company)).status_code == 302
    response = member_client.post(reverse("complaints:new"), {**complaint_post(company), "form_started": "x:y:z"})
    assert response.status_code == 200
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("case", ["at once", "honeypot", "tampered", "missing"])
def test_a_bot_filled_comment_creates_nothing(slow_forms, member_client, company, monkeypatch, case):
    complaint = make_published(company=company)
    stamp = rendered_stamp(member_client.get(complaint.get_absolute_url()))
    data = {"body": "Great deals at example.com", "submission_token": str(uuid.uuid4()), "form_started": stamp}
    if case == "honeypot":
        data["form_started"] = aged_stamp(CommentForm, 10, monkeypatch)
        data["extra_note"] = "x"
    elif case == "tampered":
        data["form_started"] = stamp[:-2] + ("AA" if not stamp.endswith("AA") else "BB")
    elif case == "missing":
        del data["form_started"]

    response = member_client.post(reverse("complaints:comment", args=[complaint.pk]), data)

    assert response.status_code == 200
    assert "Please take a moment to check the form and send it again." in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_comment_sent_after_a_moment_is_posted(slow_forms, member_client, company, monkeypatch):
    complaint = make_published(company=company)
    data = {"body": "Same here.", "submission_token": str(uuid.uuid4()),
            "form_started": aged_stamp(CommentForm, 5, monkeypatch)}
    assert member_client.post(reverse("complaints:comment", args=[complaint.pk]), data).status_code == 302
    assert Comment.objects.count() == 1


# ---- Double submissions ------------------------------------------------------------

def test_a_double_posted_message_creates_one(member_client, member, company):
    complaint = make_published(author=member, company=company)
    data = {"body": "Any news?", "submission_token": str(uuid.uuid4())}
    for _ in range(2):
        assert member_client.post(reverse("complaints:message", args=[complaint.pk]), data).status_code == 302
    assert Message.objects.filter(complaint=complaint, body="Any news?").count() == 1


def test_a_double_posted_comment_creates_one(member_client, company):
    complaint = make_published(company=company)
    data = {"body": "Same here.", "submission_token": str(uuid.uuid4())}
    for _ in range(2):
        assert member_client.post(reverse("complaints:comment", args=[complaint.pk]), data).status_code == 302
    assert Comment.objects.filter(complaint=complaint).count() == 1
