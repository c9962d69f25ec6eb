"""System checks for a production configuration (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    # Without Redis each worker process counts rate limits and used form stamps on its own.
    if settings.DEBUG or settings.REDIS_URL:
        return []
    return [
        Warning(
            "REDIS_URL is not set: rate limits and single-use form stamps are counted per process.",
            hint="Set REDIS_URL to a Redis shared by every worker process.",
            id="complaints_site.W001",
        )
    ]


@register(Tags.compatibility, deploy=True)
def durable_tasks_check(app_configs, **kwargs):
    # The immediate backend sends mail and refreshes scorecards inside the request, and loses a
    # mail the server refused: fine for one developer, not for a public site.
    if settings.DEBUG or settings.TASKS_BACKEND == "database":
        return []
    return [
        Warning(
            "TASKS_BACKEND is immediate: mail and scorecard refreshes run inside requests, without retries.",
            hint="Unset TASKS_BACKEND (or set it to database) and run `manage.py run_worker` and "
                 "`manage.py run_scheduler` beside the web processes.",
            id="complaints_site.W002",
        )
    ]
