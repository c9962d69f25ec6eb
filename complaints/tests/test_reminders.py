"""The clock in public and in the mail, driven by a fixed clock: waiting days on the complaint,
overdue marks and counts, reminders on day 2 and day 6, the weekly summary, the questionnaire."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, Message, Notification
from complaints.services.reminders import (
    company_week,
    questionnaires_send,
    reminders_send,
    weekly_summaries_send,
)
from complaints.services.thread import message_post
from complaints.tests.factories import make_published
from complaints.tests.test_notifications import client_for
from complaints_site.tests.language_client import LanguageClient

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.get_current_timezone())


def published_ago(member, company, *, days, hours=0, title="Router broken"):
    complaint = make_published(author=member, company=company, title=title)
    Complaint.objects.filter(pk=complaint.pk).update(published_at=MONDAY - timedelta(days=days, hours=hours))
    complaint.refresh_from_db()
    return complaint


def reminders_of(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user, kind="answer_reminder").values_list("event", flat=True))


def test_the_complaint_page_says_how_long_it_has_waited(client, member, company):
    complaint = make_published(author=member, company=company)
    assert "Waiting less than a day for the company's first answer." in client.get(complaint.get_absolute_url()).content.decode()
    Complaint.objects.filter(pk=complaint.pk).update(published_at=timezone.now() - timedelta(days=9, hours=1))
    page = client.get(complaint.get_absolute_url()).content.decode()
    assert "Waiting 9 days for the company's first answer." in page and "waiting-overdue" in page
    client = LanguageClient(client, "ru")
    assert "Ждёт первого ответа компании 9 дней." in client.get(complaint.get_absolute_url()).content.decode()


def test_an_answered_complaint_shows_no_clock(client, member, company, rep):
    complaint = published_ago(member, company, days=3)
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="On it.")
    assert "first answer." not in client.get(complaint.get_absolute_url()).content.decode()


def test_overdue_complaints_are_marked_in_the_inbox_and_counted_on_the_company_page(client, member, company, rep):
    make_published(author=member, company=company, title="New one")
    old = make_published(author=member, company=company, title="Old one")
    Complaint.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=8))
    inbox = client_for(rep).get(reverse("complaints:business")).content.decode()
    assert inbox.count('<span class="badge badge-warning">overdue</span>') == 1
    page = client.get(company.get_absolute_url()).content.decode()
    assert "1 complaint has waited more than 7 days for a first answer." in page


def test_representatives_are_reminded_on_day_2_and_day_6_once(member, company, rep, django_capture_on_commit_callbacks,
                                                              mailoutbox):
    fresh = published_ago(member, company, days=1)
    two = published_ago(member, company, days=2, hours=3)
    six = published_ago(member, company, days=6, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(MONDAY) == 2
    assert reminders_of(rep) == sorted([f"reminder-{six.pk}-day-6", f"reminder-{two.pk}-day-2"])
    assert any("Waiting 2 days for your answer" in mail.subject for mail in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(MONDAY + timedelta(minutes=30)) == 0  # the next run reminds nobody again
    assert len(reminders_of(rep)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(MONDAY + timedelta(days=1))
    assert f"reminder-{fresh.pk}-day-2" in reminders_of(rep)
    assert not Notification.objects.filter(user=member, kind="answer_reminder").exists()


def test_an_answered_complaint_is_not_reminded(member, company, rep, django_capture_on_commit_callbacks):
    complaint = published_ago(member, company, days=2, hours=2)
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="On it.")
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(MONDAY) == 0


def test_the_questionnaire_asks_the_author_once(member, company, rep, django_capture_on_commit_callbacks, mailoutbox):
    complaint = published_ago(member, company, days=20)
    message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="Fixed.")
    Complaint.objects.filter(pk=complaint.pk).update(first_answered_at=MONDAY - timedelta(days=15))
    with django_capture_on_commit_callbacks(execute=True):
        questionnaires_send(MONDAY)
        questionnaires_send(MONDAY + timedelta(days=1))
    [asked] = Notification.objects.filter(user=member, kind="questionnaire")
    [mail] = [m for m in mailoutbox if "Was it resolved?" in m.subject]
    assert complaint.get_absolute_url() + "#evaluation" in mail.body
    assert asked.event == f"questionnaire-{complaint.pk}"


def test_the_weekly_summary_goes_out_on_mondays_once(member, company, rep, django_capture_on_commit_callbacks,
                                                     mailoutbox):
    published_ago(member, company, days=9)
    answered = published_ago(member, company, days=3)
    message_post(complaint=answered, user=rep, kind=Message.Kind.ANSWER, body="On it.")
    Complaint.objects.filter(pk=answered.pk).update(first_answered_at=MONDAY - timedelta(days=1))
    week = company_week(company, MONDAY)
    assert (week["open"], week["overdue"], week["hours_to_answer"]) == (2, 1, 48)
    with django_capture_on_commit_callbacks(execute=True):
        assert weekly_summaries_send(MONDAY + timedelta(days=1)) == 0  # a Tuesday
        weekly_summaries_send(MONDAY)
        weekly_summaries_send(MONDAY + timedelta(hours=2))
    [summary] = [m for m in mailoutbox if "Your week" in m.subject]
    assert "2 open complaints" in summary.body and "after 48 hours on average" in summary.body
    assert Notification.objects.filter(user=rep, kind="weekly_summary").count() == 1
