"""The complaints' time-driven work, as tasks the scheduler queues (settings.SCHEDULED_JOBS).
Each is idempotent: run twice, it changes nothing the second time."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from complaints.models import SentMail
from complaints.moderation import redactions_purge
from complaints.services import complaints_close_stale


@task
def close_stale_complaints() -> int:
    return complaints_close_stale()


@task
def purge_redactions() -> int:
    return redactions_purge()


@task
def forget_sent_mail() -> int:
    """The record of who already had a notification is needed only while it may be retried."""
    deleted, _rows = SentMail.objects.filter(sent_at__lt=timezone.now() - timedelta(days=30)).delete()
    return deleted
