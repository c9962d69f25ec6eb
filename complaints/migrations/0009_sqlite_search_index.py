from django.db import migrations

# SQLite's counterpart of migration 0005: an FTS5 index of each complaint's
# public text, kept by triggers (complaints/sqlite_index.py explains it).
from complaints.sqlite_index import SQLITE_REVERSE_SQL, SQLITE_SEARCH_SQL


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_SEARCH_SQL:
            schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_REVERSE_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("companies", "0004_companyslugredirect"),
        ("complaints", "0008_member_preferences"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
    ]
