import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from complaints.tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_login_changes_the_session_key(client):
    user = UserFactory(email="someone@example.com")
    client.get(reverse("account_login"))
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session.session_key != before
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client):
    from django.contrib.sessions.models import Session

    user = UserFactory()
    client.force_login(user)
    key = client.session.session_key
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, mailoutbox):
    UserFactory(email="known@example.com")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


@pytest.mark.django_db
def test_signup_with_a_taken_address_looks_like_a_new_signup(client):
    UserFactory(email="taken@example.com")
    response = client.post(reverse("account_signup"), {
        "email": "taken@example.com", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert EmailAddress.objects.filter(email="taken@example.com").count() == 1


@pytest.mark.django_db
def test_adding_an_email_address_asks_for_the_password_again_after_a_while(client, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert not EmailAddress.objects.filter(email="new@example.com").exists()


@pytest.mark.django_db
def test_account_mail_names_the_site_not_the_host(client, mailoutbox, settings):
    settings.SITE_NAME = "Complaint Portal"
    settings.SITE_URL = "http://127.0.0.1:8201"
    client.post(reverse("account_signup"), {
        "email": "new@example.com", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1",
    }, HTTP_HOST="localhost")
    [mail] = mailoutbox
    assert "Hello from Complaint Portal!" in mail.body
    assert "localhost" not in mail.body
    assert "http://127.0.0.1:8201/accounts/confirm-email/" in mail.body
    assert mail.subject.startswith("[Complaint Portal] ")


@pytest.mark.django_db
def test_password_reset_links_start_with_the_site_url(client, mailoutbox, settings):
    settings.SITE_URL = "http://127.0.0.1:8201"
    UserFactory(email="known@example.com")
    client.post(reverse("account_reset_password"), {"email": "known@example.com"}, HTTP_HOST="localhost")
    [mail] = mailoutbox
    assert "http://127.0.0.1:8201/accounts/password/reset/key/" in mail.body
    assert "localhost" not in mail.body
