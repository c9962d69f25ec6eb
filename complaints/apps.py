from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from complaints import sqlite_index
        from complaints.stemming import register_sqlite_functions

        # Every SQLite connection: the search index's triggers call these functions.
        connection_created.connect(register_sqlite_functions, dispatch_uid="complaints_sqlite_functions")
        post_migrate.connect(sqlite_index.repair, sender=self, dispatch_uid="complaints_sqlite_index")
