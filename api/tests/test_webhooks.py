"""Webhooks: signed, retried with backoff, disabled when they keep failing, never sent inside."""

import hashlib
import hmac
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEndpoint
from api.services import ApiSetupError, endpoint_add, endpoint_enable
from api.tests.receiver import Receiver
from api.webhooks import retry_due_deliveries
from complaints.models import Message, Notification
from complaints.services.thread import complaint_evaluate, message_post, offer_respond
from complaints.tests.factories import make_published


@pytest.fixture
def receiver(tmp_path, settings):
    running = Receiver(tmp_path)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    settings.WEBHOOK_CA_FILE = str(running.cert_file)
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    yield running
    running.stop()


@pytest.fixture
def endpoint(record, receiver):
    return endpoint_add(company=record.company, user=record.rep, url=receiver.url)


def _offer(record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_post(complaint=record.anonymous, user=record.rep, kind=Message.Kind.OFFER, body="A refund.",
                               offer={"kind": "refund", "amount": "100.00", "currency": "SEK",
                                      "description": "Refund", "expires_on": timezone.localdate() + timedelta(days=5)})
    return message.offer


@pytest.mark.parametrize("url", [
    "http://93.184.215.14/hook",  # not HTTPS
    "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook", "https://10.1.2.3/hook",
    "https://192.168.0.10/hook", "https://169.254.169.254/latest/meta-data", "https://[::ffff:127.0.0.1]/hook",
    "https://0.0.0.0/hook", "https://100.64.0.1/hook", "https://user:pass@93.184.215.14/hook",
])
def test_private_loopback_and_plain_http_addresses_are_refused(record, url):
    with pytest.raises(ApiSetupError):
        endpoint_add(company=record.company, user=record.rep, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_accepted(record):
    endpoint = endpoint_add(company=record.company, user=record.rep, url="https://93.184.215.14/hook")
    assert endpoint.secret.startswith("whsec_") and endpoint.is_active


def test_the_page_says_why_an_address_is_refused(client, record):
    client.force_login(record.rep)
    response = client.post(reverse("api:webhooks", args=["2kom"]), {"url": "https://169.254.169.254/"})
    assert response.status_code == 400
    assert "private or local network" in response.content.decode()


def test_an_accepted_offer_arrives_signed(record, endpoint, receiver, django_capture_on_commit_callbacks):
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)

    (call,) = receiver.received
    assert call["path"] == "/hooks/complaints"
    assert call["json"]["event"] == "offer.accepted" and call["json"]["offer"]["id"] == offer.pk
    assert call["json"]["complaint"]["id"] == record.anonymous.pk and call["json"]["company"] == "2kom"
    headers = call["headers"]
    parts = dict(part.split("=", 1) for part in headers["Webhook-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{parts['t']}.".encode() + call["raw"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert headers["Webhook-Event"] == "offer.accepted" and headers["Webhook-Id"] == call["json"]["id"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.response_code == 200


def test_each_event_kind(record, endpoint, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = make_published(company=record.company, title="A new one")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=fresh, user=record.rep, kind=Message.Kind.ANSWER, body="We look into it.")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=fresh, user=fresh.author, kind=Message.Kind.REPLY, body="Thanks, still broken.")
    with django_capture_on_commit_callbacks(execute=True):
        complaint_evaluate(complaint=fresh, user=fresh.author, data={
            "resolved": False, "rating": 2, "would_return": False, "comment": ""})
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=False, reason="Too little.")
    events = [call["json"]["event"] for call in receiver.received]
    assert events == ["complaint.published", "message.author", "complaint.evaluated", "offer.declined"]
    assert receiver.received[1]["json"]["message"]["body"] == "Thanks, still broken."
    assert receiver.received[3]["json"]["offer"]["reason"] == "Too little."


def test_a_failed_delivery_is_retried_with_backoff(record, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.status = 503
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and delivery.error == "HTTP 503"
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)

    assert retry_due_deliveries.call() == 0  # not due yet
    receiver.status = 200
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert retry_due_deliveries.call() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert len(receiver.received) == 2
    assert receiver.received[0]["headers"]["Webhook-Id"] == receiver.received[1]["headers"]["Webhook-Id"]


def test_a_delivery_is_given_up_after_its_last_retry(record, endpoint, receiver, settings,
                                                     django_capture_on_commit_callbacks):
    settings.WEBHOOK_RETRY_SECONDS = [60, 300]
    receiver.status = 500
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)
    for expected_wait in (300, None):
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        retry_due_deliveries.call()
        delivery = WebhookDelivery.objects.get()
        if expected_wait:
            assert delivery.status == "failed"
    assert delivery.status == "given_up" and delivery.attempts == 3 and delivery.next_attempt_at is None


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_company_told(
        record, endpoint, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_DISABLE_AFTER = 2
    receiver.status = 500
    for _ in range(2):
        offer = _offer(record, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            offer_respond(offer=offer, user=record.anonymous.author, accept=False)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "HTTP 500"
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"given_up"}
    assert Notification.objects.filter(user=record.rep, kind="webhook_disabled").exists()

    # Nothing more is sent to it...
    receiver.status = 200
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)
    assert len(receiver.received) == 2
    # ...until a representative turns it on again.
    endpoint_enable(endpoint=endpoint, user=record.rep)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failures_in_row == 0


def test_the_address_is_checked_again_at_each_delivery(record, endpoint, receiver, settings,
                                                       django_capture_on_commit_callbacks):
    # Registered while allowed; the name now leads inside (loopback), as after a DNS change.
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "private or local network" in delivery.error


def test_the_delivery_log_is_on_the_webhooks_page(client, record, endpoint, receiver,
                                                  django_capture_on_commit_callbacks):
    offer = _offer(record, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_respond(offer=offer, user=record.anonymous.author, accept=True)
    client.force_login(record.rep)
    page = client.get(reverse("api:webhooks", args=["2kom"])).content.decode()
    assert "offer.accepted" in page and "HTTP 200" in page and endpoint.secret in page
