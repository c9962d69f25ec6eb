"""`manage.py purge_redactions`: delete redacted originals past REDACTION_KEEP_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand

from complaints.services.moderation import redactions_purge


class Command(BaseCommand):
    help = "Delete the originals of redacted texts older than REDACTION_KEEP_DAYS (run daily from cron)."

    def handle(self, *args, **options):
        deleted = redactions_purge()
        self.stdout.write(f"Purged {deleted} redacted originals older than {settings.REDACTION_KEEP_DAYS} days.")
