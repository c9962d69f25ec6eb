"""Telling people what happened: a notification on the site for each event and person, and
e-mail at once, in a daily digest or not at all, as each person chose for the event's topic.

Services call notify() inside their transaction; once it commits, a task (send_notification)
writes the notifications and sends the mail that is due at once, out of the request. The
daily digest is a scheduled job (send_digests). Run again after a failure (the mail server
down, the worker killed), either sends only what has not gone out yet: each notification is
marked as mailed as it goes.

Texts are written when they are read, in the reader's language (MemberPreferences: the one
they signed up in or last switched to), else in the portal's default language; never in the
complaint's or the actor's. Links are built from SITE_URL, never from a request's Host.
"""

import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from companies.models import RepresentationClaim, Representative
from companies.scoring import LABEL_CHOICES
from companies.signals import claim_decided
from complaints.models import (
    DEFAULT_DELIVERY,
    CompanyFollow,
    Delivery,
    Incident,
    MemberPreferences,
    ModerationAction,
    Notification,
    Topic,
)
from core.i18n_urls import localized_url

# Each kind of event (its templates under templates/emails/) and the topic it belongs to.
TOPIC_OF = {
    "company_message": Topic.MY_COMPLAINTS,
    "offer_delivered": Topic.MY_COMPLAINTS,
    "new_complaint": Topic.MY_COMPANIES,
    "author_message": Topic.MY_COMPANIES,
    "offer_answered": Topic.MY_COMPANIES,
    "callback_answered": Topic.MY_COMPANIES,
    "offer_confirmed": Topic.MY_COMPANIES,
    "evaluated": Topic.MY_COMPANIES,
    "reopened": Topic.MY_COMPANIES,
    "answer_reminder": Topic.MY_COMPANIES,
    "weekly_summary": Topic.MY_COMPANIES,
    "questionnaire": Topic.MY_COMPLAINTS,
    "incident_update": Topic.INCIDENTS,
    "incident_news": Topic.FOLLOWING,
    "followed_update": Topic.FOLLOWING,
    "followed_evaluated": Topic.FOLLOWING,
    "company_new_complaint": Topic.FOLLOWING,
    "company_answered": Topic.FOLLOWING,
    "company_label": Topic.FOLLOWING,
    "moderation_approved": Topic.MODERATION,
    "moderation_rejected": Topic.MODERATION,
    "moderation_hidden": Topic.MODERATION,
    "moderation_restored": Topic.MODERATION,
    "claim_decided": Topic.ACCOUNT,
    "webhook_disabled": Topic.MY_COMPANIES,
}

UNREAD_CAP = 99  # the bell shows "99+" beyond
UNREAD_SECONDS = 600
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
DIGEST = "digest"  # the unsubscribe link of a digest stops the digest, for every topic in it
UNSUBSCRIBE_SCOPES = (*Topic.values, DIGEST)


# Who chose what.

def deliveries(user_ids) -> dict[int, dict[str, str]]:
    """Each member's choice per topic, the defaults filled in."""
    chosen = dict(MemberPreferences.objects.filter(user_id__in=user_ids).values_list("user_id", "delivery"))
    return {user_id: {**DEFAULT_DELIVERY, **(chosen.get(user_id) or {})} for user_id in user_ids}


def delivery_set(user, topic: str, delivery: str) -> None:
    """Record a member's choice for one topic."""
    with transaction.atomic():
        preferences, _created = MemberPreferences.objects.select_for_update().get_or_create(
            user=user, defaults={"language": translation.get_language() or settings.LANGUAGE_CODE})
        preferences.delivery = {**preferences.delivery, topic: delivery}
        preferences.save(update_fields=["delivery"])


def _languages(user_ids) -> dict[int, str]:
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = dict(MemberPreferences.objects.filter(user_id__in=user_ids).values_list("user_id", "language"))
    return {user_id: chosen.get(user_id) if chosen.get(user_id) in codes else settings.LANGUAGE_CODE
            for user_id in user_ids}


# One-click unsubscribe (RFC 8058): a signed link names the member and the topic.

def unsubscribe_token(user_id: int, scope: str) -> str:
    return signing.dumps({"u": user_id, "t": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe(user_id: int, scope: str) -> list[str]:
    """Stop the e-mail of one topic, or the digest: those notifications stay on the site only.
    Returns the topics changed."""
    user = get_user_model().objects.get(pk=user_id)
    chosen = deliveries([user_id])[user_id]
    topics = [scope] if scope != DIGEST else [topic for topic, how in chosen.items() if how == Delivery.DIGEST]
    for topic in topics:
        delivery_set(user, topic, Delivery.SITE)
    return topics


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, topic) from a link we made, else None."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or data.get("t") not in UNSUBSCRIBE_SCOPES:
        return None
    return data["u"], data["t"]


# The bell: how many are unread, kept in the shared cache until the next change.

def _unread_key(user_id) -> str:
    return f"notifications-unread:{user_id}"


def unread_count(user) -> int:
    """Unread notifications, at most UNREAD_CAP + 1 counted."""
    if not getattr(user, "is_authenticated", False):
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at=None).order_by()[: UNREAD_CAP + 1].count()
        cache.set(key, count, UNREAD_SECONDS)
    return count


def unread_label(count: int) -> str:
    """What the bell shows: nothing, the number, or "99+"."""
    return "" if not count else f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def unread_changed(user_ids) -> None:
    """Forget the kept count and the kept notifications page of these members: something changed."""
    cache.delete_many([key for user_id in user_ids for key in (_unread_key(user_id), _version_key(user_id))])


def _version_key(user_id) -> str:
    return f"notifications-version:{user_id}"


def page_version(user) -> str:
    """A name for the current state of the member's notifications: their page is kept under it
    (core.visitor_cache.keep_for_members), so any change shows at once."""
    return cache.get_or_set(_version_key(user.pk), lambda: uuid.uuid4().hex, UNREAD_SECONDS)


def mark_read(user, pks=None) -> int:
    """Mark the member's notifications `pks` (all, when None) as read."""
    query = Notification.objects.filter(user=user, read_at=None)
    if pks is not None:
        query = query.filter(pk__in=pks)
    changed = query.update(read_at=timezone.now())
    unread_changed([user.pk])
    return changed


# Writing a notification's texts.

def may_read(notification: Notification) -> bool:
    """Whether its reader may still read what it names: a complaint taken out of public view
    since (hidden, withdrawn) is named only to its author, on the site and in the mail."""
    complaint = notification.complaint
    return complaint is None or complaint.is_public or complaint.author_id == notification.user_id


def _named_in_language(values: dict) -> dict:
    """Codes the sender passed, named in the active language: a label translated at the sender's
    side would reach every recipient in the moderator's language."""
    code = values.get("reason_code")
    if code in ModerationAction.ReasonCode.values:
        values = {**values, "reason": str(ModerationAction.ReasonCode(code).label)}
    if values.get("status_code") in Incident.Status.values:
        values = {**values, "status": str(Incident.Status(values["status_code"]).label)}
    labels = dict(LABEL_CHOICES)
    if "label_code" in values:
        values = {**values, "label": str(labels.get(values["label_code"], "")),
                  "previous": str(labels.get(values.get("previous_code"), ""))}
    return values


def in_language(values: dict, language: str) -> dict:
    """A notification's values for a reader: names in their language, links to the pages in it."""
    return {name: localized_url(value, language) if isinstance(value, str) and value.startswith(settings.SITE_URL)
            else value for name, value in _named_in_language(values).items()}


def render_plain_text(name: str, context: dict) -> str:
    # Plain-text mail is not HTML: escaping would turn "AT&T" into "AT&amp;T".
    return get_template(name).template.render(Context(context, autoescape=False))


def headline(notification: Notification) -> str:
    """The notification in one line, in the active language (its e-mail's subject)."""
    values = _named_in_language(notification.values)
    return " ".join(render_plain_text(f"emails/{notification.kind}_subject.txt", values).split())


def _message(notifications: list[Notification], user_id: int, language: str, *, digest: bool):
    """The e-mail for one member, in their language: a text part and an HTML part, and the
    headers that let a mail program unsubscribe them from the topic in one click."""
    scope = DIGEST if digest else notifications[0].topic
    with translation.override(language):
        unsubscribe_url = settings.SITE_URL + reverse("complaints:unsubscribe",
                                                      args=[unsubscribe_token(user_id, scope)])
        items = [{"headline": headline(n),
                  "body": render_plain_text(f"emails/{n.kind}.txt", in_language(n.values, language)),
                  "url": localized_url(n.values.get("url", ""), language)} for n in notifications]
        context = {
            "items": items, "digest": digest, "site_name": settings.SITE_NAME, "language": language,
            "topic": "" if digest else Topic(scope).label,
            "settings_url": settings.SITE_URL + reverse("complaints:notification_settings"),
            "notifications_url": settings.SITE_URL + reverse("complaints:notifications"),
            "unsubscribe_url": unsubscribe_url,
        }
        subject = (items[0]["headline"] if not digest else
                   translation.ngettext("%(count)d new notification", "%(count)d new notifications",
                                        len(items)) % {"count": len(items)})
        text = render_plain_text("emails/notification_mail.txt", context)
        html = render_to_string("emails/notification_mail.html", context)
    message = EmailMultiAlternatives(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, text, None, [])
    message.attach_alternative(html, "text/html")
    message.extra_headers = {"List-Unsubscribe": f"<{unsubscribe_url}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return message


def _send(groups: list[tuple[int, list[Notification]]], *, digest: bool) -> int:
    """One message per (member, notifications), over one connection; each marked as mailed once sent."""
    user_ids = [user_id for user_id, _items in groups]
    addresses = dict(get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
                     .values_list("pk", "email"))
    languages = _languages(user_ids)
    sent = 0
    connection = None
    try:
        for user_id, items in groups:
            if user_id not in addresses:
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(delivery=Delivery.SITE)
                continue
            message = _message(items, user_id, languages[user_id], digest=digest)
            message.to = [addresses[user_id]]
            if connection is None:
                connection = mailers["default"]
                connection.open()
            connection.send_messages([message])
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(mailed_at=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


@task(takes_context=True)
def send_notification(context, *, template: str, user_ids: list[int], values: dict,
                      complaint_id: int | None = None, event: str = "") -> int:
    """Write one notification per person for this event, and send the mail due at once.
    `event` names it for jobs that may queue it again (a reminder); else it is this task."""
    event = event or str(context.task_result.id)
    topic = TOPIC_OF[template]
    chosen = deliveries(user_ids)
    Notification.objects.bulk_create([
        Notification(user_id=user_id, event=event, kind=template, topic=topic, delivery=chosen[user_id][topic],
                     complaint_id=complaint_id, values=values)
        for user_id in user_ids
    ], ignore_conflicts=True)
    unread_changed(user_ids)
    due = (Notification.objects.filter(event=event, delivery=Delivery.AT_ONCE, mailed_at=None)
           .select_related("complaint").order_by("user_id"))
    return _send([(n.user_id, [n]) for n in due if may_read(n)], digest=False)


DIGEST_WINDOW = timedelta(days=7)  # a digest older than this is not worth sending any more


@task
def send_digests() -> int:
    """Once a day: to each member, one e-mail with their unread notifications of digest topics."""
    started = timezone.now()
    waiting = (Notification.objects.filter(delivery=Delivery.DIGEST, mailed_at=None, created_at__lte=started,
                                           created_at__gte=started - DIGEST_WINDOW)
               .select_related("complaint").order_by("user_id", "created_at", "pk"))
    by_user: dict[int, list[Notification]] = {}
    for notification in waiting:
        if notification.read_at is None and may_read(notification):
            by_user.setdefault(notification.user_id, []).append(notification)
    sent = _send(list(by_user.items()), digest=True)
    # Read on the site before the digest went out, or no longer to be told: nothing more to send.
    Notification.objects.filter(delivery=Delivery.DIGEST, mailed_at=None, created_at__lte=started).update(
        delivery=Delivery.SITE)
    return sent


@task
def forget_old_notifications() -> int:
    """Read notifications are kept a year; unread ones stay until read."""
    deleted, _rows = Notification.objects.filter(
        read_at__lt=timezone.now() - timedelta(days=365)).delete()
    return deleted


_local = threading.local()  # per thread, so loading demo data never silences another thread's mail


def _is_muted() -> bool:
    return getattr(_local, "muted", False)


@contextmanager
def muted():
    """No notifications inside this block (loading demo data or imports tells nobody)."""
    previous, _local.muted = _is_muted(), True
    try:
        yield
    finally:
        _local.muted = previous


def notify(*, template: str, users, complaint, actor=None, event: str = "", **extra) -> None:
    """Tell these people about a change to `complaint`, once the current transaction commits."""
    if _is_muted():
        return
    user_ids = sorted({user.pk if hasattr(user, "pk") else user for user in users} - {getattr(actor, "pk", None)})
    if not user_ids:
        return
    context = {
        "title": complaint.title,
        "company": complaint.company.name,
        "url": settings.SITE_URL + complaint.get_absolute_url(),
        "site_name": settings.SITE_NAME,
        **extra,
    }
    notify_users(template=template, user_ids=user_ids, context=context, complaint_id=complaint.pk, event=event)


def notify_users(*, template: str, user_ids: list[int], context: dict, complaint_id: int | None = None,
                 event: str = "") -> None:
    if _is_muted() or not user_ids:
        return
    transaction.on_commit(lambda: send_notification.enqueue(
        template=template, user_ids=sorted(user_ids), values=context, complaint_id=complaint_id, event=event))


def representative_ids(company) -> list[int]:
    return list(Representative.objects.filter(company=company).values_list("user_id", flat=True))


def follower_ids(complaint) -> list[int]:
    return list(complaint.follows.values_list("user_id", flat=True))


def company_follower_ids(company_id) -> list[int]:
    return list(CompanyFollow.objects.filter(company_id=company_id).values_list("user_id", flat=True))


@receiver(claim_decided)
def notify_claimant(sender, claim, **kwargs) -> None:
    """A representation request was decided: the person who asked is told, with the reason."""
    context = {
        "company": claim.company.name, "approved": claim.status == RepresentationClaim.Status.APPROVED,
        "reason": claim.reason, "url": settings.SITE_URL + reverse("complaints:business"),
        "site_name": settings.SITE_NAME,
    }
    notify_users(template="claim_decided", user_ids=[claim.user_id], context=context)
