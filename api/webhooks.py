"""Company webhooks: signed events sent to a company's HTTPS endpoints by background tasks.

Each event becomes one WebhookDelivery per active endpoint, written in the transaction that
made the change, and sent by the `deliver_webhook` task once it commits. A failed attempt is
tried again after each of settings.WEBHOOK_RETRY_SECONDS (the `retry_due_deliveries` job
queues the due ones), then given up; an endpoint that fails WEBHOOK_DISABLE_AFTER attempts
in a row is disabled and its company's representatives are told.

The address is checked when it is registered and again before every attempt: HTTPS only, and
never a private, loopback, link-local or otherwise non-public address (a name that resolves to
one is refused too). The connection goes to the address that was checked, so a name that
changes its answer between the check and the request cannot reach inside.

Delivery is at least once: a receiver tells a repeated event by its `Webhook-Id`.
Signature: header `Webhook-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
with the endpoint's secret; receivers should also refuse a `t` older than five minutes.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import WebhookDelivery, WebhookEndpoint
from complaints.services.notifications import notify_users, representative_ids
from complaints.signals import company_event
from core.i18n_urls import canonical_url

logger = logging.getLogger(__name__)

USER_AGENT = "ComplaintPortal-Webhooks/1"
MAX_RESPONSE_BYTES = 4096  # read and dropped: only the status matters


class UnsafeAddress(ValueError):
    """An endpoint address that must not be called; the message says why, for the form."""


def resolve_public(url: str) -> tuple[str, int, str]:
    """(host, port, checked IP address) for an HTTPS URL whose every address is public."""
    try:
        parts = urlsplit(url)
        port = parts.port or 443
    except ValueError:
        raise UnsafeAddress(_("Enter a valid address.")) from None
    if parts.scheme != "https":
        raise UnsafeAddress(_("The address must start with https://."))
    host = parts.hostname
    if not host or parts.username or parts.password:
        raise UnsafeAddress(_("Enter a valid address, without a user name or password."))
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeAddress(_("This address's name cannot be found.")) from None
    addresses = sorted(ipaddress.ip_address(address.split("%")[0]) for address in found)
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES and any(not _is_public(address) for address in addresses):
        raise UnsafeAddress(_("This address leads to a private or local network; use a public address."))
    return host, port, str(addresses[0])


def _is_public(address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked IP address, with the certificate verified for the host's name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    """Send one attempt; the HTTP status. Raises UnsafeAddress or OSError."""
    host, port, address = resolve_public(endpoint.url)
    parts = urlsplit(endpoint.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    context = ssl.create_default_context(cafile=settings.WEBHOOK_CA_FILE)
    connection = _PinnedHTTPSConnection(host, port, address, timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                                        context=context)
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Webhook-Id": str(delivery.event_id),
            "Webhook-Event": delivery.event,
            "Webhook-Signature": sign(endpoint.secret, int(time.time()), body),
        })
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status
    finally:
        connection.close()


# ---- Events ---------------------------------------------------------------------------

def event_payload(complaint, event: str, data: dict, event_id: uuid.UUID) -> dict:
    return {
        "id": str(event_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "company": complaint.company.slug,
        "complaint": {
            "id": complaint.pk,
            "title": complaint.title,
            "status": complaint.status,
            "url": canonical_url(complaint.get_absolute_url()),
            "api_url": settings.SITE_URL + f"/api/v1/company/complaints/{complaint.pk}",
        },
        **data,
    }


@receiver(company_event)
def queue_deliveries(sender, *, complaint, event: str, data: dict, **kwargs) -> None:
    """One delivery per active endpoint of the complaint's company, sent once the change commits."""
    endpoints = list(WebhookEndpoint.objects.filter(company_id=complaint.company_id, is_active=True))
    if not endpoints:
        return
    event_id = uuid.uuid4()
    payload = event_payload(complaint, event, data, event_id)
    made = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event=event, event_id=event_id, payload=payload) for endpoint in endpoints
    )
    ids = [delivery.pk for delivery in made]
    transaction.on_commit(lambda: [deliver_webhook.enqueue(delivery_id=pk) for pk in ids])


@task
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one delivery; the outcome is kept on the delivery (the log companies read)."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.GIVEN_UP):
            return "skipped"
        endpoint = delivery.endpoint
        if not endpoint.is_active:
            delivery.status = WebhookDelivery.Status.GIVEN_UP
            delivery.error = "endpoint disabled"
            delivery.next_attempt_at = None
            delivery.save()
            return delivery.status
        # Claimed: a second worker given the same delivery finds it attempted and not due.
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "next_attempt_at"])
    code, error = None, ""
    try:
        code = _post(endpoint, delivery)
    except UnsafeAddress as refused:
        error = str(refused)
    except (OSError, http.client.HTTPException) as failed:
        error = f"{type(failed).__name__}: {failed}"[:300]
    return _record_attempt(delivery.pk, code=code, error=error)


def _record_attempt(delivery_id: int, *, code: int | None, error: str) -> str:
    now = timezone.now()
    delivered = code is not None and 200 <= code < 300
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_code = code
        delivery.error = error if not delivered else ""
        if delivered:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            endpoint.failures_in_row = 0
        else:
            if not error:
                delivery.error = f"HTTP {code}"
            delays = settings.WEBHOOK_RETRY_SECONDS
            if delivery.attempts > len(delays):
                delivery.status = WebhookDelivery.Status.GIVEN_UP
            else:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
            endpoint.failures_in_row += 1
            if endpoint.is_active and endpoint.failures_in_row >= settings.WEBHOOK_DISABLE_AFTER:
                _disable(endpoint, reason=delivery.error)
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GIVEN_UP, None
        delivery.save()
        endpoint.save()
    logger.info("Webhook delivery %s: %s (%s)", delivery_id, delivery.status, delivery.error or code)
    return delivery.status


def _disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:300]
    company = endpoint.company
    notify_users(template="webhook_disabled", user_ids=representative_ids(company), context={
        "company": company.name, "endpoint": endpoint.url, "failures": endpoint.failures_in_row,
        "reason": endpoint.disabled_reason, "site_name": settings.SITE_NAME,
        "url": settings.SITE_URL + reverse("api:webhooks", kwargs={"slug": company.slug}),
    })
    # What was waiting for it will not be sent.
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.FAILED).update(
        status=WebhookDelivery.Status.GIVEN_UP, next_attempt_at=None)


@task
def retry_due_deliveries() -> int:
    """Queue every failed delivery whose next attempt is due (a scheduled job, every minute)."""
    with transaction.atomic():
        due = list(WebhookDelivery.objects.select_for_update(skip_locked=True)
                   .filter(status=WebhookDelivery.Status.FAILED, next_attempt_at__lte=timezone.now())
                   .values_list("pk", flat=True)[:1000])
        # Queued once: the next run of this job does not find them due again.
        WebhookDelivery.objects.filter(pk__in=due).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=None)
    for pk in due:
        deliver_webhook.enqueue(delivery_id=pk)
    return len(due)
