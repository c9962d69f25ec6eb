"""The complaints app: its SQLite search index and the notifications' receivers load at start-up."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from complaints import sqlite_index
        from complaints.services import notifications  # noqa: F401  (its receivers)

        post_migrate.connect(sqlite_index.repair, sender=self, dispatch_uid="complaints_sqlite_index")
