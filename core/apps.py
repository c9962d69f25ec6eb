"""The core app: registered so that its translations, checks and SQLite functions load with the site."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from core.stemming import register_sqlite_functions

        # Every SQLite connection: search indexes' triggers call these functions.
        connection_created.connect(register_sqlite_functions, dispatch_uid="complaints_sqlite_functions")
