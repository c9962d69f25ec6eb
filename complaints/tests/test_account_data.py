"""A member's own data: the JSON download, and deleting the account (complaints stay, as "Former member")."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.models import RepresentationClaim, Representative
from companies.services import claim_submit
from companies.tests.factories import CompanyFactory
from complaints.models import Comment, Complaint, Flag, Follow, Message, MeToo, StatusChange
from complaints.services.account_data import member_delete, member_export, member_sessions
from complaints.services.participation import comment_post, follow_toggle, me_too_toggle
from complaints.services.thread import message_post
from complaints.tests.factories import PASSWORD, UserFactory, make_published

User = get_user_model()
DATA_URL = reverse("complaints:my_data")
DELETE_URL = reverse("complaints:delete_account")


# Personas (root conftest): the member, `rep` of the company they complain about,
# another member with a complaint of their own.

@pytest.fixture
def complaint(member, company, rep):
    complaint = make_published(
        author=member, company=company, display_name="Ivan Petrov", account_number="ACC-MINE-111",
        phone="+46 70 123 45 67", reachable_times="weekdays 9-12", reachable_days="01234",
    )
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Public answer from 2KOM.")
    message_post(complaint=complaint, user=rep, kind=Message.Kind.DETAILS, body="Private question from 2KOM.",
                 is_private=True)
    message_post(complaint=complaint, user=member, kind=Message.Kind.REPLY, body="My private reply.",
                 is_private=True)
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def other_complaint(other_member, company):
    return make_published(author=other_member, company=company, display_name="Olga", account_number="ACC-OTHER-999",
                          phone="+7 999 888 77 66", title="Other member's complaint")


@pytest.fixture
def taking_part(member, other_complaint):
    """The member's traces on someone else's complaint."""
    me_too_toggle(complaint=other_complaint, user=member)
    follow_toggle(complaint=other_complaint, user=member)
    comment = comment_post(complaint=other_complaint, user=member, body="Same here, a month without internet.")
    Flag.objects.create(reporter=member, complaint=other_complaint, reason=Flag.Reason.SPAM, text="Looks like an ad")
    return comment


def download(client) -> dict:
    response = client.post(DATA_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content.decode("utf-8"))


def delete(client, password=PASSWORD, withdraw=False, **kwargs):
    data = {"password": password}
    if withdraw:
        data["withdraw_complaints"] = "on"
    return client.post(DELETE_URL, data, **kwargs)


# The download.

@pytest.mark.django_db
def test_data_page_and_download_need_login(client):
    for response in (client.get(DATA_URL), client.post(DATA_URL), client.get(DELETE_URL), delete(client)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_data_page_offers_the_download_without_giving_data(member_client, complaint):
    response = member_client.get(DATA_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Download my data" in body
    assert 'method="post"' in body
    assert "ACC-MINE-111" not in body
    assert "Content-Disposition" not in response


@pytest.mark.django_db
def test_download_holds_the_members_own_data_private_parts_included(member_client, member, complaint, taking_part):
    data = download(member_client)
    assert data["account"]["email"] == "member@example.com"
    assert data["account"]["email_addresses"] == [
        {"email": "member@example.com", "primary": True, "verified": True}
    ]
    assert data["account"]["date_joined"]

    [mine] = data["complaints"]
    assert mine["id"] == complaint.pk
    assert mine["account_number"] == "ACC-MINE-111"
    assert mine["phone"] == "+46 70 123 45 67"
    assert mine["reachable_times"] == "weekdays 9-12"
    assert mine["reachable_days"] == "01234"
    assert mine["display_name"] == "Ivan Petrov"
    assert mine["story"] == complaint.story
    assert mine["company"]["name"] == "2KOM"
    bodies = {message["body"]: message for message in mine["messages"]}
    assert bodies["Private question from 2KOM."]["is_private"] is True
    assert bodies["Private question from 2KOM."]["from"] == "company"
    assert bodies["My private reply."]["from"] == "you"
    assert "Public answer from 2KOM." in bodies
    assert [row["to_status"] for row in mine["timeline"]] == ["published", "answered"]
    assert [(row["event"], row["what"]) for row in mine["timeline"]] == [
        ("published_automatically", "Published automatically."), ("answered", "The company answered.")]

    assert data["comments"][0]["body"] == "Same here, a month without internet."
    assert data["me_too"][0]["complaint"]["id"] == taking_part.complaint_id
    assert data["follows"][0]["complaint"]["id"] == taking_part.complaint_id
    assert data["flags"][0]["text"] == "Looks like an ad"


@pytest.mark.django_db
def test_download_holds_nothing_private_of_anyone_else(member_client, member, complaint, other_complaint,
                                                       taking_part):
    # The member also speaks for another company, in private, on the other member's complaint.
    deltacom = CompanyFactory(name="Deltacom", slug="deltacom", website="https://deltacom.example")
    EmailAddress.objects.create(user=member, email="ivan@deltacom.example", verified=True)
    claim_submit(user=member, company=deltacom, work_email="ivan@deltacom.example", job_title="Support",
                 evidence="")
    theirs = make_published(author=UserFactory(email="third@example.com"), company=deltacom,
                            account_number="ACC-THIRD-333", phone="+1 555 0100")
    message_post(complaint=theirs, user=member, kind=Message.Kind.ANSWER, body="Deltacom answers in private.",
                 is_private=True)

    raw = member_client.post(DATA_URL).content.decode("utf-8")
    data = json.loads(raw)
    for secret in ("ACC-OTHER-999", "+7 999 888 77 66", "other@example.com", "anna@2kom.ru",
                   "ACC-THIRD-333", "+1 555 0100", "third@example.com"):
        assert secret not in raw
    assert data["messages_for_companies"][0]["body"] == "Deltacom answers in private."
    assert data["representations"][0]["work_email"] == "ivan@deltacom.example"


@pytest.mark.django_db
def test_export_is_plain_json_values(member, complaint, taking_part):
    data = member_export(member)
    assert json.loads(json.dumps(data)) == data


# Deleting the account.

@pytest.mark.django_db
def test_delete_page_asks_for_the_password_and_the_choice(member_client, complaint):
    body = member_client.get(DELETE_URL).content.decode()
    assert 'name="password"' in body
    assert 'name="withdraw_complaints"' in body
    assert "You have 1 public complaint." in body


@pytest.mark.django_db
def test_get_never_changes_anything(member_client, member, complaint):
    for url in (DATA_URL, DELETE_URL):
        response = member_client.get(url, {"password": PASSWORD, "withdraw_complaints": "on"})
        assert response.status_code == 200
    member.refresh_from_db()
    assert member.is_active and member.email == "member@example.com"
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    assert complaint.account_number == "ACC-MINE-111"


@pytest.mark.django_db
def test_wrong_password_is_a_form_error_and_changes_nothing(member_client, member, complaint):
    response = delete(member_client, password="not-my-password", withdraw=True)
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert "Incorrect password." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and member.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=member).exists()
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    assert complaint.account_number == "ACC-MINE-111"
    assert member_client.get(DATA_URL).status_code == 200  # still signed in


@pytest.mark.django_db
def test_csrf_is_enforced(member, complaint):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert delete(client).status_code == 403
    assert client.post(DATA_URL).status_code == 403
    member.refresh_from_db()
    assert member.is_active


@pytest.mark.django_db
def test_delete_keeps_complaints_public_as_former_member_and_wipes_private_fields(
    client, member_client, member, complaint, taking_part
):
    response = delete(member_client, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account is deleted." in response.content.decode()

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    assert complaint.is_public
    for name in ("account_number", "phone", "reachable_times", "reachable_days", "display_name"):
        assert getattr(complaint, name) == ""
    assert complaint.reachable_from is None and complaint.reachable_until is None
    assert complaint.shown_author == "Former member"
    assert Message.objects.filter(complaint=complaint).count() == 3

    body = client.get(complaint.get_absolute_url()).content.decode()
    assert "Former member" in body
    assert "Ivan Petrov" not in body
    # Their comment on someone else's complaint stays, under "Former member".
    other_page = client.get(taking_part.complaint.get_absolute_url()).content.decode()
    assert "Same here, a month without internet." in other_page
    assert "Former member" in other_page
    assert Comment.objects.filter(pk=taking_part.pk).exists()


@pytest.mark.django_db
def test_delete_empties_the_account(member_client, member, complaint, taking_part, company):
    pending = RepresentationClaim.objects.create(user=member, company=CompanyFactory(), job_title="CEO",
                                                 work_email="boss@example.org", status="pending")
    delete(member_client)
    member.refresh_from_db()
    assert member.username.startswith("former-")
    assert member.email == "" and member.first_name == "" and member.last_name == ""
    assert not member.is_active
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not EmailAddress.objects.filter(email__iexact="member@example.com").exists()
    assert not MeToo.objects.filter(user=member).exists()
    assert not Follow.objects.filter(user=member).exists()
    assert not RepresentationClaim.objects.filter(pk=pending.pk).exists()
    # Flags are the moderators' record; the flag stays.
    assert Flag.objects.filter(reporter=member).exists()
    # Nobody deletes a complaint.
    assert Complaint.objects.filter(pk=complaint.pk).exists()


@pytest.mark.django_db
def test_delete_can_withdraw_the_public_complaints(client, member_client, member, complaint):
    delete(member_client, withdraw=True)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.WITHDRAWN
    assert complaint.account_number == ""
    change = StatusChange.objects.filter(complaint=complaint).last()
    assert change.to_status == Complaint.Status.WITHDRAWN
    response = client.get(complaint.get_absolute_url())
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "complaints/tombstone.html"
    assert "Private question from 2KOM." not in response.content.decode()


@pytest.mark.django_db
def test_deleted_member_cannot_sign_in(client, member_client, member, complaint):
    delete(member_client)
    response = client.post(reverse("account_login"), {"login": "member@example.com", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert not client.login(username=member.username, password=PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db",
                                    "django.contrib.sessions.backends.cached_db"])
def test_delete_ends_every_session(member, complaint, settings, engine):
    """With sessions in the database, or cached in front of it (production with Redis)."""
    from django.core.cache import cache

    settings.SESSION_ENGINE = engine
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(member)
    assert len(member_sessions(member)) == 2
    delete(browsers[0])
    assert member_sessions(member) == []
    assert not Session.objects.filter(session_key=browsers[1].session.session_key).exists()
    key = browsers[1].cookies[django_settings.SESSION_COOKIE_NAME].value
    assert cache.get("django.contrib.sessions.cached_db" + key) is None
    for browser in browsers:
        response = browser.get(DATA_URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_the_same_address_can_sign_up_again(client, member_client, member, complaint):
    delete(member_client)
    response = client.post(reverse("account_signup"), {
        "email": "member@example.com", "password1": "another-long-password-77", "password2": "another-long-password-77",
    })
    assert response.status_code == 302
    fresh = User.objects.get(email="member@example.com")
    assert fresh.pk != member.pk
    assert EmailAddress.objects.filter(user=fresh, email="member@example.com").exists()
    assert not Complaint.objects.filter(author=fresh).exists()


# The service on its own.

@pytest.mark.django_db
def test_representations_go_and_the_company_keeps_an_owner(member, company, rep, other_complaint):
    # The member is the company's first representative (its owner) in this test, `rep` the second.
    Representative.objects.filter(company=company).delete()
    Representative.objects.create(user=member, company=company, role=Representative.Role.OWNER,
                                  verified_by=Representative.Verification.MODERATOR, work_email="ivan@2kom.ru",
                                  created_at=timezone.now() - timedelta(days=1))
    Representative.objects.create(user=rep, company=company, role=Representative.Role.MEMBER,
                                  verified_by=Representative.Verification.DOMAIN)
    member_delete(user=member, withdraw_complaints=False)
    assert not Representative.objects.filter(user=member).exists()
    assert Representative.objects.get(user=rep, company=company).is_owner


@pytest.mark.django_db
def test_me_too_counts_drop(member, other_complaint, taking_part):
    assert other_complaint.me_toos.count() == 1
    member_delete(user=member, withdraw_complaints=False)
    assert other_complaint.me_toos.count() == 0


@pytest.mark.django_db
def test_an_anonymous_complaint_of_an_active_member_still_says_anonymous(other_member, company):
    complaint = make_published(author=other_member, company=company, is_anonymous=True)
    assert complaint.shown_author == "Anonymous"
