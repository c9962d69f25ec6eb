"""The clock, told to the people who can act on it (scheduled jobs, settings.SCHEDULED_JOBS):
representatives are reminded of each unanswered complaint on day 2 and day 6 and get a weekly
summary; an author whose complaint was answered but not evaluated after 14 days is asked once
whether it was resolved (FixMyStreet's questionnaire).

Each reminder is a notification under a fixed event name ("reminder-<id>-day-2"), unique per
person: a job run twice, or run late, reminds nobody twice.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, Representative
from complaints.models import Complaint, Evaluation, Notification
from complaints.services.notifications import notify, notify_users, representative_ids

REMINDER_DAYS = (2, 6)
# A job that did not run for a while still reminds of what it missed, up to this far back;
# older complaints are the weekly summary's business.
CATCH_UP = timedelta(days=1)
QUESTIONNAIRE_DAYS = 14


def _not_yet_sent(events: dict[str, Complaint]) -> dict[str, Complaint]:
    sent = set(Notification.objects.filter(event__in=list(events)).values_list("event", flat=True).distinct())
    return {event: complaint for event, complaint in events.items() if event not in sent}


@task
def remind_unanswered() -> int:
    return reminders_send()


@task
def ask_authors_if_resolved() -> int:
    return questionnaires_send()


@task
def send_weekly_summaries() -> int:
    return weekly_summaries_send()


def reminders_send(now=None) -> int:
    """Day 2 and day 6 without a first answer: remind the company's representatives."""
    now = now or timezone.now()
    queued = 0
    for day in REMINDER_DAYS:
        due = (Complaint.objects.filter(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True,
                                        published_at__lte=now - timedelta(days=day),
                                        published_at__gt=now - timedelta(days=day) - CATCH_UP)
               .select_related("company").order_by("published_at", "pk"))
        events = {f"reminder-{complaint.pk}-day-{day}": complaint for complaint in due}
        for event, complaint in _not_yet_sent(events).items():
            notify(template="answer_reminder", users=representative_ids(complaint.company), complaint=complaint,
                   event=event, days=day)
            queued += 1
    return queued


def questionnaires_send(now=None) -> int:
    """Answered, not evaluated, 14 days after the first answer: ask the author once."""
    now = now or timezone.now()
    since = now - timedelta(days=QUESTIONNAIRE_DAYS)
    due = (Complaint.objects.filter(status=Complaint.Status.ANSWERED, first_answered_at__lte=since,
                                    first_answered_at__gt=since - timedelta(days=7))
           .exclude(pk__in=Evaluation.objects.values("complaint_id"))
           .select_related("company").order_by("first_answered_at", "pk"))
    events = {f"questionnaire-{complaint.pk}": complaint for complaint in due}
    for event, complaint in _not_yet_sent(events).items():
        notify(template="questionnaire", users=[complaint.author_id], complaint=complaint, event=event,
               evaluate_url=settings.SITE_URL + complaint.get_absolute_url() + "#evaluation")
    return len(events)


def company_week(company, now) -> dict:
    """A company's week in three figures: open complaints, overdue ones, and the mean hours to a
    first answer over the complaints first answered in the last 30 days."""
    cutoff = now - timedelta(days=settings.ANSWER_OVERDUE_DAYS)
    counts = Complaint.objects.filter(company=company).aggregate(
        open=Count("pk", filter=Q(status__in=[Complaint.Status.PUBLISHED, Complaint.Status.ANSWERED])),
        overdue=Count("pk", filter=Q(status=Complaint.Status.PUBLISHED, first_answered_at__isnull=True,
                                     published_at__lt=cutoff)),
        first_answer=Avg(ExpressionWrapper(F("first_answered_at") - F("published_at"), output_field=DurationField()),
                         filter=Q(first_answered_at__gte=now - timedelta(days=30))),
    )
    wait = counts["first_answer"]
    return {"open": counts["open"], "overdue": counts["overdue"],
            "hours_to_answer": round(wait.total_seconds() / 3600) if wait is not None else None}


def weekly_summaries_send(now=None) -> int:
    """On Mondays: each represented company's week, to its representatives."""
    now = now or timezone.now()
    if timezone.localtime(now).weekday() != 0:
        return 0
    week = timezone.localtime(now).strftime("%G-W%V")
    companies = Company.objects.filter(pk__in=Representative.objects.values("company_id")).order_by("pk")
    for company in companies:
        event = f"weekly-{company.pk}-{week}"
        if Notification.objects.filter(event=event).exists():
            continue
        notify_users(template="weekly_summary", user_ids=representative_ids(company), event=event, context={
            "company": company.name, "url": f"{settings.SITE_URL}{reverse('complaints:business')}?company={company.slug}",
            "site_name": settings.SITE_NAME, **company_week(company, now),
        })
    return companies.count()
