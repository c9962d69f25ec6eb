"""The worker process (`manage.py run_worker`): django-tasks-db's worker, plus what a queue needs
to never lose work.

- A failing task runs again later, with backoff (settings.TASK_RETRY_SECONDS, doubling, at most an
  hour), until settings.TASK_MAX_ATTEMPTS; then it stays "failed", with its traceback, in the admin.
- Each worker writes a heartbeat (WorkerBeat). A task still "running" for a worker that has been
  silent for three beats (killed, out of memory, machine gone) is put back in the queue.
- Every log line written while a task runs names the task and its id.
- A task queued under a path a release has moved runs under its new path (MOVED_TASKS).

Tasks must therefore be idempotent: a task may run again after doing part of its work.
"""

import logging
import random
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from complaints_site.logging import current_task
from complaints_site.models import WorkerBeat

logger = logging.getLogger(__name__)

RUNNING, READY, FAILED = "RUNNING", "READY", "FAILED"

# A queued task is stored by its dotted path. When a release moves a task's module, the rows the
# previous release queued (before the deploy, or from web processes not yet rolled) are renamed
# at every heartbeat; one a worker claims first fails once and runs renamed on its retry.
MOVED_TASKS = {
    f"{old}.{name}": f"{new}.{name}"
    for old, new, names in [
        # Release of the complaints/ packages (issue 15).
        ("companies.scorecards", "complaints.services.scorecards", ("recompute_all_task", "refresh_scorecard_task")),
        ("complaints.company_contact", "complaints.services.company_contact",
         ("send_company_mail", "send_company_digests")),
        ("complaints.notifications", "complaints.services.notifications",
         ("send_notification", "send_digests", "forget_old_notifications")),
        ("complaints.reminders", "complaints.services.reminders",
         ("remind_unanswered", "ask_authors_if_resolved", "send_weekly_summaries")),
    ]
    for name in names
}


def rename_moved_tasks() -> int:
    """Queued tasks under a path a release moved (MOVED_TASKS) get the new path."""
    # One short read per heartbeat; a write only when such a row waits.
    waiting = DBTaskResult.objects.filter(status=READY, task_path__in=MOVED_TASKS).values_list("pk", "task_path")
    renamed = 0
    for pk, old in waiting:
        renamed += DBTaskResult.objects.filter(pk=pk, status=READY).update(task_path=MOVED_TASKS[old])
    if renamed:
        logger.warning("%d queued task(s) renamed to where their code moved", renamed)
    return renamed


def retry_delay(attempt: int) -> timedelta:
    """How long to wait before try number attempt + 1: 10 s, 20 s, 40 s ... at most an hour, ±20%."""
    seconds = min(settings.TASK_RETRY_SECONDS * 2 ** (attempt - 1), 3600)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (spreads retries, not secret)


def retry_or_keep_failed(row: DBTaskResult) -> bool:
    """After a failed try: back in the queue for later, or kept as failed once it has had its tries."""
    attempts = len(row.worker_ids)
    if attempts >= settings.TASK_MAX_ATTEMPTS:
        logger.error("task failed for good after %d attempts: %s", attempts, row.exception_class_path)
        return False
    run_after = timezone.now() + retry_delay(attempts)
    # The error stays on the row (the admin shows it) while the task waits for its next try.
    DBTaskResult.objects.filter(pk=row.pk, status=FAILED).update(status=READY, run_after=run_after, finished_at=None)
    logger.warning("task failed (attempt %d of %d), runs again after %s: %s", attempts,
                   settings.TASK_MAX_ATTEMPTS, run_after.isoformat(timespec="seconds"), row.exception_class_path)
    return True


def requeue_abandoned(now=None) -> int:
    """Tasks left "running" by workers that stopped beating: back in the queue (or failed for good)."""
    now = now or timezone.now()
    silent_since = now - timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=silent_since).values_list("worker_id", flat=True))
    requeued = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=silent_since).only("id", "worker_ids"):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue  # a long task of a live worker
        if len(row.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            DBTaskResult.objects.filter(pk=row.pk, status=RUNNING).update(
                status=FAILED, finished_at=now, exception_class_path="complaints_site.worker.WorkerLost",
                traceback="The worker running this task stopped, on every attempt.")
            continue
        requeued += DBTaskResult.objects.filter(pk=row.pk, status=RUNNING).update(status=READY, run_after=now)
    if requeued:
        logger.warning("%d task(s) of stopped workers are back in the queue", requeued)
    WorkerBeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return requeued


class Worker(DatabaseWorker):
    def run(self) -> None:
        stop = threading.Event()
        beating = threading.Thread(target=self._beat, args=(stop,), name="heartbeat", daemon=True)
        self._beat_once()  # alive before the first claim
        rename_moved_tasks()
        beating.start()
        try:
            super().run()
        finally:
            stop.set()
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()

    def _beat_once(self) -> None:
        WorkerBeat.objects.update_or_create(worker_id=self.worker_id, defaults={"seen_at": timezone.now()})

    def _beat(self, stop: threading.Event) -> None:
        # Its own thread, so a long task never makes a live worker look dead; it also puts back
        # the tasks of workers that died (any live worker may do it; the updates are conditional).
        while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            try:
                close_old_connections()
                self._beat_once()
                requeue_abandoned()
                rename_moved_tasks()
            except Exception:  # the database may be restarting; the next beat tries again
                logger.exception("heartbeat failed")
        connection.close()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        token = current_task.set(f"{db_task_result.task_name}:{db_task_result.id}")
        try:
            super().run_task(db_task_result)  # records success, or the failure with its traceback
            if db_task_result.status == FAILED:
                retry_or_keep_failed(db_task_result)
        finally:
            current_task.reset(token)
