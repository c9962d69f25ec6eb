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
