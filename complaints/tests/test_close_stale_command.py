"""`manage.py close_stale_complaints`, the daily cron job.

The complaints are answered through `message_post` with the clock turned back:
a test cannot wait 60 days.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from complaints.models import Complaint, Message, StatusChange
from complaints.services.thread import complaint_evaluate, message_post
from complaints.tests.factories import UserFactory, make_published
from complaints.timeline import sentence

S = Complaint.Status
CLOSE_DAYS = settings.COMPLAINT_CLOSE_DAYS


def close_stale() -> str:
    out = StringIO()
    call_command("close_stale_complaints", stdout=out)
    return out.getvalue()


@pytest.fixture
def answered_days_ago(monkeypatch, company, rep):
    def make(days: float) -> Complaint:
        complaint = make_published(author=UserFactory(), company=company)
        then = timezone.now() - timedelta(days=days)
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda: then)
            message_post(complaint=complaint, user=rep, kind=Message.Kind.ANSWER, body="We are looking into it.")
        complaint.refresh_from_db()
        assert complaint.status == S.ANSWERED
        return complaint

    return make


def reload(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.django_db
def test_it_closes_an_answered_complaint_older_than_the_close_days_with_a_timeline_row(answered_days_ago):
    stale = answered_days_ago(CLOSE_DAYS + 1)

    output = close_stale()

    assert output == f"Closed 1 answered complaint not evaluated within {CLOSE_DAYS} days.\n"
    stale = reload(stale)
    assert stale.status == S.CLOSED
    assert stale.is_public
    assert stale.waiting_on == Complaint.WaitingOn.NOBODY
    change = stale.status_changes.last()
    assert (change.from_status, change.to_status, change.actor) == (S.ANSWERED, S.CLOSED, None)
    assert (change.event, change.params, change.note) == ("closed_without_evaluation", {"days": CLOSE_DAYS}, "")
    assert sentence(change) == f"Closed without an evaluation after {CLOSE_DAYS} days."


@pytest.mark.django_db
def test_it_leaves_younger_and_evaluated_complaints_alone(answered_days_ago):
    young = answered_days_ago(CLOSE_DAYS - 1)
    evaluated = answered_days_ago(CLOSE_DAYS + 5)
    complaint_evaluate(complaint=evaluated, user=evaluated.author, data={
        "resolved": True, "rating": 4, "would_return": True, "comment": "Sorted in the end.",
    })
    changes = StatusChange.objects.count()

    output = close_stale()

    assert output == f"Closed 0 answered complaints not evaluated within {CLOSE_DAYS} days.\n"
    assert reload(young).status == S.ANSWERED
    assert reload(evaluated).status == S.RESOLVED
    assert StatusChange.objects.count() == changes


@pytest.mark.django_db
def test_running_it_twice_closes_nothing_more(answered_days_ago):
    stale = [answered_days_ago(CLOSE_DAYS + days) for days in (1, 30)]
    young = answered_days_ago(10)

    first = close_stale()
    changes = StatusChange.objects.count()
    second = close_stale()

    assert first.startswith("Closed 2 answered complaints")
    assert second.startswith("Closed 0 answered complaints")
    assert StatusChange.objects.count() == changes
    assert [reload(c).status for c in stale] == [S.CLOSED, S.CLOSED]
    assert reload(young).status == S.ANSWERED
    for complaint in stale:
        closings = complaint.status_changes.filter(to_status=S.CLOSED)
        assert closings.count() == 1
