"""The API for companies: the token permission matrix, and answers through the page's rules."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, token_digest
from api.services import ApiSetupError, token_create, token_for_key, token_revoke
from companies.models import Representative
from complaints.models import Message, Offer
from complaints.tests.factories import make_published, make_representative

API = "/api/v1"


def _token(company, user, scope="answer", days=30):
    token, key = token_create(company=company, user=user, name="Help desk", scope=scope, days=days)
    return token, {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def answering(record):
    return _token(record.company, record.rep)[1]


@pytest.fixture
def reading(record):
    return _token(record.company, record.rep, scope="read")[1]


def test_the_key_is_stored_only_as_its_hash(record):
    token, key = token_create(company=record.company, user=record.rep, name="Desk", scope="read", days=90)
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.digest, stored.prefix) and stored.digest == token_digest(key)
    assert stored.prefix == key[:10]
    assert token_for_key(key) == stored


def test_only_a_representative_creates_tokens(record, member):
    with pytest.raises(ApiSetupError):
        token_create(company=record.company, user=member, name="Mine", scope="answer", days=30)


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer cpt_" + "x" * 43, "Basic dXNlcjpwYXNz"])
def test_no_or_a_wrong_token_is_401(client, record, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get(f"{API}/company/inbox", **extra).status_code == 401


def test_a_revoked_token_is_401(client, record):
    token, auth = _token(record.company, record.rep)
    assert client.get(f"{API}/company/inbox", **auth).status_code == 200
    token_revoke(token=token, user=record.rep)
    assert client.get(f"{API}/company/inbox", **auth).status_code == 401


def test_an_expired_token_is_401(client, record):
    token, auth = _token(record.company, record.rep)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"{API}/company/inbox", **auth).status_code == 401


def test_a_token_stops_when_its_owner_no_longer_represents_the_company(client, record):
    _token_row, auth = _token(record.company, record.rep)
    Representative.objects.filter(user=record.rep).delete()
    assert client.get(f"{API}/company/inbox", **auth).status_code == 401


def test_a_read_token_may_not_write(client, record, reading):
    response = client.post(f"{API}/company/complaints/{record.anonymous.pk}/messages",
                           {"kind": "answer", "body": "Hello"}, content_type="application/json", **reading)
    assert response.status_code == 403 and "may only read" in response.json()["detail"]
    assert client.post(f"{API}/company/offers/{record.offer.pk}/delivered", **reading).status_code == 403
    assert not Message.objects.filter(complaint=record.anonymous).exists()


def test_tokens_see_only_their_own_company(client, record, other_company):
    theirs = make_published(company=other_company, title="About Deltacom")
    deltacom_rep = make_representative(other_company, email="rep@deltacom.se")
    _token_row, auth = _token(other_company, deltacom_rep)
    assert client.get(f"{API}/company/complaints/{record.answered.pk}", **auth).status_code == 404
    assert client.post(f"{API}/company/complaints/{record.answered.pk}/messages", {"kind": "answer", "body": "x"},
                       content_type="application/json", **auth).status_code == 404
    assert client.post(f"{API}/company/offers/{record.offer.pk}/delivered", **auth).status_code == 404
    inbox = client.get(f"{API}/company/inbox", **auth).json()
    assert [item["id"] for item in inbox["items"]] == [theirs.pk]


def test_the_inbox_is_the_business_inboxs(client, record, answering):
    inbox = client.get(f"{API}/company/inbox", **answering).json()
    assert {item["id"] for item in inbox["items"]} == {record.answered.pk, record.anonymous.pk, record.held.pk}
    awaiting = client.get(f"{API}/company/inbox", {"view": "awaiting"}, **answering).json()
    assert {item["id"] for item in awaiting["items"]} == {record.anonymous.pk, record.held.pk}
    assert all(item["waiting_on"] == "company" for item in awaiting["items"])
    assert client.get(f"{API}/company/inbox", {"view": "everything"}, **answering).status_code == 422


def test_a_complaint_with_its_private_fields_and_messages(client, record, answering):
    response = client.get(f"{API}/company/complaints/{record.answered.pk}", **answering)
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(f"{API}/company/inbox", **answering)["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["private"]["account_number"] == "ACC-SECRET-777" and data["private"]["phone"] == "+46 70 999 88 77"
    assert "PRIVATE-MESSAGE-TEXT" in [message["body"] for message in data["thread"]]
    anonymous = client.get(f"{API}/company/complaints/{record.anonymous.pk}", **answering)
    assert anonymous.json()["author_name"] is None  # anonymous to the company too, as on the page
    assert "Anonymous Anna" not in anonymous.content.decode()
    for hidden in (record.pending, record.hidden, record.withdrawn):
        assert client.get(f"{API}/company/complaints/{hidden.pk}", **answering).status_code == 404


def test_an_answer_goes_through_the_service(client, record, answering):
    response = client.post(f"{API}/company/complaints/{record.anonymous.pk}/messages",
                           {"kind": "apology", "body": "We are sorry, and we have fixed the bill."},
                           content_type="application/json", **answering)
    assert response.status_code == 201, response.content
    message = Message.objects.get(pk=response.json()["id"])
    assert message.author == record.rep and message.company == record.company and message.kind == "apology"
    record.anonymous.refresh_from_db()
    assert record.anonymous.status == "answered" and record.anonymous.first_answered_at is not None


def test_an_offer_with_the_forms_rules(client, record, answering):
    url = f"{API}/company/complaints/{record.anonymous.pk}/messages"
    refused = client.post(url, {"kind": "offer", "body": "A refund.", "offer_kind": "refund"},
                          content_type="application/json", **answering)
    assert refused.status_code == 422
    messages = {error["loc"][1]: error["msg"] for error in refused.json()["detail"]}
    assert messages["offer_amount"] == "Give the amount."
    assert messages["offer_currency"] == "Choose the currency."
    assert not Offer.objects.filter(complaint=record.anonymous).exists()
    made = client.post(url, {
        "kind": "offer", "body": "We refund the double charge.", "offer_kind": "refund", "offer_amount": "499.00",
        "offer_currency": "SEK", "offer_description": "Refund of the second charge",
        "offer_expires_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }, content_type="application/json", **answering)
    assert made.status_code == 201, made.content
    assert made.json()["offer"]["amount"] == "499.00"


def test_the_same_idempotency_key_posts_once(client, record, answering):
    key = str(uuid.uuid4())
    body = {"kind": "answer", "body": "We are on it.", "idempotency_key": key}
    url = f"{API}/company/complaints/{record.anonymous.pk}/messages"
    first = client.post(url, body, content_type="application/json", **answering).json()
    second = client.post(url, body, content_type="application/json", **answering).json()
    assert first["id"] == second["id"]
    assert Message.objects.filter(complaint=record.anonymous).count() == 1


def test_personal_data_in_public_is_refused_with_the_pages_message(client, record, answering):
    response = client.post(f"{API}/company/complaints/{record.anonymous.pk}/messages",
                           {"kind": "answer", "body": "Call me on +46 70 123 45 67 or mail anna@2kom.ru"},
                           content_type="application/json", **answering)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "personal_data"
    assert not Message.objects.filter(complaint=record.anonymous).exists()


def test_a_closed_thread_refuses_with_the_services_message(client, record, answering):
    from complaints.models import Complaint

    Complaint.objects.filter(pk=record.anonymous.pk).update(status=Complaint.Status.CLOSED)
    response = client.post(f"{API}/company/complaints/{record.anonymous.pk}/messages",
                           {"kind": "answer", "body": "Late."}, content_type="application/json", **answering)
    assert response.status_code == 400
    assert response.json() == {"detail": "This complaint is closed for new messages."}


def test_mark_an_offer_delivered(client, record, answering):
    response = client.post(f"{API}/company/offers/{record.offer.pk}/delivered", **answering)
    assert response.status_code == 200 and response.json()["status"] == "delivered"
    again = client.post(f"{API}/company/offers/{record.offer.pk}/delivered", **answering)
    assert again.status_code == 400
    assert again.json() == {"detail": "Only an accepted offer can be marked as delivered."}


def test_writes_are_rate_limited_per_token(client, record, answering, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "api_write": "1/m/key"}
    url = f"{API}/company/complaints/{record.anonymous.pk}/messages"
    assert client.post(url, {"kind": "answer", "body": "One."}, content_type="application/json",
                       **answering).status_code == 201
    assert client.post(url, {"kind": "answer", "body": "Two."}, content_type="application/json",
                       **answering).status_code == 429


# ---- The token page -------------------------------------------------------------------

def test_the_token_page_shows_a_new_key_once(client, record):
    client.force_login(record.rep)
    url = reverse("api:tokens", args=["2kom"])
    created = client.post(url, {"name": "Zendesk", "scope": "answer", "days": "90"})
    assert created.status_code == 302 and created["Location"] == url
    shown = client.get(url)
    assert shown["Cache-Control"].startswith("max-age=0")
    key = shown.context["new_key"]
    assert key.startswith("cpt_") and key in shown.content.decode()
    again = client.get(url)  # a reload
    assert key not in again.content.decode() and ApiToken.objects.count() == 1
    assert client.get(f"{API}/company/inbox", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_the_token_page_refuses_bad_input_next_to_the_field(client, record):
    client.force_login(record.rep)
    response = client.post(reverse("api:tokens", args=["2kom"]), {"name": "  ", "scope": "admin", "days": "9999"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "scope", "days"}
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["visitor", "member", "moderator", "other_rep"])
def test_only_the_companys_representatives_reach_its_api_pages(client, record, other_company, member, moderator, who):
    token, _auth = _token(record.company, record.rep)
    if who != "visitor":
        user = {"member": member, "moderator": moderator,
                "other_rep": make_representative(other_company, email="rep@deltacom.se")}[who]
        client.force_login(user)
    for url in (reverse("api:tokens", args=["2kom"]), reverse("api:webhooks", args=["2kom"])):
        assert client.get(url).status_code == (302 if who == "visitor" else 404)
    response = client.post(reverse("api:token_revoke", args=["2kom", token.pk]))
    assert response.status_code == (302 if who == "visitor" else 404)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_representative_revokes_a_token(client, record):
    token, auth = _token(record.company, record.rep)
    client.force_login(record.rep)
    assert client.post(reverse("api:token_revoke", args=["2kom", token.pk])).status_code == 302
    client.logout()
    assert client.get(f"{API}/company/inbox", **auth).status_code == 401
