"""E-mail to the people a change concerns, sent through the task framework after commit.

Links are built from SITE_URL, never from a request's Host header. A message is
written in the complaint's language when the interface speaks it, else in the
portal's default language.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from companies.models import Representative


def _language_for(complaint) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return complaint.language if complaint.language in codes else settings.LANGUAGE_CODE


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail is not HTML: escaping would turn "AT&T" into "AT&amp;T".
    return get_template(name).template.render(Context(context, autoescape=False))


@task
def send_notification(*, template: str, user_ids: list[int], context: dict, language: str) -> int:
    emails = list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    with translation.override(language):
        subject = " ".join(_render_text(f"emails/{template}_subject.txt", context).split())
        body = _render_text(f"emails/{template}.txt", context)
    for email in emails:
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [email])
    return len(emails)


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
    notify_users(template=template, user_ids=user_ids, context=context, language=_language_for(complaint))


def notify_users(*, template: str, user_ids: list[int], context: dict, language: str) -> None:
    if _is_muted() or not user_ids:
        return
    transaction.on_commit(
        lambda: send_notification.enqueue(template=template, user_ids=user_ids, context=context, language=language)
    )


def representative_ids(company) -> list[int]:
    return list(Representative.objects.filter(company=company).values_list("user_id", flat=True))


def follower_ids(complaint) -> list[int]:
    return list(complaint.follows.values_list("user_id", flat=True))
