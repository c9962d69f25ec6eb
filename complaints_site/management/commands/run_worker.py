"""Run background tasks: `manage.py run_worker` (as many processes, on as many machines, as needed)."""

from django_tasks_db.management.commands import db_worker

from complaints_site.worker import Worker


class Command(db_worker.Command):
    help = "Run the background worker: claims tasks from the database queue, retries failures, survives crashes."

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = Worker(
            queue_names=queue_name.split(","), interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        worker.run()
