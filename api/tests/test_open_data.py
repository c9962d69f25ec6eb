"""Open data: what the downloads hold, and above all what they never hold."""

import csv
import gzip
import hashlib
import io
import json

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from api.exports import COMPANY_COLUMNS, COMPLAINT_COLUMNS, export_open_data
from api.models import OpenDataFile
from api.tests.conftest import SECRETS


def _download(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def _csv(text):
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def _jsonl(text):
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_complaints_hold_only_public_ones_and_no_private_field(client, record, fmt):
    text = _download(client, reverse("opendata:export_complaints", args=[fmt]))
    rows = _csv(text) if fmt == "csv" else _jsonl(text)

    ids = {int(row["id"]) for row in rows}
    assert ids == {record.answered.pk, record.anonymous.pk, record.held.pk}
    for secret in SECRETS:
        assert secret not in text
    for forbidden in ("account_number", "phone", "reachable", "display_name", "is_anonymous"):
        assert forbidden not in text


def test_complaint_columns_and_values(client, record):
    rows = {int(row["id"]): row for row in _csv(_download(client, reverse("opendata:export_complaints", args=["csv"])))}
    answered = rows[record.answered.pk]
    assert list(answered) == COMPLAINT_COLUMNS
    assert answered["url"] == f"{settings.SITE_URL}{record.answered.get_absolute_url()}"
    assert answered["author_name"] == "Ivan Petrov"
    assert answered["company"] == "2kom"
    assert answered["amount"] == "1200.00" and answered["currency"] == "SEK"
    assert answered["status"] == "resolved"
    assert answered["company_messages"] == "2"
    assert answered["offers_made"] == "1" and answered["offers_accepted"] == "1"
    assert answered["evaluated"] == "true" and answered["resolved"] == "true" and answered["rating"] == "4"
    assert answered["answered_within_7_days"] == "true"
    assert rows[record.anonymous.pk]["author_name"] == ""
    held = rows[record.held.pk]
    assert held["story"] == "" and held["story_held"] == "true"


def test_a_complaint_list_address_downloads_its_filters(client, record, other_company):
    url = reverse("opendata:export_complaints", args=["jsonl"])
    assert [row["id"] for row in _jsonl(_download(client, url, status="resolved"))] == [record.answered.pk]
    assert [row["id"] for row in _jsonl(_download(client, url, q="billed twice"))] == [record.anonymous.pk]
    assert _jsonl(_download(client, url, company="deltacom")) == []
    assert len(_jsonl(_download(client, url, company="2kom", sort="oldest", page="7"))) == 3


def test_bad_filters_are_refused_with_the_list_pages_message(client, record):
    response = client.get(reverse("opendata:export_complaints", args=["csv"]), {"published_from": "not a date"})
    assert response.status_code == 400
    assert "published_from: Enter a valid date." in response.content.decode()


def test_company_figures_equal_its_page(client, record):
    rows = _csv(_download(client, reverse("opendata:export_companies", args=["csv"]), company="2kom"))
    assert list(rows[0]) == COMPANY_COLUMNS
    by_window = {row["window"]: row for row in rows}
    assert set(by_window) == {"12m", "6m", "all"}
    figures = by_window["12m"]
    page = client.get(record.company.get_absolute_url()).content.decode()
    # The page: "Complaints" N, "Answered" n of N, "Resolved" n of m evaluated.
    assert figures["complaints"] == "3"
    assert f"<dd>{figures['complaints']}</dd>" in page
    assert f"{figures['answered']} of {figures['complaints']}" in page
    assert f"{figures['resolved']} of {figures['evaluated']} evaluated" in page
    assert f"{figures['offers_made']}</dd>" in page
    assert figures["score"] == ""  # one evaluation: the page shows no score either
    assert "Not enough data" in page


def test_companies_jsonl_has_each_window(client, record):
    (row,) = _jsonl(_download(client, reverse("opendata:export_companies", args=["jsonl"]), company="2kom"))
    assert row["slug"] == "2kom" and row["verified"] is True
    assert row["scorecards"]["12m"]["complaints"] == 3
    assert row["scorecards"]["all"]["resolved"] == 1


def test_csv_cells_that_look_like_formulas_are_quoted(client, company):
    from complaints.tests.factories import make_published

    make_published(company=company, title="=HYPERLINK(\"http://evil\")", display_name="@SUM(A1)")
    rows = _csv(_download(client, reverse("opendata:export_complaints", args=["csv"])))
    assert rows[0]["title"].startswith("'=") and rows[0]["author_name"].startswith("'@")


def test_downloads_are_rate_limited_per_address(client, record, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "open_data": "2/h/ip"}
    url = reverse("opendata:export_complaints", args=["csv"])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


def test_nightly_files_are_compressed_with_their_checksum(client, record):
    paths = export_open_data.call()
    assert len(paths) == 4
    made = OpenDataFile.objects.get(name="complaints.jsonl.gz")
    with default_storage.open(made.path, "rb") as handle:
        packed = handle.read()
    assert hashlib.sha256(packed).hexdigest() == made.sha256
    rows = [json.loads(line) for line in gzip.decompress(packed).decode().splitlines()]
    assert made.rows == len(rows) == 3
    assert OpenDataFile.objects.get(name="complaints.csv.gz").rows == 3

    response = client.get(reverse("opendata:file", args=["complaints.jsonl.gz"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == packed
    sums = client.get(reverse("opendata:checksums")).content.decode()
    assert f"{made.sha256}  complaints.jsonl.gz\n" in sums
    page = client.get(reverse("api:open_data")).content.decode()
    assert made.sha256 in page


def test_the_open_data_page_documents_every_field(client, db):
    page = client.get(reverse("api:open_data")).content.decode()
    for name in COMPLAINT_COLUMNS + COMPANY_COLUMNS:
        assert f"<code>{name}</code>" in page or name == "window"
    assert "Creative Commons Attribution 4.0" in page
    assert reverse("api:open_data") in client.get("/").content.decode()  # linked from the footer


def test_an_unknown_nightly_file_is_404(client, db):
    assert client.get(reverse("opendata:file", args=["complaints.csv.gz"])).status_code == 404


def _bulk_published(company, author, count, start=0):
    from django.utils import timezone

    from complaints.models import Complaint

    now = timezone.now()
    Complaint.objects.bulk_create(Complaint(
        company=company, author=author, status=Complaint.Status.PUBLISHED, title=f"Generated complaint {n}",
        story="Nothing worked for a week. " * 40, desired_outcome="refund", language="en", display_name=f"Author {n}",
        published_at=now, created_at=now) for n in range(start, start + count))


def _peak_while_streaming(queryset) -> tuple[int, int]:
    import tracemalloc

    from api.exports import complaint_lines

    tracemalloc.start()
    rows = sum(1 for _line in complaint_lines(queryset, "jsonl"))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return rows, peak


def test_export_memory_does_not_grow_with_the_rows(company, member, monkeypatch):
    """Measured, at small scale (bench/export_memory.py measures 100,000): six times the rows,
    about the same peak, because rows are read by key in batches and written as they come."""
    from api import records

    monkeypatch.setattr(records, "BATCH", 50)
    monkeypatch.setattr(records.walk, "__defaults__", (records.BY_ID, 50))
    _bulk_published(company, member, 100)
    _peak_while_streaming(records.public_complaints())  # the first run pays for imports and caches
    rows, small_peak = _peak_while_streaming(records.public_complaints())
    assert rows == 100
    _bulk_published(company, member, 500, start=100)
    rows, large_peak = _peak_while_streaming(records.public_complaints())
    assert rows == 600
    assert large_peak < small_peak * 1.3, (small_peak, large_peak)
