"""E-mail to the people a change concerns, sent through the task framework after commit.

Links are built from SITE_URL, never from a request's Host header. A message is
written in each recipient's own language (MemberPreferences: the one they signed
up in or last switched to), else in the portal's default language; never in the
complaint's or the actor's.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from companies.models import Representative
from complaints.models import ModerationAction, SentMail


def recipients_by_language(user_ids) -> dict[str, list[str]]:
    """The active members' addresses, grouped by the language their mail is written in."""
    codes = {code for code, _name in settings.LANGUAGES}
    groups: dict[str, list[str]] = {}
    rows = (get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
            .order_by("pk").values_list("email", "preferences__language"))
    for email, language in rows:
        groups.setdefault(language if language in codes else settings.LANGUAGE_CODE, []).append(email)
    return groups


def _named_in_language(context: dict) -> dict:
    """Codes the sender passed, named in the active language: a label translated at the sender's
    side would reach every recipient in the moderator's language."""
    code = context.get("reason_code")
    if code in ModerationAction.ReasonCode.values:
        return {**context, "reason": str(ModerationAction.ReasonCode(code).label)}
    return context


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail is not HTML: escaping would turn "AT&T" into "AT&amp;T".
    return get_template(name).template.render(Context(context, autoescape=False))


@task(takes_context=True)
def send_notification(context, *, template: str, user_ids: list[int], values: dict) -> int:
    """Rendered once per language among the recipients, sent to each alone over one connection.

    Run again after a failure (the mail server down, the worker killed), it sends only to those
    who have not had it yet: each delivery is recorded, under this task's id, as it happens.
    """
    notification = str(context.task_result.id)
    already = set(SentMail.objects.filter(notification=notification).values_list("email", flat=True))
    outgoing = []
    for language, emails in recipients_by_language(user_ids).items():
        emails = [email for email in emails if email not in already]
        if not emails:
            continue
        with translation.override(language):
            localised = _named_in_language(values)
            subject = " ".join(_render_text(f"emails/{template}_subject.txt", localised).split())
            body = _render_text(f"emails/{template}.txt", localised)
        outgoing += [EmailMessage(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [email])
                     for email in emails]
    if not outgoing:
        return 0
    connection = mailers["default"]
    connection.open()
    try:
        for message in outgoing:
            connection.send_messages([message])
            SentMail.objects.create(notification=notification, email=message.to[0])
    finally:
        connection.close()
    return len(outgoing)


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


def notify(*, template: str, users, complaint, actor=None, **extra) -> None:
    """Queue one e-mail per person once the current transaction commits."""
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
    notify_users(template=template, user_ids=user_ids, context=context)


def notify_users(*, template: str, user_ids: list[int], context: dict) -> None:
    if _is_muted() or not user_ids:
        return
    transaction.on_commit(lambda: send_notification.enqueue(template=template, user_ids=user_ids, values=context))


def representative_ids(company) -> list[int]:
    return list(Representative.objects.filter(company=company).values_list("user_id", flat=True))


def follower_ids(complaint) -> list[int]:
    return list(complaint.follows.values_list("user_id", flat=True))
