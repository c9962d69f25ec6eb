"""The company API's tokens, the companies' webhook endpoints and their deliveries, and the
nightly open-data files."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company

TOKEN_PREFIX = "cpt_"


def token_digest(key: str) -> str:
    """What is stored of a token: its SHA-256 (a 256-bit random key needs no slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A representative's personal key for their company's API. Only its hash is kept."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        ANSWER = "answer", _("Read and answer")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    # The first characters, shown in the list so that a token can be recognised.
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_answer(self) -> bool:
        return self.scope == self.Scope.ANSWER


class WebhookEvent(models.TextChoices):
    NEW_COMPLAINT = "complaint.published", _("A new complaint is published")
    AUTHOR_REPLY = "message.author", _("The author writes")
    OFFER_ACCEPTED = "offer.accepted", _("The author accepts an offer")
    OFFER_DECLINED = "offer.declined", _("The author declines an offer")
    EVALUATED = "complaint.evaluated", _("The author evaluates the outcome")


class WebhookEndpoint(models.Model):
    """A company's HTTPS address that receives signed events."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("address"), max_length=500)
    # Signs each delivery (HMAC-SHA256); shown to the company's representatives.
    secret = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)
    failures_in_row = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.url

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + secrets.token_hex(24)


class WebhookDelivery(models.Model):
    """One event for one endpoint, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed, will be tried again")
        GIVEN_UP = "given_up", _("Given up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    # The receiver can tell a retried event from a new one by this id.
    event_id = models.UUIDField()
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_event")]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="failed"), name="webhook_delivery_due"),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class OpenDataFile(models.Model):
    """A nightly full export, kept in the default storage."""

    name = models.CharField(max_length=100)  # complaints.csv.gz, ...
    path = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    rows = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "name"]
        indexes = [models.Index(fields=["name", "-created_at"], name="open_data_newest")]

    def __str__(self):
        return self.path
