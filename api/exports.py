"""Open data: public complaints and company figures as CSV and JSON Lines.

Downloads stream: rows are read by key in batches of records.BATCH and written as they come,
so a million complaints leave in bounded memory. Every night a task writes the full files,
gzip-compressed with a SHA-256 checksum, to the default storage (settings.OPEN_DATA_FOLDER).
"""

import csv
import gzip
import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from api.models import OpenDataFile
from api.records import (
    COMPANY_FIELDS,
    COMPLAINT_FIELDS,
    WINDOW_FIELDS,
    company_rows,
    complaint_rows,
    listed_companies,
    public_complaints,
)
from companies.models import Scorecard

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
KEEP_DAYS = 7  # nightly files older than this are deleted

COMPLAINT_COLUMNS = [field.name for field in COMPLAINT_FIELDS]
# A company's CSV has one row per company and period, its figures in the window's columns.
COMPANY_COLUMNS = [field.name for field in COMPANY_FIELDS] + ["window"] + [field.name for field in WINDOW_FIELDS]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _spreadsheet_safe(text: str) -> str:
    # A cell that starts like a formula is run by spreadsheets (CSV injection): quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def company_csv_rows(records: Iterable[dict]) -> Iterator[list]:
    for record in records:
        for window in Scorecard.Window.values:
            figures = record["scorecards"][window] or {}
            yield [record[name] for name in COMPANY_COLUMNS[:len(COMPANY_FIELDS)]] + [window] + [
                figures.get(field.name) for field in WINDOW_FIELDS]


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV text, one line at a time (RFC 4180, UTF-8 with a byte-order mark for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    for values in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_spreadsheet_safe(_cell(value)) for value in values])
        yield buffer.getvalue()


def jsonl_lines(records: Iterable[dict]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def complaint_lines(queryset, fmt: str) -> Iterator[str]:
    records = complaint_rows(queryset)
    if fmt == "jsonl":
        return jsonl_lines(records)
    return csv_lines(COMPLAINT_COLUMNS, ([record[name] for name in COMPLAINT_COLUMNS] for record in records))


def company_lines(queryset, fmt: str) -> Iterator[str]:
    records = company_rows(queryset)
    if fmt == "jsonl":
        return jsonl_lines(records)
    return csv_lines(COMPANY_COLUMNS, company_csv_rows(records))


# ---- The nightly files ---------------------------------------------------------------

def _write_file(name: str, lines: Iterator[str], when) -> OpenDataFile:
    """Compress `lines` into the storage as `name`.gz, with its checksum, and record it."""
    digest = hashlib.sha256()
    rows = -1 if name.endswith(".csv") else 0  # the CSV's header is no row
    with tempfile.TemporaryFile() as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed:
            for line in lines:
                packed.write(line.encode())
                rows += 1
        raw.seek(0)
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
        size = raw.tell()
        raw.seek(0)
        path = default_storage.save(f"{settings.OPEN_DATA_FOLDER}/{when:%Y-%m-%d}/{name}.gz", File(raw))
    return OpenDataFile.objects.create(name=f"{name}.gz", path=path, size=size, rows=max(rows, 0),
                                       sha256=digest.hexdigest(), created_at=when)


@task
def export_open_data() -> list[str]:
    """Write tonight's full files (every public complaint, every listed company) and drop old ones."""
    when = timezone.now()
    made = []
    for fmt in FORMATS:
        made.append(_write_file(f"complaints.{fmt}", complaint_lines(public_complaints(), fmt), when))
        made.append(_write_file(f"companies.{fmt}", company_lines(listed_companies(), fmt), when))
    for old in OpenDataFile.objects.filter(created_at__lt=when - timedelta(days=KEEP_DAYS)):
        with transaction.atomic():
            old.delete()
            transaction.on_commit(lambda path=old.path: default_storage.delete(path))
    logger.info("Open data written: %s", ", ".join(f"{made_file.name} ({made_file.rows} rows)" for made_file in made))
    return [made_file.path for made_file in made]


def latest_files() -> list[OpenDataFile]:
    """The newest file of each name."""
    newest = {}
    for made in OpenDataFile.objects.order_by("-created_at", "name")[:20]:
        newest.setdefault(made.name, made)
    return sorted(newest.values(), key=lambda made: made.name)
