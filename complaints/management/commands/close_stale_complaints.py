"""`manage.py close_stale_complaints`: the daily cron job that ends answered complaints nobody evaluated.

An answered complaint whose author has not evaluated it within
COMPLAINT_CLOSE_DAYS days of the company's first answer is closed, with a
row in its timeline (`complaints_close_stale`). Running it again the same
day closes nothing more.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from complaints.services.lifecycle import complaints_close_stale


class Command(BaseCommand):
    help = "Close answered complaints not evaluated within COMPLAINT_CLOSE_DAYS days (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        closed = complaints_close_stale()
        self.stdout.write(
            f"Closed {closed} answered complaint{'' if closed == 1 else 's'} "
            f"not evaluated within {settings.COMPLAINT_CLOSE_DAYS} days."
        )
