"""Open data at size: how much memory a full export takes, and how fast it streams.

Streams every public complaint (and every company) as CSV and JSON Lines through the same
code as /open-data/, and reports, per format: rows, bytes, seconds, rows per second, and the
peak of Python's allocations (tracemalloc) after the first 10% of the rows and at the end.
Bounded memory means the two peaks are about equal, whatever the number of rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_export \\
        .venv/bin/python bench/export_memory.py

Make such a database with `manage.py migrate` and
`manage.py generate_data --complaints 100000 --companies 500 --seed 1`.
"""

import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_site.settings")

import django  # noqa: E402

django.setup()

from api.exports import company_lines, complaint_lines  # noqa: E402
from api.records import listed_companies, public_complaints  # noqa: E402


def measure(name: str, lines, expected_rows: int) -> dict:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    rows = -1 if name.endswith(".csv") else 0  # one string per row; the CSV's first is its header
    size = 0
    early_peak = None
    for line in lines:
        rows += 1
        size += len(line.encode())
        if early_peak is None and rows >= expected_rows // 10:
            early_peak = tracemalloc.get_traced_memory()[1]
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"name": name, "rows": rows, "mb": size / 1e6, "seconds": seconds, "rate": rows / seconds,
            "early_peak_mb": (early_peak or peak) / 1e6, "peak_mb": peak / 1e6}


def main() -> None:
    complaints = public_complaints().count()
    companies = listed_companies().count()
    print(f"{complaints:,} public complaints, {companies:,} listed companies\n")
    print(f"{'export':<18}{'rows':>10}{'MB':>9}{'s':>8}{'rows/s':>10}{'peak@10% MB':>13}{'peak MB':>9}")
    for fmt in ("csv", "jsonl"):
        for name, lines, expected in (
            (f"complaints.{fmt}", complaint_lines(public_complaints(), fmt), complaints),
            (f"companies.{fmt}", company_lines(listed_companies(), fmt), companies),
        ):
            result = measure(name, lines, expected)
            print(f"{result['name']:<18}{result['rows']:>10,}{result['mb']:>9.1f}{result['seconds']:>8.1f}"
                  f"{result['rate']:>10,.0f}{result['early_peak_mb']:>13.1f}{result['peak_mb']:>9.1f}")


if __name__ == "__main__":
    main()
