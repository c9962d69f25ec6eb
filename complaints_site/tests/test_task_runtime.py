"""The background runtime's rules, on the real database backend (django-tasks-db) in this process:
retries with backoff, tasks of dead workers put back, coalesced scorecard refreshes, the scheduler
that never queues a job twice, mail that reaches each person once, the readiness report.

Worker and scheduler processes, killed workers and a mail server that is down are in
test_task_processes.py.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from companies.models import PendingScorecardRefresh, Scorecard
from complaints.models import Message, Notification
from complaints.services.notifications import send_notification
from complaints.services.scorecards import refresh_scorecard_task, schedule_scorecard_refresh
from complaints.services.thread import message_post
from complaints.tests.factories import make_published, make_representative
from complaints_site.models import ScheduledRun, WorkerBeat
from complaints_site.scheduler import Job, queue_due_jobs
from complaints_site.worker import (
    MOVED_TASKS,
    Worker,
    rename_moved_tasks,
    requeue_abandoned,
    retry_delay,
    retry_or_keep_failed,
)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    settings.SCORECARD_REFRESH_DELAY = 0
    # In this process the test's transaction must stay open: the worker's loop would close the connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    return settings


def work_off(worker_id="test-worker") -> None:
    """Run every task that is ready, in this process, as a worker process would (claims, retries);
    the heartbeat thread, which needs a connection of its own, is tested with real processes."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    DatabaseWorker.run(worker)


def rows(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path))


# Retries.

def test_the_wait_between_tries_doubles_and_is_capped_at_an_hour(settings):
    settings.TASK_RETRY_SECONDS = 10
    waits = [retry_delay(attempt).total_seconds() for attempt in (1, 2, 3, 12)]
    assert 8 <= waits[0] <= 12 and 16 <= waits[1] <= 24 and 32 <= waits[2] <= 48
    assert 2880 <= waits[3] <= 4320


def test_a_failed_task_waits_for_its_next_try_then_stays_failed_after_the_last(database_tasks, db):
    database_tasks.TASK_MAX_ATTEMPTS = 2
    result = send_notification.enqueue(template="no-such-template", user_ids=[], values={})
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("w1")
    row.set_failed(ValueError("mail server said no"))
    assert retry_or_keep_failed(row) is True
    row.refresh_from_db()
    assert row.status == "READY" and row.run_after > timezone.now()
    assert row.exception_class_path.endswith("ValueError")  # the admin shows why it waits

    row.claim("w2")
    row.set_failed(ValueError("mail server said no"))
    assert retry_or_keep_failed(row) is False
    row.refresh_from_db()
    assert row.status == "FAILED"  # kept, with its traceback, never lost
    assert "mail server said no" in row.traceback


def test_the_worker_retries_a_failing_task(database_tasks, db, member, company, django_capture_on_commit_callbacks):
    database_tasks.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                          "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1}}}
    complaint = make_published(author=member, company=company)
    rep = make_representative(company, email="rep@2kom.example")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We are on it.")
    work_off()
    [row] = rows(send_notification)
    assert row.status == "READY" and len(row.worker_ids) == 1  # refused by the mail server: waits

    database_tasks.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())  # its next try is due
    work_off()
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 2
    assert [m.to for m in mail.outbox] == [[member.email]]


# Workers that stop.

def test_a_task_of_a_worker_that_stopped_beating_goes_back_to_the_queue(database_tasks, db):
    result = send_notification.enqueue(template="x", user_ids=[], values={})
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    long_ago = timezone.now() - timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=long_ago)
    WorkerBeat.objects.create(worker_id="dead-worker", seen_at=long_ago)

    assert requeue_abandoned() == 1
    row.refresh_from_db()
    assert row.status == "READY"


def test_a_task_queued_where_its_code_used_to_be_runs_where_it_is_now(database_tasks, db, member):
    # A row the previous release queued (complaints.notifications, before complaints/services/).
    result = send_notification.enqueue(template="author_message", user_ids=[member.pk],
                                       values={"title": "T", "company": "C", "url": "http://x/", "site_name": "S"})
    DBTaskResult.objects.filter(pk=result.id).update(task_path="complaints.notifications.send_notification")

    assert rename_moved_tasks() == 1
    work_off()
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.task_path, row.status) == ("complaints.services.notifications.send_notification", "SUCCESSFUL")
    assert Notification.objects.filter(user=member, event=str(row.id)).count() == 1
    assert rename_moved_tasks() == 0


def test_every_moved_task_path_names_a_task_that_exists():
    from django.tasks import Task
    from django.utils.module_loading import import_string

    assert len(MOVED_TASKS) == 10
    for old, new in MOVED_TASKS.items():
        assert isinstance(import_string(new), Task), new
        with pytest.raises(ImportError):
            import_string(old)


def test_a_long_task_of_a_live_worker_is_left_alone(database_tasks, db):
    result = send_notification.enqueue(template="x", user_ids=[], values={})
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("busy-worker")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    WorkerBeat.objects.create(worker_id="busy-worker", seen_at=timezone.now())
    assert requeue_abandoned() == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"


# Scorecards: coalesced, out of the request.

def test_a_hundred_changes_to_one_company_give_one_refresh(database_tasks, db, company, member,
                                                           django_capture_on_commit_callbacks):
    make_published(author=member, company=company)
    DBTaskResult.objects.all().delete()
    for _change in range(100):
        with django_capture_on_commit_callbacks(execute=True):
            schedule_scorecard_refresh(company.pk)
    assert len(rows(refresh_scorecard_task)) == 1
    assert PendingScorecardRefresh.objects.filter(company=company).exists()

    work_off()
    assert Scorecard.objects.get(company=company, window=Scorecard.Window.LAST_12_MONTHS).complaints == 1
    assert not PendingScorecardRefresh.objects.exists()

    # A change after the refresh started asks for a refresh of its own.
    with django_capture_on_commit_callbacks(execute=True):
        schedule_scorecard_refresh(company.pk)
    assert [row.status for row in rows(refresh_scorecard_task)].count("READY") == 1


def test_an_answer_does_not_refresh_the_scorecard_in_the_request(database_tasks, db, company, member,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_published(author=member, company=company)
    work_off()
    rep = make_representative(company, email="rep@2kom.example")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Fixed.")
    card = Scorecard.objects.get(company=company, window=Scorecard.Window.LAST_12_MONTHS)
    assert card.answered == 0  # not yet: the worker does it
    work_off()
    card.refresh_from_db()
    assert card.answered == 1


def test_a_rolled_back_change_queues_nothing(database_tasks, db, company):
    with pytest.raises(RuntimeError), transaction.atomic():
        schedule_scorecard_refresh(company.pk)
        send_notification.enqueue(template="x", user_ids=[], values={})
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists() and not PendingScorecardRefresh.objects.exists()


# The scheduler.

def test_a_daily_job_is_due_from_its_hour_and_once_per_day(settings):
    settings.TIME_ZONE = "UTC"
    job = Job("j", "complaints.jobs.purge_redactions", "daily 03:00")
    day = timezone.now().replace(year=2026, month=12, day=5, hour=2, minute=59)
    assert job.slot(day) is None
    assert job.slot(day.replace(hour=3, minute=0)) == job.slot(day.replace(hour=23)) == "2026-12-05"


def test_two_schedulers_queue_each_job_once_per_slot(database_tasks, db):
    late = timezone.now().replace(hour=23, minute=59)
    first = queue_due_jobs(late)
    second = queue_due_jobs(late)  # as a second scheduler started by mistake would
    assert sorted(first) == sorted(name for name, *_rest in database_tasks.SCHEDULED_JOBS)
    assert second == []
    assert DBTaskResult.objects.count() == len(first) == ScheduledRun.objects.count()


def test_the_scheduled_jobs_run_in_a_worker(database_tasks, db):
    queue_due_jobs(timezone.now().replace(hour=23, minute=59))
    work_off()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


# Mail: each person gets a notification once, whatever happens to the task.

def test_a_notification_run_again_skips_who_already_has_it(database_tasks, db, member, other_member):
    result = send_notification.enqueue(template="author_message", user_ids=[member.pk, other_member.pk],
                                       values={"title": "T", "company": "C", "url": "http://x/", "site_name": "S"})
    row = DBTaskResult.objects.get(pk=result.id)
    # The worker died after writing both notifications and mailing the first person.
    Notification.objects.create(user=member, event=str(row.id), kind="author_message", topic="my_companies",
                                delivery="at_once", mailed_at=timezone.now())
    Notification.objects.create(user=other_member, event=str(row.id), kind="author_message", topic="my_companies",
                                delivery="at_once")
    mail.outbox = []
    work_off()
    assert [m.to for m in mail.outbox] == [[other_member.email]]
    assert Notification.objects.filter(event=str(row.id), mailed_at__isnull=False).count() == 2
    assert Notification.objects.count() == 2  # nobody has it twice on the site either


def test_account_mail_is_sent_by_a_task(database_tasks, db, client):
    client.post(reverse("account_reset_password"), {"email": "nobody-yet@example.com"})
    client.post(reverse("account_signup"), {"email": "new@example.com", "password1": "a-long-pass-1234",
                                            "password2": "a-long-pass-1234"})
    assert mail.outbox == []  # nothing sent in the request
    assert DBTaskResult.objects.filter(task_path="complaints_site.mail.send_written_mail").exists()
    work_off()
    assert any("new@example.com" in m.to for m in mail.outbox)


# Readiness.

def test_readiness_reports_the_queue(database_tasks, db, client):
    send_notification.enqueue(template="x", user_ids=[], values={})
    response = client.get("/readyz")
    assert response.status_code == 200
    report = response.json()
    assert report["database"] == report["cache"] == "ok"
    assert report["tasks"]["waiting"] == 1 and report["tasks"]["oldest_waiting_seconds"] >= 0


def test_readiness_is_503_when_the_cache_is_down(db, client):
    unreachable = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                               "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


def test_the_admin_lists_failed_tasks_with_their_traceback(database_tasks, db, client):
    from django.contrib.auth import get_user_model

    result = send_notification.enqueue(template="x", user_ids=[], values={})
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("w1")
    row.set_failed(ConnectionRefusedError("mail server down"))
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "a-long-admin-pass-1")
    client.force_login(admin)
    listing = client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"), {"status__exact": "FAILED"})
    assert listing.status_code == 200 and str(row.id) in listing.content.decode()
    detail = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk]))
    assert "mail server down" in detail.content.decode()
