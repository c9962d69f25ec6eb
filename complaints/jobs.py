"""The complaints' time-driven work, as tasks the scheduler queues (settings.SCHEDULED_JOBS).
Each is idempotent: run twice, it changes nothing the second time."""

from django.tasks import task

from complaints.services.lifecycle import complaints_close_stale
from complaints.services.moderation import redactions_purge


@task
def close_stale_complaints() -> int:
    return complaints_close_stale()


@task
def purge_redactions() -> int:
    return redactions_purge()
