"""Public pages kept for up to a minute: for visitors, and for members where nothing on the page is their own."""

import pytest
from django.urls import reverse

from complaints.models import Complaint
from complaints.tests.factories import make_published
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    settings.VISITOR_CACHE_SECONDS = 60


def public_pages(complaint):
    return [
        reverse("home"), reverse("companies:list"), complaint.company.get_absolute_url(),
        reverse("complaints:list"), reverse("complaints:list") + "?q=router&sort=newest",
        complaint.get_absolute_url(),
    ]


def test_a_visitor_gets_the_kept_page_without_touching_the_database(client, cache_on, django_assert_num_queries):
    complaint = make_published(title="Router broken")
    for url in public_pages(complaint):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"]
        assert "csrfmiddlewaretoken" not in first.content.decode(), url  # nothing personal in a kept page


def test_a_visitor_sees_a_change_only_after_the_page_expires(client, cache_on, settings):
    complaint = make_published(title="Router broken")
    url = complaint.get_absolute_url()
    client.get(url)
    Complaint.objects.filter(pk=complaint.pk).update(story="Changed story")
    assert "Changed story" not in client.get(url).content.decode()
    settings.VISITOR_CACHE_SECONDS = 0
    assert "Changed story" in client.get(url).content.decode()


def test_the_author_and_members_always_get_a_fresh_page(client, cache_on, member):
    complaint = make_published(title="Router broken", author=member)
    url = complaint.get_absolute_url()
    client.get(url)  # kept for visitors
    Complaint.objects.filter(pk=complaint.pk).update(story="Changed story")
    client.force_login(member)
    assert "Changed story" in client.get(url).content.decode()
    assert "Changed story" in client.get(reverse("complaints:list")).content.decode()


def test_pages_are_kept_per_language_and_per_address(client, cache_on):
    make_published(title="Router broken")
    english = client.get(reverse("complaints:list")).content.decode()
    german = LanguageClient(client, "de").get(reverse("complaints:list")).content.decode()
    assert english != german and 'lang="de"' in german
    assert client.get(reverse("complaints:list") + "?q=nothing").context["results"].count == 0


def test_a_visitor_with_a_waiting_note_gets_a_fresh_page(client, cache_on, member):
    client.get(reverse("home"))
    client.force_login(member)
    client.post(reverse("account_logout"))  # leaves "You have signed out."
    response = client.get(reverse("home"))
    assert "signed out" in response.content.decode()


def test_the_cache_can_be_turned_off(client, settings, django_assert_max_num_queries):
    settings.VISITOR_CACHE_SECONDS = 0
    client.get(reverse("complaints:list"))
    with django_assert_max_num_queries(10) as queries:
        client.get(reverse("complaints:list"))
    assert len(queries) > 0


# The language switch: a GET form, so that pages hold no CSRF token.

def test_choosing_a_language_sets_the_cookie_and_returns_to_the_page(client):
    response = client.get(reverse("choose_language"), {"language": "sv", "next": "/complaints/?q=a"})
    assert response.status_code == 302 and response["Location"] == "/sv/complaints/?q=a"  # the page, in Swedish
    assert response.cookies["django_language"].value == "sv"
    assert 'lang="sv"' in client.get(reverse("home"), follow=True).content.decode()


@pytest.mark.parametrize("destination", ["https://evil.example/", "//evil.example", "javascript:alert(1)", ""])
def test_choosing_a_language_never_leaves_the_site(client, destination):
    response = client.get(reverse("choose_language"), {"language": "de", "next": destination})
    assert response["Location"] == "/de/"  # the home page, in German


@pytest.mark.parametrize("code", ["xx", "", "<script>", "de' OR 1=1"])
def test_an_unknown_language_changes_nothing(client, code):
    response = client.get(reverse("choose_language"), {"language": code, "next": "/"})
    assert response.status_code == 302 and "django_language" not in response.cookies


def test_the_language_form_is_a_get_form_without_a_token(client):
    body = client.get(reverse("home")).content.decode()
    form = body[body.index('class="language-form"') - 80:]
    form = form[:form.index("</form>")]
    assert 'method="get"' in form and "csrfmiddlewaretoken" not in form


# Complaint cards are kept for everyone, under a key made of what they show.

def test_a_kept_card_changes_as_soon_as_its_complaint_does(client, member):
    from django.core.cache import cache

    complaint = make_published(title="Router broken")
    client.force_login(member)
    assert "Router broken" in client.get(reverse("complaints:list")).content.decode()
    assert any(key.startswith(":1:card:") for key in cache._cache)  # the card was kept
    Complaint.objects.filter(pk=complaint.pk).update(title="Modem broken", status=Complaint.Status.RESOLVED)
    body = client.get(reverse("complaints:list")).content.decode()
    assert "Modem broken" in body and "Router broken" not in body
    assert "status-resolved" in body


def test_kept_cards_are_per_language(client):
    make_published(title="Router broken")
    english = client.get(reverse("complaints:list")).content.decode()
    swedish = LanguageClient(client, "sv").get(reverse("complaints:list")).content.decode()
    assert "Published" in english and "Publicerat" in swedish and "Publicerat" not in english


# Members: the same kept page, with their own sign-out token put back in.

def _token(body: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_members_share_a_kept_page_each_with_a_working_token_of_their_own(cache_on, member, other_member):
    from django.test import Client

    make_published(title="Router broken")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(member)
    second.force_login(other_member)
    first.get(reverse("complaints:list"))  # kept
    Complaint.objects.update(title="Changed title")
    body = second.get(reverse("complaints:list")).content.decode()
    assert "Router broken" in body  # the kept page, up to a minute old
    token = _token(body)
    response = second.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the token put back in is this member's and works
    assert "_auth_user_id" not in second.session


def test_a_member_who_changed_something_sees_fresh_pages(client, cache_on, member, other_member):
    complaint = make_published(title="Router broken", author=other_member)
    client.force_login(member)
    client.get(reverse("complaints:list"))  # kept
    Complaint.objects.filter(pk=complaint.pk).update(title="Modem broken")
    assert "Router broken" in client.get(reverse("complaints:list")).content.decode()
    client.post(reverse("complaints:follow", args=[complaint.pk]))  # any change of theirs
    assert "Modem broken" in client.get(reverse("complaints:list")).content.decode()


def test_a_company_always_sees_its_own_page_fresh(client, cache_on, member, company):
    from companies.models import Representative

    make_published(title="Router broken", company=company)
    client.force_login(member)
    client.get(company.get_absolute_url())  # kept for members
    Complaint.objects.update(title="Modem broken")
    assert "Router broken" in client.get(company.get_absolute_url()).content.decode()
    Representative.objects.create(company=company, user=member)
    assert "Modem broken" in client.get(company.get_absolute_url()).content.decode()


def test_a_private_complaint_page_is_never_kept_for_members(client, cache_on, member, other_member):
    complaint = make_published(title="Router broken", author=member, account_number="ACC-SECRET-1")
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.CLOSED)
    client.force_login(member)
    assert "ACC-SECRET-1" in client.get(complaint.get_absolute_url()).content.decode()
    client.force_login(other_member)
    assert "ACC-SECRET-1" not in client.get(complaint.get_absolute_url()).content.decode()


def _value(body: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" value="([^"]+)"', body).group(1)


def _signed_in(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_members_with_no_role_share_the_complaint_page_each_with_forms_of_their_own(
    cache_on, settings, member, other_member, django_assert_max_num_queries, monkeypatch
):
    import time

    from django.core import signing

    from complaints.forms import CommentForm
    from complaints.tests.factories import UserFactory

    complaint = make_published(title="Router broken")
    url = complaint.get_absolute_url()
    first, second = _signed_in(member), _signed_in(other_member)
    with monkeypatch.context() as patch:  # kept a minute ago
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(time.time()) - 60))
        first_body = first.get(url).content.decode()
    Complaint.objects.filter(pk=complaint.pk).update(story="Changed story")
    with django_assert_max_num_queries(4):  # session, member, complaint, the bell's count (then kept): nothing rendered
        second_body = second.get(url).content.decode()
    assert "Changed story" not in second_body  # the kept page, up to a minute old

    for name in ("csrfmiddlewaretoken", "submission_token", "form_started"):
        assert _value(first_body, name) != _value(second_body, name), name
    # The minimum fill time counts from when this member got the page, not from when it was kept.
    settings.FORM_MIN_FILL_SECONDS = 3
    assert CommentForm()._stamp_problem(_value(first_body, "form_started")) is None
    assert CommentForm()._stamp_problem(_value(second_body, "form_started")) == "fast"

    settings.FORM_MIN_FILL_SECONDS = 0

    response = second.post(reverse("complaints:comment", args=[complaint.pk]), {
        "csrfmiddlewaretoken": _value(second_body, "csrfmiddlewaretoken"),
        "submission_token": _value(second_body, "submission_token"),
        "form_started": _value(second_body, "form_started"),
        "body": "Same here, twice a month.",
    })
    assert response.status_code == 302
    assert complaint.comments.get().author == other_member
    # A third member is served the same copy, with yet another form token.
    third_body = _signed_in(UserFactory()).get(url).content.decode()
    assert "Changed story" not in third_body
    assert _value(third_body, "submission_token") not in (_value(first_body, "submission_token"),
                                                          _value(second_body, "submission_token"))


def test_each_member_sees_their_own_me_too_and_follow_on_a_kept_complaint_page(cache_on, member, other_member):
    from complaints.models import Follow, MeToo

    complaint = make_published(title="Router broken")
    url = complaint.get_absolute_url()
    MeToo.objects.create(complaint=complaint, user=member)
    Follow.objects.create(complaint=complaint, user=member)
    for _ in range(2):  # the second round is served from the kept copies
        mine = _signed_in(member).get(url).content.decode()
        theirs = _signed_in(other_member).get(url).content.decode()
        assert "Take back “me too”" in mine and "Unfollow" in mine
        assert "Take back “me too”" not in theirs and "Unfollow" not in theirs
        assert ">Me too<" in theirs and ">Follow<" in theirs


@pytest.mark.parametrize("role", ["author", "representative", "moderator", "commenter"])
def test_a_complaints_own_people_always_get_its_page_fresh(cache_on, member, other_member, moderator, role):
    from companies.models import Representative
    from complaints.models import Comment

    complaint = make_published(title="Router broken", author=member)
    url = complaint.get_absolute_url()
    _signed_in(other_member).get(url)  # kept for members with no role
    person = {"author": member, "moderator": moderator}.get(role, other_member)
    if role == "representative":
        Representative.objects.create(company=complaint.company, user=other_member)
    if role == "commenter":
        Comment.objects.create(complaint=complaint, author=other_member, body="Same here.")
    Complaint.objects.filter(pk=complaint.pk).update(story="Changed story")
    assert "Changed story" in _signed_in(person).get(url).content.decode()


def test_a_page_with_forms_of_its_own_is_not_kept_for_members(rf, cache_on, member):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from core.visitor_cache import cache_for_visitors

    calls = []

    @cache_for_visitors
    def two_forms(request):
        calls.append(1)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">' * 2)

    for _ in range(2):
        request = rf.get("/forms/")
        request.user, request.session = member, {}
        two_forms(request)
    assert len(calls) == 2  # rendered both times: nothing kept
