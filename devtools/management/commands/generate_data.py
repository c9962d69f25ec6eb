"""`manage.py generate_data --complaints N --companies M`: realistic benchmark data in bulk.

Adds companies, members and complaints with their whole history to what is
there (devtools.generate says what and how); with --seed the same database
gets the same data. Progress goes to stderr: one line rewritten in place on a
terminal, a line every tenth of the way otherwise. At the end it prints what
was created, how long each part took, and the words a search benchmark can
look for.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from devtools.generate import GenerateError, benchmark_data_generate, default_members, search_words


class Command(BaseCommand):
    help = (
        "Add generated companies, members and complaints (with answers, offers, evaluations and \"me too\") "
        "for benchmarks. Adds to what is there; --seed makes the data reproducible."
    )

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, required=True, help="complaints to generate")
        parser.add_argument("--companies", type=int, required=True, help="companies to generate")
        parser.add_argument(
            "--members", type=int, default=None,
            help="members (complaint authors) to generate; default: one per ten complaints, 20 to 100,000",
        )
        parser.add_argument("--seed", type=int, default=None, help="seed for reproducible data (default: random)")
        parser.add_argument(
            "--batch-size", type=int, default=20_000, help="complaints written per transaction (default: 20000)"
        )

    def handle(self, *args, complaints, companies, members, seed, batch_size, **options):
        self.started = time.monotonic()
        self.tty = self.stderr.isatty()
        self.last_shown, self.stage_started = {}, {}
        if members is None and complaints is not None and complaints > 0:
            members = default_members(complaints)
        try:
            summary = benchmark_data_generate(
                complaints=complaints, companies=companies, members=members, seed=seed, batch_size=batch_size,
                progress=self.show_progress,
            )
        except GenerateError as error:
            raise CommandError(str(error)) from error
        if self.tty:
            self.stderr.write("")
        created = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in summary.created.items())
        self.stdout.write(
            f"Run {summary.run} (seed {summary.seed}) created {created}; "
            f"scorecards recomputed for {summary.scored_companies} companies."
        )
        total = sum(summary.statuses.values())
        self.stdout.write("Statuses: " + ", ".join(
            f"{status} {count} ({count / total:.1%})" for status, count in summary.statuses.items()
        ))
        self.stdout.write("Languages: " + ", ".join(
            f"{language} {count} ({count / total:.1%})" for language, count in summary.languages.items()
        ))
        self.stdout.write("Seconds: " + ", ".join(f"{part} {seconds}" for part, seconds in summary.seconds.items())
                          + f"; total {time.monotonic() - self.started:.1f}")
        words = search_words()
        by_language = ", ".join(f"{language} “{word}”" for language, word in words["common_by_language"].items())
        self.stdout.write(
            f"Search words: common “{words['common']}” (about {words['common_share']:.0%} of complaints in each "
            f"language use its word: {by_language}); rare “{words['rare']}” "
            f"(in {words['rare_complaints_per_run']} public complaints per run)."
        )

    def show_progress(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        stage_elapsed = now - self.stage_started.setdefault(stage, now)
        rate = f", {done / stage_elapsed:,.0f}/s" if stage == "complaints" and stage_elapsed > 0 else ""
        line = f"{stage}: {done:,}/{total:,} ({done / total:.0%}){rate}, {now - self.started:.0f} s"
        if self.tty:
            self.stderr.write(f"\r{line}\033[K", ending="")
            self.stderr.flush()
            return
        # Not a terminal (a log, CI): a line at the start, every tenth and the end of each stage.
        step = int(10 * done / total) if total else 10
        if self.last_shown.get(stage) != step:
            self.last_shown[stage] = step
            self.stderr.write(line)

