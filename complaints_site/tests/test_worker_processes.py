"""The background runtime with real processes on PostgreSQL: `manage.py run_worker` and
`manage.py run_scheduler` started by the tests, sharing the test database with this process.

- a company's answer is mailed and counted in its scorecard by a worker, not by the request;
- a worker killed in the middle of a task: another worker runs it again, its effect happens once;
- the mail server is down: the notification waits and goes out, once, when the server is back;
- two schedulers started at the same moment queue each job once;
- `/readyz` from a web process shows the queue waiting while no worker runs, and empty after one.

The SQLite run of the suite skips these (its test database lives in this process's memory);
the rules themselves are tested on both databases in test_task_runtime.py.
"""

import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from companies.models import Scorecard
from complaints.models import Message, Notification
from complaints.services.thread import message_post
from complaints.tests.factories import make_published, make_representative
from complaints_site.models import ScheduledRun
from complaints_site.scheduler import jobs
from complaints_site.tests.runtime_tasks import slow_once

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


@pytest.fixture
def runtime(transactional_db, settings, tmp_path):
    """Starts workers and schedulers on this test's database; stops them all afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the test database only on PostgreSQL (the SQLite one is in memory)")
    settings.TASKS = DATABASE_TASKS
    settings.SCORECARD_REFRESH_DELAY = 0
    database = connection.settings_dict
    mail_folder = tmp_path / "mail"
    mail_folder.mkdir()
    env = {
        **{key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "EMAIL_HOST", "CI"}},
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
                        f"/{database['NAME']}",
        "TASKS_BACKEND": "database", "DEBUG": "true", "WORKER_HEARTBEAT_SECONDS": "1", "TASK_RETRY_SECONDS": "1",
        "SCORECARD_REFRESH_DELAY": "0", "EMAIL_FILE_PATH": str(mail_folder), "PYTHONUNBUFFERED": "1",
    }
    processes = []

    class Runtime:
        mail = mail_folder
        environment = env

        def start(self, *command, **extra_env):
            log = open(tmp_path / f"process-{len(processes)}.log", "wb")  # noqa: SIM115 (closed with the process)
            process = subprocess.Popen(  # noqa: S603 (our own manage.py)
                [sys.executable, "manage.py", *command], cwd=BASE_DIR, env={**env, **extra_env},
                stdout=log, stderr=subprocess.STDOUT,
            )
            processes.append((process, log))
            return process

        def worker(self, name: str, **extra_env):
            return self.start("run_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload",
                              "--worker-id", name, **extra_env)

    yield Runtime()
    for process, log in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_a_workers_mail_and_scorecard_follow_the_answer(runtime, member, company):
    runtime.worker("worker-1")
    complaint = make_published(author=member, company=company)
    rep = make_representative(company, email="rep@2kom.example")

    started = time.monotonic()
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We have sent an engineer.")
    card = wait_for(
        lambda: Scorecard.objects.filter(company=company, window=Scorecard.Window.LAST_12_MONTHS, answered=1).first(),
        seconds=10, what="the scorecard counts the answer",
    )
    assert time.monotonic() - started < 5, "the figures must be current within 5 s"
    assert card.complaints == 1
    # Other mail may come first (the representative is told their request was approved): wait for this one.
    def authors_notification():
        return [text for text in (path.read_text() for path in runtime.mail.iterdir())
                if member.email in text and "answered your complaint" in text]

    assert wait_for(authors_notification, seconds=10, what="the author's notification is written")


def test_a_task_of_a_killed_worker_runs_again_and_its_effect_happens_once(runtime, tmp_path):
    folder = tmp_path / "task"
    folder.mkdir()
    first = runtime.worker("doomed")
    result = slow_once.enqueue(folder=str(folder), seconds=60)
    wait_for(lambda: (folder / "started-1").exists(), seconds=20, what="the first worker starts the task")
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    first.send_signal(signal.SIGKILL)  # no goodbye, no cleanup: as when a machine dies
    first.wait()

    runtime.worker("survivor")
    row = wait_for(lambda: DBTaskResult.objects.filter(pk=result.id, status="SUCCESSFUL").first(), seconds=20,
                   what="another worker runs the task again")
    assert row.worker_ids == ["doomed", "survivor"]
    assert (folder / "effect").read_text() == "done on attempt 2"
    assert sorted(path.name for path in folder.iterdir()) == ["effect", "started-1", "started-2"]


class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough of SMTP to receive messages (no extensions, no TLS)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int):
        self.messages: list[bytes] = []
        super().__init__(("127.0.0.1", port), SMTPSession)


class SMTPSession(socketserver.StreamRequestHandler):
    def reply(self, text: str) -> None:
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        self.reply("220 sink ready")
        data, lines = False, []
        while line := self.rfile.readline():
            if data:
                if line.rstrip(b"\r\n") == b".":
                    self.server.messages.append(b"".join(lines))
                    data, lines = False, []
                    self.reply("250 queued")
                else:
                    lines.append(line)
                continue
            command = line[:4].upper()
            if command == b"DATA":
                data = True
                self.reply("354 go on")
            elif command == b"QUIT":
                self.reply("221 bye")
                return
            else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


def test_mail_waits_while_the_mail_server_is_down_and_goes_out_once_it_is_back(runtime, member, company):
    port = free_port()
    runtime.worker("mailer", EMAIL_FILE_PATH="", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    complaint = make_published(author=member, company=company)
    rep = make_representative(company, email="rep@2kom.example")
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Please check your line now.")

    mail_task = "complaints.services.notifications.send_notification"
    wait_for(lambda: DBTaskResult.objects.filter(task_path=mail_task, status="READY", run_after__gt=timezone.now())
             .exclude(worker_ids=[]).exists(), seconds=20, what="the refused mail waits for its next try")
    assert not Notification.objects.exclude(mailed_at=None).exists()

    sink = SMTPSink(port)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        wait_for(lambda: DBTaskResult.objects.filter(task_path=mail_task, status="SUCCESSFUL").exists(), seconds=30,
                 what="the mail goes out once the server is back")
        time.sleep(1)  # anything sent twice would have arrived by now
    finally:
        sink.shutdown()
        sink.server_close()
    assert len(sink.messages) == 1
    assert member.email.encode() in sink.messages[0]
    assert list(Notification.objects.exclude(mailed_at=None).values_list("user", flat=True)) == [member.pk]


def test_two_schedulers_started_at_once_queue_each_job_once(runtime):
    now = timezone.now()
    due = sorted(job.name for job in jobs() if job.slot(now) is not None)
    schedulers = [runtime.start("run_scheduler", "--once") for _n in range(2)]
    for scheduler in schedulers:
        assert scheduler.wait(timeout=60) == 0
    assert sorted(ScheduledRun.objects.values_list("job", flat=True)) == due
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == sorted(job.task_path for job in jobs() if job.name in due)


def readiness(base: str) -> dict:
    with urllib.request.urlopen(base + "/readyz", timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def test_readiness_shows_the_queue_waiting_without_a_worker_and_empty_after_one(runtime, member, company):
    port = free_port()
    runtime.start("runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"

    def served():
        try:
            return readiness(base)
        except OSError:
            return None

    wait_for(served, seconds=20, what="the web process answers")

    complaint = make_published(author=member, company=company)
    rep = make_representative(company, email="rep@2kom.example")
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We have sent an engineer.")
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == ["complaints.services.notifications.send_notification", "complaints.services.scorecards.refresh_scorecard_task"]

    # Nobody works the queue: the tasks wait, and the oldest one ages.
    def ageing():
        tasks = readiness(base)["tasks"]
        return tasks if tasks["oldest_waiting_seconds"] >= 1 else None

    tasks = wait_for(ageing, seconds=10, what="the oldest waiting task is reported as ageing")
    assert tasks["backend"] == "database"
    assert tasks["waiting"] == len(queued) and tasks["running"] == tasks["failed"] == 0

    worker = runtime.start("run_worker", "--batch", "--no-startup-delay", "--worker-id", "batch")
    assert worker.wait(timeout=30) == 0
    tasks = readiness(base)["tasks"]
    assert tasks["waiting"] == tasks["running"] == tasks["failed"] == 0
    assert tasks["oldest_waiting_seconds"] == 0
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == len(queued)
