"""The scheduler process (`manage.py run_scheduler`): queues the time-driven jobs, no cron needed.

Jobs are listed in settings.SCHEDULED_JOBS as (name, task path, "daily HH:MM" or "every N minutes").
Each run of a job belongs to a slot (the day, or the N-minute period); the scheduler that first
records the slot in ScheduledRun queues the task, in the same transaction. A second scheduler
started by mistake finds the slot taken and queues nothing. A daily job missed while no scheduler
ran (a deploy at that hour) is queued as soon as one runs again, the same day.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from complaints_site.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    when: str  # "daily 03:00" or "every 10 minutes"

    def slot(self, now: datetime) -> str | None:
        """The slot due at `now`, or None when the job is not due yet today."""
        kind, value, *_rest = self.when.split()
        if kind == "daily":
            local = timezone.localtime(now)
            hour, minute = (int(part) for part in value.split(":"))
            due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
            return local.date().isoformat() if local >= due else None
        if kind == "every":
            minutes = int(value)
            period = int(now.timestamp() // (minutes * 60))
            return f"{minutes}m-{period}"
        raise ValueError(f"Unknown schedule for job {self.name}: {self.when!r}")

    @property
    def task(self) -> Task:
        return import_string(self.task_path)


def jobs() -> list[Job]:
    return [Job(*entry) for entry in settings.SCHEDULED_JOBS]


def queue_due_jobs(now: datetime | None = None) -> list[str]:
    """Queue every job whose current slot no scheduler has taken yet; the names queued."""
    now = now or timezone.now()
    queued = []
    for job in jobs():
        slot = job.slot(now)
        if slot is None:
            continue
        try:
            with transaction.atomic():  # the slot and the task together, or neither
                ScheduledRun.objects.create(job=job.name, slot=slot)
                job.task.enqueue()
        except IntegrityError:
            continue  # this slot is taken: queued already, here or by another scheduler
        logger.info("queued %s for %s", job.name, slot)
        queued.append(job.name)
    ScheduledRun.objects.filter(enqueued_at__lt=now - timedelta(days=30)).delete()
    return queued
