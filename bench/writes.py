"""The write benchmark: filing, a company answer and an evaluation on the biggest company,
with several writers at once, against the production processes (gunicorn and task workers).

A script, not a test (bench/README.md). It starts gunicorn and `manage.py run_worker`
processes with production settings and the database task queue, prepares members, a
representative and answered complaints of the company with the most public complaints, then
runs each kind of write with `--writers` threads for `--duration` seconds over keep-alive
connections, and reports writes per second, p50/p99 latency and errors per kind, how long the
company's scorecard took to be current after the last write, and the queue depth over the run.
Each form is fetched first (its tokens are single-use); only the POST is timed.

Rate limits are raised for the run (a settings module of its own): they protect against one
person writing a lot, which is what eight writers do here; they are still counted.
"""

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import run as reads  # noqa: E402 (bench/run.py: the read benchmark's helpers)

TARGET_P99_MS = 100
TARGET_FRESH_SECONDS = 5
SETTINGS = """
from complaints_site.settings import *  # noqa: F403
# Counted as usual, but high enough that eight writers are not refused as one spammer.
ACCOUNT_RATE_LIMITS = {action: "1000000/h/user,1000000/h/ip" for action in ACCOUNT_RATE_LIMITS}  # noqa: F405
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--duration", type=int, default=30, help="seconds per kind of write (default: %(default)s)")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--task-workers", type=int, default=2, help="run_worker processes (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--output", default="docs/PERFORMANCE-WRITES.md", help="Markdown report; '' to only print")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    try:
        return run(args)
    except reads.BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2


def run(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    (folder / "bench_write_settings.py").write_text(SETTINGS)
    environment = {
        **reads.production_environment(args),
        "DJANGO_SETTINGS_MODULE": "bench_write_settings",
        "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)]),
        "TASKS_BACKEND": "database", "FORM_MIN_FILL_SECONDS": "0", "PREMODERATION": "none",
        "EMAIL_FILE_PATH": str(folder / "mail"),
    }
    sys.path.insert(0, str(folder))
    reads.require_free_port(args.port)
    reads.collect_static(environment)
    reads.setup_django(environment)
    reads.check_database()
    sizes = reads.data_sizes()  # before this run adds its members and complaints
    company, people = prepare(args)
    with ExitStack() as stack:
        stack.enter_context(reads.gunicorn(args, environment))
        for n in range(args.task_workers):
            stack.enter_context(task_worker(environment, n))
        depth = QueueDepth()
        stack.enter_context(depth.sampling())
        results = [
            run_kind(args, "filing: preview", people, file_draft),
            run_kind(args, "filing: publish", people, publish_draft),
            run_kind(args, "company answer", people, answer),
            run_kind(args, "evaluation", people, evaluate),
        ]
        last_write = time.time()
        fresh_after = scorecard_fresh_after(company, last_write)
    report(args, company, results, fresh_after, depth, sizes)
    return 0


# ------------------------------------------------------------------ preparing


class People:
    """Sessions and targets per writer: a member each, one representative, answered complaints."""

    def __init__(self):
        self.members: list[str] = []  # session cookie per writer
        self.representative = ""
        self.company_name = ""
        self.answer_targets: list[int] = []
        self.evaluation_targets: list[list[int]] = []  # per writer: their own answered complaints
        self.drafts: list[list[int]] = []  # per writer: drafts filed in the preview phase


def prepare(args):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.test import Client

    from companies.models import Company, Representative
    from complaints.access import CONVERSATION_STATUSES
    from complaints.models import Complaint, Message
    from complaints.services import notifications
    from complaints.services.scorecards import refreshes_deferred
    from complaints.services.thread import message_post
    from complaints.tests.factories import make_published

    company = (Company.objects.annotate(public=Count("complaints", filter=Q(complaints__status__in=Complaint.PUBLIC_STATUSES)))
               .order_by("-public").first())
    if company is None:
        raise SystemExit("The database has no company; generate data first (bench/README.md).")
    reads.say(f"the biggest company: {company.name} ({company.public} public complaints)")
    people = People()
    people.company_name = company.name
    run = uuid.uuid4().hex[:8]

    def session_of(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    users = get_user_model()
    members = []
    for n in range(args.writers):
        member = users.objects.create_user(username=f"writer-{run}-{n}", email=f"writer-{run}-{n}@bench.example",
                                           password=None)
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        members.append(member)
        people.members.append(session_of(member))
    rep = users.objects.create_user(username=f"rep-{run}", email=f"rep-{run}@bench.example", password=None)
    Representative.objects.create(user=rep, company=company, role="agent", verified_by="domain")
    people.representative = session_of(rep)
    people.answer_targets = list(Complaint.objects.filter(company=company, status__in=CONVERSATION_STATUSES)
                                 .order_by("-published_at").values_list("pk", flat=True)[:2000])
    # Each evaluation uses up its complaint; one writer manages about six a second on 2 cores,
    # so eight a second keeps them from running out before the time is up.
    per_writer = max(10, args.duration * 8)
    reads.say(f"preparing {per_writer * args.writers} answered complaints for the evaluations")
    with notifications.muted(), refreshes_deferred():
        for member in members:
            mine = []
            for _n in range(per_writer):
                complaint = make_published(author=member, company=company, title="Bench: charged twice")
                message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We refunded you.")
                mine.append(complaint.pk)
            people.evaluation_targets.append(mine)
    people.drafts = [[] for _member in members]
    return company, people


@contextmanager
def task_worker(environment, n):
    import subprocess

    log = open(tempfile.mkstemp(prefix=f"bench-worker-{n}-", suffix=".log")[1], "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 (our own interpreter)
        [sys.executable, "manage.py", "run_worker", "--no-reload", "--interval", "0.2"],
        cwd=REPO, env={**os.environ, **environment}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


# ------------------------------------------------------------------ writing


class Writer:
    """One keep-alive connection and one person's cookies, speaking HTTPS through the "proxy"."""

    def __init__(self, args, session: str):
        self.args = args
        self.connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        self.cookies = {"sessionid": session}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {**reads.PROXY_HEADERS, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Host": f"127.0.0.1:{self.args.port}"}
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            origin = f"https://127.0.0.1:{self.args.port}"
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                        "Referer": origin + path}
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode(errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)

    def form(self, path: str) -> dict:
        """The hidden inputs of the page's forms (CSRF token, single-use tokens and stamps)."""
        status, html, _headers = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def file_draft(writer: Writer, people: People, index: int) -> tuple[float, bool]:
    fields = writer.form("/complaints/new/")
    fields |= {"company_name": people.company_name, "title": f"Bench: line down {uuid.uuid4().hex[:6]}",
               "story": "The line has been down since Monday. Support promised a call back.",
               "desired_outcome": "repair", "language": "en"}
    started = time.perf_counter()
    status, _text, headers = writer.request("POST", "/complaints/new/", fields)
    elapsed = time.perf_counter() - started
    match = re.search(r"/complaints/(\d+)/preview/", headers.get("Location", ""))
    if status == 302 and match:
        people.drafts[index].append(int(match.group(1)))
    return elapsed, status == 302 and bool(match)


def publish_draft(writer: Writer, people: People, index: int) -> tuple[float, bool] | None:
    if not people.drafts[index]:
        return None
    pk = people.drafts[index].pop()
    fields = writer.form(f"/complaints/{pk}/preview/")
    started = time.perf_counter()
    status, _text, _headers = writer.request("POST", f"/complaints/{pk}/submit/", fields)
    return time.perf_counter() - started, status == 302


def answer(writer: Writer, people: People, index: int) -> tuple[float, bool] | None:
    if not people.answer_targets:
        return None
    pk = people.answer_targets[(index * 7919 + int(time.monotonic() * 1000)) % len(people.answer_targets)]
    path = f"/complaints/{pk}/"
    status, _html, headers = writer.request("GET", path)  # the address redirects to the page with its slug
    fields = writer.form(urlsplit(headers.get("Location", path)).path if status in (301, 302) else path)
    fields |= {"as": "company", "kind": "answer", "body": "We are sorry; an engineer will call you today."}
    started = time.perf_counter()
    status, _text, _headers = writer.request("POST", f"/complaints/{pk}/messages/", fields)
    return time.perf_counter() - started, status == 302


def evaluate(writer: Writer, people: People, index: int) -> tuple[float, bool] | None:
    if not people.evaluation_targets[index]:
        return None
    pk = people.evaluation_targets[index].pop()
    fields = writer.form(f"/complaints/{pk}/evaluate/")
    fields |= {"resolved": "yes", "rating": "4", "would_return": "yes", "waiting_time": "4", "treatment": "5",
               "knowledge": "4", "willingness": "5", "compensation_fairness": "3", "comment": "Fair in the end."}
    started = time.perf_counter()
    status, _text, _headers = writer.request("POST", f"/complaints/{pk}/evaluate/", fields)
    return time.perf_counter() - started, status == 302


def run_kind(args, name: str, people: People, write) -> dict:
    reads.say(f"{name}: {args.writers} writers for {args.duration} s")
    latencies: list[float] = []
    errors = [0]
    ran_out = [0]  # writers that had nothing left to write before the time was up
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def writer_loop(index: int) -> None:
        session = people.representative if write is answer else people.members[index]
        writer = Writer(args, session)
        while time.monotonic() < deadline:
            try:
                outcome = write(writer, people, index)
            except (OSError, http.client.HTTPException, RuntimeError):
                writer = Writer(args, session)
                outcome = (0.0, False)
            if outcome is None:
                with lock:
                    ran_out[0] += 1
                return
            seconds, ok = outcome
            with lock:
                if ok:
                    latencies.append(seconds)
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=writer_loop, args=(n,)) for n in range(args.writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "name": name, "writes": len(ordered), "errors": errors[0], "per_second": len(ordered) / elapsed,
        "ran_out": ran_out[0], "seconds": elapsed,
        "p50": 1000 * statistics.median(ordered) if ordered else None,
        "p99": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else None,
    }


# ------------------------------------------------------------------ afterwards


class QueueDepth:
    """Tasks waiting in the queue, sampled every second during the run."""

    def __init__(self):
        self.samples: list[int] = []

    @contextmanager
    def sampling(self):
        from django.db import connection
        from django_tasks_db.models import DBTaskResult

        stop = threading.Event()

        def sample():
            while not stop.wait(1):
                self.samples.append(DBTaskResult.objects.ready().count())
            connection.close()

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()


def scorecard_fresh_after(company, last_write: float) -> float | None:
    """Seconds from the last write until the company's scorecard was computed after it (None: not in 60 s)."""
    from companies.models import Scorecard

    while time.time() - last_write < 60:
        card = Scorecard.objects.filter(company=company, window=Scorecard.Window.LAST_12_MONTHS).first()
        if card and card.computed_at and card.computed_at.timestamp() >= last_write:
            return card.computed_at.timestamp() - last_write
        time.sleep(0.2)
    return None


def report(args, company, results, fresh_after, depth, sizes) -> None:
    lines = [
        "# Write benchmark",
        "",
        f"`{reads.command_line()}` on {reads.cpu_model()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, code at {reads.git_revision()}; load average "
        f"{os.getloadavg()[0]:.1f} at the end. The writers, gunicorn, the task workers and PostgreSQL share "
        "these cores.",
        f"Data before the run: {sizes['complaints']:,} complaints ({sizes['public complaints']:,} public), "
        f"{sizes['companies']:,} companies, {sizes['messages']:,} messages, {sizes['members']:,} members.",
        f"Company: {company.name}, {company.public} public complaints. {args.workers} gunicorn workers, "
        f"{args.task_workers} task workers, the database task queue.",
        "",
        "| write | writes | writes/s | p50 ms | p99 ms | errors | p99 < 100 ms |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for row in results:
        p50 = f"{row['p50']:.0f}" if row["p50"] is not None else "-"
        p99 = f"{row['p99']:.0f}" if row["p99"] is not None else "-"
        met = "met" if row["p99"] is not None and row["p99"] < TARGET_P99_MS else "missed"
        lines.append(f"| {row['name']} | {row['writes']} | {row['per_second']:.1f} | {p50} | {p99} | "
                     f"{row['errors']} | {met} |")
    for row in results:
        if row["ran_out"]:
            lines.append(f"\n{row['name']}: {row['ran_out']} of {args.writers} writers ran out of targets "
                         f"(prepared complaints, or drafts filed in the preview phase) before the time was up; the phase "
                         f"took {row['seconds']:.0f} s, and writes/s is over that time.")
    fresh = "not within 60 s" if fresh_after is None else f"{fresh_after:.1f} s"
    met = "met" if fresh_after is not None and fresh_after < TARGET_FRESH_SECONDS else "missed"
    lines += [
        "",
        f"Scorecard current after the last write: {fresh} (target under {TARGET_FRESH_SECONDS} s: {met}).",
        f"Queue depth (tasks waiting, sampled each second): max {max(depth.samples, default=0)}, "
        f"at the end {depth.samples[-1] if depth.samples else 0}.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        (REPO / args.output).write_text(text)


if __name__ == "__main__":
    sys.exit(main())
