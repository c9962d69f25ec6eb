"""Following companies as well as complaints: the button on the company page, what followers hear
of (new complaints, public answers, the score label), and "What I follow" with its stop buttons."""

import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory
from complaints.models import CompanyFollow, Follow, Message, Notification
from complaints.services.participation import company_follow_toggle, follow_toggle
from complaints.services.scorecards import _label_changed
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, make_published, make_representative
from complaints.tests.test_notifications import client_for
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db
FOLLOWING = reverse("complaints:following")


def kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def fan(company):
    user = UserFactory(email="fan@example.com")
    company_follow_toggle(company=company, user=user)
    return user


def test_the_company_page_follows_and_stops_following(company, other_member, client):
    page = reverse("complaints:company", args=[company.slug])
    visitor = client.get(page).content.decode()
    assert "Follow this company" in visitor and "/accounts/login/?next=" in visitor
    member = client_for(other_member)
    assert "Follow this company" in member.get(page).content.decode()
    response = member.post(reverse("complaints:company_follow", args=[company.slug]), follow=True)
    assert "You follow 2KOM." in response.content.decode()
    assert "Following: stop" in member.get(page).content.decode()
    assert CompanyFollow.objects.filter(company=company, user=other_member).exists()
    member.post(reverse("complaints:company_follow", args=[company.slug]))
    assert not CompanyFollow.objects.filter(company=company, user=other_member).exists()


def test_each_member_sees_their_own_button_on_the_kept_company_page(settings, company, member, other_member):
    settings.VISITOR_CACHE_SECONDS = 60
    company_follow_toggle(company=company, user=member)
    page = reverse("complaints:company", args=[company.slug])
    assert "Following: stop" in client_for(member).get(page).content.decode()
    assert "Follow this company" in client_for(other_member).get(page).content.decode()
    assert "Following: stop" in client_for(member).get(page).content.decode()


def test_only_members_follow_and_only_listed_companies(client, other_member):
    hidden = CompanyFactory(name="Proposed Firm", is_listed=False)
    assert client.post(reverse("complaints:company_follow", args=[hidden.slug])).status_code == 302  # to sign in
    assert client_for(other_member).post(reverse("complaints:company_follow", args=[hidden.slug])).status_code == 404
    assert client_for(other_member).get(reverse("complaints:company_follow", args=["2kom"])).status_code == 405
    assert not CompanyFollow.objects.exists()


def test_followers_hear_of_new_complaints_and_public_answers_once(company, member, fan, django_capture_on_commit_callbacks):
    rep = make_representative(company)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_published(author=member, company=company, title="Router broken")
    assert kinds(fan) == ["company_new_complaint"]
    assert kinds(rep) == ["new_complaint"]  # the company's own people hear it as the company
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Private", is_private=True)
        message_post(complaint=complaint, user=member, kind=Message.Kind.REPLY, body="Still broken.")
    assert kinds(fan) == ["company_new_complaint"]  # not private words, not the author's reply
    follow_toggle(complaint=complaint, user=fan)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Fixed now.")
    assert kinds(fan) == ["company_new_complaint", "followed_update"]  # told once, not twice
    page = client_for(fan).get(reverse("complaints:notifications")).content.decode()
    assert "New complaint about 2KOM: Router broken" in page


def test_followers_hear_when_the_label_changes(company, fan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _label_changed(company.pk, "", "good")
        _label_changed(company.pk, "good", "good")  # no change: nothing
        _label_changed(company.pk, "good", "")  # too few evaluations now: nothing to tell
    [notification] = Notification.objects.filter(user=fan)
    assert notification.kind == "company_label"
    client = client_for(fan)
    client = LanguageClient(client, "de")
    page = client.get(reverse("complaints:notifications")).content.decode()
    assert "2KOM ist jetzt mit „Gut“ bewertet" in page  # the label named in the reader's language


def test_what_i_follow_lists_both_and_stops_each(company, member, fan):
    complaint = make_published(author=member, company=company, title="Router broken")
    follow_toggle(complaint=complaint, user=fan)
    client = client_for(fan)
    page = client.get(FOLLOWING).content.decode()
    assert "2KOM" in page and "Router broken" in page
    client.post(reverse("complaints:unfollow_company", args=[CompanyFollow.objects.get(user=fan).pk]))
    client.post(reverse("complaints:unfollow_complaint", args=[Follow.objects.get(user=fan).pk]))
    assert not CompanyFollow.objects.filter(user=fan).exists() and not Follow.objects.filter(user=fan).exists()
    assert "No companies yet." in client.get(FOLLOWING).content.decode()


def test_nobody_stops_anothers_follows(company, fan, other_member, client):
    follow = CompanyFollow.objects.get(user=fan)
    client_for(other_member).post(reverse("complaints:unfollow_company", args=[follow.pk]))
    assert CompanyFollow.objects.filter(pk=follow.pk).exists()
    assert "2KOM" not in client_for(other_member).get(FOLLOWING).content.decode().split("<main")[1]
    assert client.get(FOLLOWING).status_code == 302


def test_followers_hear_how_the_author_evaluated(company, member, other_member, django_capture_on_commit_callbacks):
    from complaints.services.thread import complaint_evaluate

    rep = make_representative(company)
    complaint = make_published(author=member, company=company, title="Router broken")
    follow_toggle(complaint=complaint, user=other_member)
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Replaced it.")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_evaluate(complaint=complaint, user=member,
                           data={"resolved": True, "rating": 5, "would_return": True, "comment": ""})
    assert "followed_evaluated" in kinds(other_member)
    assert "followed_evaluated" not in kinds(member)  # the author is not told of their own act
    page = client_for(other_member).get(reverse("complaints:notifications")).content.decode()
    assert "Resolved, says its author: Router broken" in page
