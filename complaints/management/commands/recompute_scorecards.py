"""`manage.py recompute_scorecards`: every company's scorecard from the raw rows."""

import time

from django.core.management.base import BaseCommand

from complaints.services.scorecards import scorecards_recompute_all


class Command(BaseCommand):
    help = "Recompute every company's scorecard from the raw complaint rows (for cron and after imports)."

    def handle(self, *args, **options):
        started = time.monotonic()
        count = scorecards_recompute_all()
        self.stdout.write(f"Recomputed the scorecards of {count} companies in {time.monotonic() - started:.1f} s.")
