"""What the background runtime keeps in the database, so any process on any machine sees it."""

from django.db import models


class WorkerBeat(models.Model):
    """A worker process says it is alive every few seconds; a task claimed by a worker that stopped
    saying so (killed, machine gone) is given to another worker (complaints_site.worker)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"worker {self.worker_id}"


class ScheduledRun(models.Model):
    """One row per job and time slot: the first scheduler to insert it enqueues the job, so two
    schedulers started by mistake never run a job twice (complaints_site.scheduler)."""

    job = models.CharField(max_length=50)
    slot = models.CharField(max_length=30)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]

    def __str__(self):
        return f"{self.job} {self.slot}"
