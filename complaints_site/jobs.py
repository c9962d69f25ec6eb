"""Site-wide scheduled work (settings.SCHEDULED_JOBS)."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@task
def prune_task_results() -> int:
    """Finished tasks are kept a week for the admin; failed ones a month, for someone to look at."""
    now = timezone.now()
    done, _rows = DBTaskResult.objects.successful().filter(finished_at__lt=now - timedelta(days=7)).delete()
    failed, _rows = DBTaskResult.objects.failed().filter(finished_at__lt=now - timedelta(days=30)).delete()
    return done + failed
