"""Queue the time-driven jobs when they are due: `manage.py run_scheduler` (one process is enough;
a second one does no harm)."""

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from complaints_site.scheduler import jobs, queue_due_jobs


class Command(BaseCommand):
    help = "Queue scheduled jobs (closing stale complaints, purging redactions, recomputing scorecards) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue what is due now, then exit.")

    def handle(self, *args, once=False, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        if not once:
            self.stdout.write("Scheduler: " + ", ".join(f"{job.name} ({job.when})" for job in jobs()))
        while self.running:
            close_old_connections()
            try:
                for name in queue_due_jobs():
                    self.stdout.write(f"Queued {name}.")
            except Exception as error:  # the database may be restarting: try again next tick
                self.stderr.write(f"Could not queue jobs: {error}")
            if once:
                return
            for _second in range(settings.SCHEDULER_TICK_SECONDS):  # a stop signal is heeded within a second
                if not self.running:
                    break
                time.sleep(1)

    def _stop(self, *_args):
        self.running = False
