"""Every change to a company's API tokens and webhook endpoints: who may, what is checked."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, WebhookEndpoint, token_digest
from api.webhooks import UnsafeAddress, resolve_public
from complaints.access import represents

MAX_TOKENS = 20  # usable tokens per company
MAX_ENDPOINTS = 5
TOKEN_LIFETIMES = (30, 90, 365)  # days


class ApiSetupError(ValueError):
    """A refused change; the message is for the person."""


def _ensure_represents(user, company) -> None:
    if not represents(user, company.pk):
        raise ApiSetupError(_("Only the company's representatives can do this."))


def token_create(*, company, user, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token and its key, which is shown once and never stored."""
    if scope not in ApiToken.Scope.values:
        raise ApiSetupError(_("Choose what the token may do."))
    if days not in TOKEN_LIFETIMES:
        raise ApiSetupError(_("Choose how long the token is valid."))
    with transaction.atomic():
        _ensure_represents(user, company)
        if ApiToken.objects.usable().filter(company=company).count() >= MAX_TOKENS:
            raise ApiSetupError(_("This company has %(n)s tokens in use; revoke one first.") % {"n": MAX_TOKENS})
        key = ApiToken.new_key()
        token = ApiToken.objects.create(
            company=company, user=user, name=name.strip(), scope=scope, prefix=key[:10], digest=token_digest(key),
            expires_at=timezone.now() + timedelta(days=days),
        )
    return token, key


def token_revoke(*, token: ApiToken, user) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        _ensure_represents(user, token.company)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The usable token with this key whose owner still represents its company; else None."""
    if not key.startswith("cpt_") or len(key) > 100:
        return None
    token = ApiToken.objects.usable().select_related("company", "user").filter(digest=token_digest(key)).first()
    if token is None or not token.user.is_active or not represents(token.user, token.company_id):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # to the minute is enough
    return token


def endpoint_add(*, company, user, url: str) -> WebhookEndpoint:
    url = url.strip()
    try:
        resolve_public(url)
    except UnsafeAddress as refused:
        raise ApiSetupError(str(refused)) from None
    with transaction.atomic():
        _ensure_represents(user, company)
        endpoints = WebhookEndpoint.objects.filter(company=company)
        if endpoints.count() >= MAX_ENDPOINTS:
            raise ApiSetupError(_("A company can have %(n)s endpoints; remove one first.") % {"n": MAX_ENDPOINTS})
        if endpoints.filter(url=url).exists():
            raise ApiSetupError(_("This address is already registered."))
        return WebhookEndpoint.objects.create(company=company, url=url, secret=WebhookEndpoint.new_secret(),
                                              created_by=user)


def endpoint_remove(*, endpoint: WebhookEndpoint, user) -> None:
    with transaction.atomic():
        _ensure_represents(user, endpoint.company)
        endpoint.delete()


def endpoint_enable(*, endpoint: WebhookEndpoint, user) -> WebhookEndpoint:
    """Turn a disabled endpoint back on, its address checked again."""
    try:
        resolve_public(endpoint.url)
    except UnsafeAddress as refused:
        raise ApiSetupError(str(refused)) from None
    with transaction.atomic():
        _ensure_represents(user, endpoint.company)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        endpoint.is_active, endpoint.failures_in_row = True, 0
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.save()
    return endpoint
