"""SQLite's counterpart of migration 0005: the FTS5 search index and the triggers that keep it.

The table `complaint_search` holds the public text of each complaint (title,
story unless held, the company's names), its words case-folded and stemmed in
the complaint's language by complaint_stem() (core.stemming, registered
on every connection). Row id = complaint id. Triggers keep it in step with
every way of writing, bulk_create and raw updates included; a renamed company
re-indexes its complaints.

Migration 0009 creates it. A later migration that rebuilds a table on SQLite
(copy, drop, rename) drops that table's triggers, so after every migrate
`repair` puts back any missing trigger and then refills the index.
"""

from django.db import connections

TABLE_SQL = """CREATE VIRTUAL TABLE IF NOT EXISTS complaint_search USING fts5(
    title, story, names, tokenize = 'unicode61 remove_diacritics 0'
)"""

_ROW_VALUES = """NEW.id,
    complaint_stem(NEW.language, NEW.title),
    CASE WHEN NEW.text_held THEN '' ELSE complaint_stem(NEW.language, NEW.story) END,
    (SELECT complaint_stem('', name || ' ' || aliases) FROM companies_company WHERE id = NEW.company_id)"""

TRIGGERS = {
    "complaint_search_insert": f"""CREATE TRIGGER IF NOT EXISTS complaint_search_insert
    AFTER INSERT ON complaints_complaint BEGIN
        INSERT INTO complaint_search (rowid, title, story, names) VALUES ({_ROW_VALUES});
    END""",  # noqa: S608 (only constants are put in)
    "complaint_search_update": f"""CREATE TRIGGER IF NOT EXISTS complaint_search_update
    AFTER UPDATE OF title, story, language, company_id, text_held ON complaints_complaint BEGIN
        DELETE FROM complaint_search WHERE rowid = OLD.id;
        INSERT INTO complaint_search (rowid, title, story, names) VALUES ({_ROW_VALUES});
    END""",  # noqa: S608 (only constants are put in)
    "complaint_search_delete": """CREATE TRIGGER IF NOT EXISTS complaint_search_delete
    AFTER DELETE ON complaints_complaint BEGIN
        DELETE FROM complaint_search WHERE rowid = OLD.id;
    END""",
    "company_search_names": """CREATE TRIGGER IF NOT EXISTS company_search_names
    AFTER UPDATE OF name, aliases ON companies_company
    WHEN OLD.name IS NOT NEW.name OR OLD.aliases IS NOT NEW.aliases BEGIN
        UPDATE complaint_search SET names = complaint_stem('', NEW.name || ' ' || NEW.aliases)
        WHERE rowid IN (SELECT id FROM complaints_complaint WHERE company_id = NEW.id);
    END""",
}

FILL_SQL = [
    "DELETE FROM complaint_search",
    """INSERT INTO complaint_search (rowid, title, story, names)
    SELECT complaint.id, complaint_stem(complaint.language, complaint.title),
        CASE WHEN complaint.text_held THEN '' ELSE complaint_stem(complaint.language, complaint.story) END,
        complaint_stem('', company.name || ' ' || company.aliases)
    FROM complaints_complaint complaint LEFT JOIN companies_company company ON company.id = complaint.company_id""",
]

SQLITE_SEARCH_SQL = [TABLE_SQL, *TRIGGERS.values(), *FILL_SQL]

SQLITE_REVERSE_SQL = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in reversed(TRIGGERS)),
    "DROP TABLE IF EXISTS complaint_search",
]


def repair(sender, using, plan=None, **kwargs) -> None:
    """After a migrate on SQLite: put back triggers a table rebuild dropped, and refill the index."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        if "complaint_search" not in present or "complaints_complaint" not in present:
            return  # not migrated that far (or migrated back)
        missing = [sql for name, sql in TRIGGERS.items() if name not in present]
        for sql in missing:
            cursor.execute(sql)
        if missing:
            for sql in FILL_SQL:
                cursor.execute(sql)
