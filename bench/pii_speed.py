"""How fast the personal-data detector is: find_personal_data and mask on the inputs of its tests.

The inputs are those of complaints/tests/test_pii.py, imported from it so they cannot
drift apart: the 10,000-character story in four languages, each hostile input (made to
provoke catastrophic backtracking), and the 389 CFPB narratives together (read from the
shared data folder; left out when it is missing). Each function runs once to warm up,
then --repeat times; the table shows the median and the best, and whether the best
meets the target the tests used to assert (the best, as they did: a busy machine slows
some runs, never speeds one up). The targets: 50 ms for each function on the story,
200 ms for find_personal_data on each hostile input, 1 s for find_personal_data over
all the narratives; mask has no target of its own there and shows "-".

    .venv/bin/python bench/pii_speed.py
    .venv/bin/python bench/pii_speed.py --repeat 21

Missed targets are reported, not turned into an exit code.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="Targets and how to read the table: bench/README.md."
    )
    parser.add_argument("--repeat", type=int, default=7,
                        help="timed runs of each function per input (default: %(default)s)")
    return parser.parse_args()


def timings(function, repeat: int) -> list[float]:
    function()  # warm-up: compiled patterns, lazy translations
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return runs


def inputs():
    """(name, the texts measured together, target in seconds for find_personal_data, for mask)."""
    from complaints.tests import test_pii

    yield "story, 10,000 characters", [test_pii.story()], 0.050, 0.050
    for name, text in test_pii.ADVERSARIAL.items():
        yield f"hostile: {name}", [text], 0.200, None
    if test_pii.CFPB_2023.is_file():
        narratives = test_pii.cfpb_narratives()
        yield f"CFPB narratives, all {len(narratives)}", narratives, 1.0, None
    else:
        print(f"(CFPB narratives left out: {test_pii.CFPB_2023} is missing)", file=sys.stderr)


def main() -> int:
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "complaints_site.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from complaints.pii import find_personal_data, mask

    header = (f"| {'input':<40} | {'function':<18} | {'median ms':>9} | {'best ms':>8} "
              f"| {'target ms':>9} | {'meets':<5} |")
    print(header)
    print("|" + "|".join("-" * len(cell) for cell in header.split("|")[1:-1]) + "|")
    missed = 0
    for name, texts, *targets in inputs():
        for function, target in zip((find_personal_data, mask), targets, strict=True):
            runs = timings(lambda function=function, texts=texts: [function(text) for text in texts], args.repeat)
            best, median = min(runs), statistics.median(runs)
            if target is None:
                verdict, target_cell = "-", "-"
            else:
                verdict, target_cell = ("yes" if best < target else "NO"), f"{target * 1000:.0f}"
                missed += verdict == "NO"
            print(f"| {name:<40} | {function.__name__:<18} | {median * 1000:>9.2f} | {best * 1000:>8.2f} "
                  f"| {target_cell:>9} | {verdict:<5} |")
    print(f"\n{missed} target(s) missed." if missed else "\nEvery target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
