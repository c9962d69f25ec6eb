"""Moderation services (complaints/services/moderation.py): every decision a moderator makes, allowed and
refused, with its append-only record, its public timeline row and the mail to the author; members'
flags; suspensions; edits; the pre-moderation rule (SECURITY.md items 27 and 29)."""

import io
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from companies.models import Company, CompanyDomain, CompanySlugRedirect, Representative, Scorecard
from companies.tests.factories import CompanyFactory
from complaints.models import (
    Comment,
    Complaint,
    Flag,
    Message,
    ModerationAction,
    Redaction,
    StatusChange,
    Suspension,
    Version,
)
from complaints.services.lifecycle import (
    ComplaintError,
    complaint_publish,
    complaint_save_draft,
    complaint_submit,
    complaint_withdraw,
)
from complaints.services.moderation import (
    complaint_edit,
    complaint_reopen_rejected,
    flag_create,
    message_edit,
    moderation_approve,
    moderation_confirm_company,
    moderation_dismiss_flags,
    moderation_hide,
    moderation_merge,
    moderation_move,
    moderation_redact,
    moderation_reject,
    moderation_restore,
    moderation_suspend,
    moderation_unsuspend,
    proposed_companies,
    queue_counts,
    redactions_purge,
)
from complaints.services.participation import comment_post
from complaints.services.scorecards import scorecard_refresh
from complaints.services.thread import message_post
from complaints.tests.factories import UserFactory, complaint_fields, make_draft, make_published
from complaints.timeline import sentence

PHONE = "+46 70 123 45 67"
REMOVED = "[removed: personal data]"
TWELVE_MONTHS = Scorecard.Window.LAST_12_MONTHS


def make_moderator(**kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


@pytest.fixture
def other_moderator(db):
    return make_moderator(email="second-moderator@example.com")


@pytest.fixture
def representative(company):
    user = UserFactory(email="rep@2kom.example")
    Representative.objects.create(user=user, company=company, role="owner", verified_by="domain")
    return user


@pytest.fixture
def pending(settings, member, company):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=member, company=company, title="Charged after cancelling")
    settings.PREMODERATION = {"none"}  # whatever else the test files is published at once
    assert complaint.status == Complaint.Status.PENDING
    return complaint


@pytest.fixture
def published(member, company):
    return make_published(author=member, company=company, title="Internet down for two weeks")


@pytest.fixture
def clock(monkeypatch):
    """Move the clock the services read forward (rows keep the time they were written)."""
    def forward(**delta):
        later = timezone.now() + timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: later)
    return forward


def mails_to(mailoutbox, user):
    return [mail for mail in mailoutbox if mail.to == [user.email]]


def recorded(**filters) -> list[str]:
    return list(ModerationAction.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


# The pre-moderation rule.

@pytest.mark.parametrize("rule, expected", [
    # first complaint (plain), second (a phone number in the story), third (plain)
    # "first": nothing of theirs has been approved yet, so all three wait.
    ({"first"}, ["pending", "pending", "pending"]),
    ({"personal_data"}, ["published", "pending", "published"]),
    ({"first", "personal_data"}, ["pending", "pending", "pending"]),
    ({"all"}, ["pending", "pending", "pending"]),
    ({"none"}, ["published", "published", "published"]),
])
def test_premoderation_rule_decides_which_complaints_wait_for_review(settings, member, company, rule, expected):
    settings.PREMODERATION = rule
    first = make_published(author=member, company=company)
    with_phone = make_published(author=member, company=company, story=f"Call me on {PHONE}, they never do.")
    plain = make_published(author=member, company=company)
    assert [first.status, with_phone.status, plain.status] == expected


def test_personal_data_in_the_title_also_waits_for_review(settings, member, company):
    settings.PREMODERATION = {"personal_data"}
    complaint = make_published(author=member, company=company, title="Write to ivan.petrov@example.com")
    assert complaint.status == Complaint.Status.PENDING
    assert not complaint.published_at


def test_default_rule_is_first_complaint_and_personal_data():
    from complaints_site import settings as project_settings  # the module, not the tests' override

    assert project_settings.PREMODERATION == {"first", "personal_data"}
    assert project_settings.PERSONAL_DATA_FLAGS_TO_HOLD == 3


def test_second_third_and_fourth_complaints_wait_while_the_first_is_pending(settings, member, company, moderator):
    settings.PREMODERATION = {"first"}
    complaints = [make_published(author=member, company=company, title=f"Complaint {n}") for n in range(1, 5)]
    assert [c.status for c in complaints] == ["pending"] * 4
    assert queue_counts()["pending"] == 4
    assert not StatusChange.objects.filter(to_status="published").exists()

    moderation_approve(complaint=complaints[0], moderator=moderator)
    fifth = make_published(author=member, company=company, title="Complaint 5")
    assert fifth.status == "published"  # one approved complaint is enough
    for waiting in complaints[1:]:
        waiting.refresh_from_db()
        assert waiting.status == "pending"  # those already waiting still get a moderator's look


def test_an_approval_counts_only_for_its_own_author(settings, member, other_member, company, moderator):
    settings.PREMODERATION = {"first"}
    moderation_approve(complaint=make_published(author=member, company=company), moderator=moderator)
    assert make_published(author=other_member, company=company).status == "pending"


def test_a_rejected_first_complaint_does_not_count(settings, member, company, moderator):
    settings.PREMODERATION = {"first"}
    first = make_published(author=member, company=company)
    moderation_reject(complaint=first, moderator=moderator, reason="not_real")
    assert make_published(author=member, company=company).status == "pending"


def test_an_automatically_published_complaint_does_not_count(settings, member, company):
    published = make_published(author=member, company=company)  # the tests' default rule: none
    assert published.status == "published"
    settings.PREMODERATION = {"first"}
    assert make_published(author=member, company=company).status == "pending"


def test_an_approved_complaint_counts_even_after_it_is_withdrawn(settings, member, company, moderator):
    settings.PREMODERATION = {"first"}
    first = make_published(author=member, company=company)
    complaint_publish(complaint=first, moderator=moderator)  # the other way a moderator publishes
    complaint_withdraw(complaint=first, user=member, reason="Sorted out")
    assert make_published(author=member, company=company).status == "published"
    assert recorded(complaint=first) == ["approve"]


def test_with_first_and_personal_data_an_approved_author_still_waits_for_personal_data(
    settings, member, company, moderator
):
    settings.PREMODERATION = {"first", "personal_data"}
    moderation_approve(complaint=make_published(author=member, company=company), moderator=moderator)
    assert make_published(author=member, company=company).status == "published"
    assert make_published(author=member, company=company, story=f"Call me on {PHONE}.").status == "pending"


# Approve and reject.

def test_approve_publishes_records_and_tells_the_author_and_the_company(
    pending, moderator, representative, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation_approve(complaint=pending, moderator=moderator, reason="ok", note="Checked the invoice.")
    pending.refresh_from_db()
    assert pending.status == Complaint.Status.PUBLISHED and pending.published_at is not None
    change = pending.status_changes.last()
    assert (change.from_status, change.to_status, change.actor) == ("pending", "published", None)
    action = ModerationAction.objects.get(complaint=pending)
    assert (action.action, action.reason, action.note, action.actor) == ("approve", "ok", "Checked the invoice.",
                                                                         moderator)
    [to_author] = mails_to(mailoutbox, pending.author)
    assert "published" in to_author.subject and pending.title in to_author.body
    assert len(mails_to(mailoutbox, representative)) == 1  # the company hears of it only now


def test_reject_tells_the_author_why_and_that_they_may_send_it_again_once(
    pending, moderator, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation_reject(complaint=pending, moderator=moderator, reason="personal_data",
                          note="Please remove the neighbour's name.")
    pending.refresh_from_db()
    assert pending.status == Complaint.Status.REJECTED and pending.published_at is None
    change = pending.status_changes.last()
    assert (change.to_status, change.actor, change.event, change.params) == (
        "rejected", None, "rejected", {"reason": "personal_data"})
    assert (sentence(change), change.note) == ("Rejected by the moderators: Personal data", "")
    assert recorded(complaint=pending) == ["reject"]
    [mail] = mails_to(mailoutbox, pending.author)
    assert "not published" in mail.subject
    assert "Personal data" in mail.body and "Please remove the neighbour's name." in mail.body
    assert "send it again once" in mail.body


def test_a_rejected_complaint_is_resubmitted_once_and_always_waits_for_review(
    settings, pending, moderator, other_member, django_capture_on_commit_callbacks, mailoutbox
):
    moderation_reject(complaint=pending, moderator=moderator, reason="personal_data")
    with pytest.raises(ComplaintError):
        complaint_reopen_rejected(complaint=pending, user=other_member)

    draft = complaint_reopen_rejected(complaint=pending, user=pending.author)
    assert (draft.status, draft.resubmitted) == ("draft", True)
    assert draft.status_changes.last().actor == pending.author
    # Even with pre-moderation switched off, the resubmission waits for a moderator.
    settings.PREMODERATION = {"none"}
    complaint_save_draft(author=draft.author, complaint=draft, company=draft.company,
                         fields=complaint_fields(title=draft.title, story="Without the name this time."))
    resubmitted = complaint_submit(complaint=draft, user=draft.author)
    assert resubmitted.status == Complaint.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        moderation_reject(complaint=resubmitted, moderator=moderator, reason="not_real")
    assert "send it again" not in mails_to(mailoutbox, pending.author)[-1].body
    with pytest.raises(ComplaintError, match="cannot be resubmitted"):
        complaint_reopen_rejected(complaint=resubmitted, user=pending.author)
    resubmitted.refresh_from_db()
    assert resubmitted.status == Complaint.Status.REJECTED
    assert recorded(complaint=pending) == ["reject", "reject"]


def test_only_a_rejected_complaint_can_be_taken_back(published):
    with pytest.raises(ComplaintError):
        complaint_reopen_rejected(complaint=published, user=published.author)
    published.refresh_from_db()
    assert published.status == Complaint.Status.PUBLISHED


# Hide, restore.

def test_hiding_leaves_a_reason_takes_it_out_of_the_figures_and_restore_brings_it_back(
    published, representative, moderator, other_member, django_capture_on_commit_callbacks, mailoutbox
):
    message_post(complaint=published, user=representative, kind=Message.Kind.ANSWER, body="We are on it.")
    flag_create(user=other_member, item=published, reason=Flag.Reason.ABUSE)
    scorecard_refresh(company_id=published.company_id)
    assert Scorecard.objects.get(company=published.company, window=TWELVE_MONTHS).complaints == 1

    with django_capture_on_commit_callbacks(execute=True):
        moderation_hide(item=published, moderator=moderator, reason="abuse", note="Insults a named employee.")
    published.refresh_from_db()
    assert (published.status, published.status_before_hidden) == ("hidden", "answered")
    change = published.status_changes.last()
    assert (change.to_status, change.actor, change.event, change.params) == ("hidden", None, "hidden", {"reason": "abuse"})
    assert (sentence(change), change.note) == ("Hidden by the moderators: Abuse or hate", "")
    assert Flag.objects.get().status == Flag.Status.UPHELD
    assert Flag.objects.get().decided_by == moderator
    [mail] = mails_to(mailoutbox, published.author)
    assert "hidden" in mail.subject and "Abuse or hate" in mail.body and "Insults a named employee." in mail.body
    assert Scorecard.objects.get(company=published.company, window=TWELVE_MONTHS).complaints == 0

    with django_capture_on_commit_callbacks(execute=True):
        moderation_restore(item=published, moderator=moderator, reason="ok", note="Appeal accepted.")
    published.refresh_from_db()
    assert (published.status, published.status_before_hidden) == ("answered", "")
    assert published.status_changes.last().actor is None
    assert Scorecard.objects.get(company=published.company, window=TWELVE_MONTHS).complaints == 1
    assert recorded(complaint=published) == ["hide", "restore"]
    # Restoring tells the author, as hiding did.
    hidden_mail, restored_mail = mails_to(mailoutbox, published.author)
    assert "public again" in restored_mail.subject and "Appeal accepted." in restored_mail.body
    assert published.get_absolute_url() in restored_mail.body


def test_a_complaint_waiting_for_review_cannot_be_hidden_or_restored(pending, moderator):
    with pytest.raises(ComplaintError):
        moderation_hide(item=pending, moderator=moderator, reason="spam")
    with pytest.raises(ComplaintError, match="not hidden"):
        moderation_restore(item=pending, moderator=moderator)
    pending.refresh_from_db()
    assert pending.status == Complaint.Status.PENDING
    assert recorded() == []


@pytest.fixture
def thread(published, representative, other_member):
    """A company message and a member's comment on a published complaint."""
    message = message_post(complaint=published, user=representative, kind=Message.Kind.ANSWER,
                           body=f"Call our engineer on {PHONE}.", send_anyway=True)
    comment = comment_post(complaint=published, user=other_member, body=f"Same here, my number is {PHONE}.",
                           send_anyway=True)
    # Sent anyway, and read by everyone since (letting a held text be read has tests of its own).
    Message.objects.filter(pk=message.pk).update(text_held=False, announced=True)
    Comment.objects.filter(pk=comment.pk).update(text_held=False)
    message.refresh_from_db()
    comment.refresh_from_db()
    return {"message": message, "comment": comment}


@pytest.mark.parametrize("kind", ["message", "comment"])
def test_a_message_or_comment_is_hidden_and_restored(thread, moderator, published, kind):
    item = thread[kind]
    moderation_hide(item=item, moderator=moderator, reason="abuse")
    item.refresh_from_db()
    assert item.is_hidden
    action = ModerationAction.objects.get()
    assert (getattr(action, kind), action.complaint_id, action.actor) == (item, published.pk, moderator)

    moderation_restore(item=item, moderator=moderator)
    item.refresh_from_db()
    assert not item.is_hidden
    published.refresh_from_db()
    assert published.status == Complaint.Status.ANSWERED  # the complaint itself never changed
    assert recorded(**{kind: item}) == ["hide", "restore"]


def test_the_public_timeline_tells_of_hidden_messages_redactions_and_moderator_edits(
    thread, moderator, published
):
    """Moderation that keeps the complaint's status still leaves a public row, without the moderator."""
    from complaints.services.moderation import complaint_edit

    moderation_hide(item=thread["message"], moderator=moderator, reason="abuse")
    moderation_redact(item=thread["comment"], field="body", selection=PHONE, moderator=moderator)
    complaint_edit(complaint=published, user=moderator, title=published.title, story="A shorter story.")
    published.refresh_from_db()
    notes = list(
        StatusChange.objects.filter(complaint=published, from_status=published.status, to_status=published.status)
        .values_list("event", "params", "note", "actor")
    )
    assert notes == [
        ("item_hidden", {"reason": "abuse"}, "", None),
        ("redacted", {}, "", None),
        ("edited_by_moderator", {}, "", None),
    ]


# Redaction.

def test_redact_replaces_exactly_the_selection_and_keeps_the_original_for_moderators(member, company, moderator):
    story = f"Call me on {PHONE} after six. Or {PHONE} in the morning."
    complaint = make_published(author=member, company=company, story=story)
    moderation_redact(item=complaint, field="story", selection=PHONE, moderator=moderator, note="Phone number")
    complaint.refresh_from_db()
    assert complaint.story == f"Call me on {REMOVED} after six. Or {REMOVED} in the morning."
    redaction = Redaction.objects.get()
    assert (redaction.complaint, redaction.field, redaction.original, redaction.removed, redaction.actor) == (
        complaint, "story", story, PHONE, moderator)
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.note, action.complaint) == ("redact", "personal_data",
                                                                             "Phone number", complaint)


def test_redact_in_the_complaints_language(member, company, moderator):
    complaint = make_published(author=member, company=company, language="ru", story=f"Звоните {PHONE}")
    moderation_redact(item=complaint, field="story", selection=PHONE, moderator=moderator)
    complaint.refresh_from_db()
    assert PHONE not in complaint.story and complaint.story.startswith("Звоните [")


@pytest.mark.parametrize("field, selection, error", [
    ("story", "+46 70 999 99 99", "no longer in the item"),  # another moderator removed it, or it was edited
    ("story", "   ", "Select the text"),
    ("phone", PHONE, "cannot be redacted"),  # the private fields are not public text
    ("body", PHONE, "cannot be redacted"),
])
def test_redact_refuses_a_selection_that_is_not_in_the_text(member, company, moderator, field, selection, error):
    complaint = make_published(author=member, company=company, story=f"Call me on {PHONE}.")
    with pytest.raises(ComplaintError, match=error):
        moderation_redact(item=complaint, field=field, selection=selection, moderator=moderator)
    complaint.refresh_from_db()
    assert complaint.story == f"Call me on {PHONE}."
    assert not Redaction.objects.exists() and recorded() == []


@pytest.mark.parametrize("kind", ["message", "comment"])
def test_redacting_a_held_text_releases_it_and_upholds_the_reports(thread, moderator, kind):
    item = thread[kind]
    for _n in range(3):
        flag_create(user=UserFactory(), item=item, reason=Flag.Reason.PERSONAL_DATA)
    item.refresh_from_db()
    assert item.text_held

    moderation_redact(item=item, field="body", selection=PHONE, moderator=moderator)
    item.refresh_from_db()
    assert PHONE not in item.body and REMOVED in item.body
    assert not item.text_held
    assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.UPHELD}
    assert Redaction.objects.get(**{kind: item}).removed == PHONE


def test_purge_deletes_redacted_originals_after_30_days(member, company, moderator, clock):
    complaint = make_published(author=member, company=company, story=f"Call me on {PHONE}.")
    moderation_redact(item=complaint, field="story", selection=PHONE, moderator=moderator)

    assert redactions_purge(now=timezone.now() + timedelta(days=29)) == 0
    assert Redaction.objects.count() == 1
    clock(days=31)
    out = io.StringIO()
    call_command("purge_redactions", stdout=out)
    assert "Purged 1 " in out.getvalue()
    assert not Redaction.objects.exists()
    complaint.refresh_from_db()
    assert PHONE not in complaint.story  # the public text stays redacted
    assert recorded() == ["redact"]  # the record of the decision stays


# The append-only record.

def test_moderation_actions_cannot_be_changed_or_deleted(published, moderator):
    moderation_hide(item=published, moderator=moderator, reason="spam", note="Advert")
    action = ModerationAction.objects.get()
    action.note = "Nothing happened"
    with pytest.raises(ValueError, match="cannot be changed"):
        action.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        action.delete()
    # Bulk changes, which skip the object methods, are refused as well.
    with pytest.raises(ValueError, match="cannot be changed"):
        ModerationAction.objects.filter(pk=action.pk).update(note="Nothing happened")
    with pytest.raises(ValueError, match="cannot be deleted"):
        ModerationAction.objects.all().delete()
    assert ModerationAction.objects.get().note == "Advert"


def test_a_reason_outside_the_list_is_refused_and_nothing_changes(pending, published, moderator, other_member):
    calls = [
        lambda: moderation_approve(complaint=pending, moderator=moderator, reason="because"),
        lambda: moderation_reject(complaint=pending, moderator=moderator, reason="because"),
        lambda: moderation_hide(item=published, moderator=moderator, reason="because"),
        lambda: moderation_suspend(member=other_member, moderator=moderator, reason="because"),
        lambda: moderation_suspend(member=other_member, moderator=moderator, reason="because", note="Spam"),
    ]
    for call in calls:
        with pytest.raises(ComplaintError, match="reason"):
            call()
    pending.refresh_from_db()
    published.refresh_from_db()
    assert (pending.status, published.status) == ("pending", "published")
    assert recorded() == [] and not Suspension.objects.exists()


# Who may decide.

@pytest.mark.parametrize("persona", ["visitor", "member", "author", "representative"])
def test_only_moderators_make_decisions(persona, pending, published, thread, company, member, other_member,
                                        representative):
    user = {"visitor": AnonymousUser(), "member": other_member, "author": member,
            "representative": representative}[persona]
    target = CompanyFactory(name="Beeline")
    calls = [
        lambda: moderation_approve(complaint=pending, moderator=user),
        lambda: moderation_reject(complaint=pending, moderator=user, reason="spam"),
        lambda: moderation_hide(item=published, moderator=user, reason="spam"),
        lambda: moderation_hide(item=thread["message"], moderator=user, reason="spam"),
        lambda: moderation_restore(item=published, moderator=user),
        lambda: moderation_redact(item=thread["comment"], field="body", selection=PHONE, moderator=user),
        lambda: moderation_dismiss_flags(item=published, moderator=user),
        lambda: moderation_move(complaint=published, company=target, moderator=user),
        lambda: moderation_merge(source=target, target=company, moderator=user),
        lambda: moderation_confirm_company(company=target, moderator=user),
        lambda: moderation_suspend(member=other_member, moderator=user, reason="abuse"),
        lambda: moderation_unsuspend(member=other_member, moderator=user),
    ]
    for call in calls:
        with pytest.raises(ComplaintError, match="Only moderators"):
            call()
    pending.refresh_from_db()
    published.refresh_from_db()
    assert (pending.status, published.status, published.company) == ("pending", "answered", company)
    assert recorded() == [] and not Redaction.objects.exists() and not Suspension.objects.exists()


def test_a_decision_another_moderator_made_first_is_refused_and_recorded_once(
    pending, published, thread, moderator, other_moderator, other_member
):
    """Two moderators with the same queue open: the second to act is told, nothing happens twice."""
    target = CompanyFactory(name="Beeline")
    flag_create(user=UserFactory(), item=thread["comment"], reason=Flag.Reason.SPAM)
    # What the second moderator loaded before the first one acted.
    stale = {"pending": Complaint.objects.get(pk=pending.pk), "published": Complaint.objects.get(pk=published.pk),
             "message": Message.objects.get(pk=thread["message"].pk), "comment": thread["comment"]}

    moderation_approve(complaint=pending, moderator=moderator)
    moderation_hide(item=published, moderator=moderator, reason="abuse")
    moderation_hide(item=thread["message"], moderator=moderator, reason="abuse")
    moderation_dismiss_flags(item=thread["comment"], moderator=moderator)
    moderation_redact(item=thread["comment"], field="body", selection=PHONE, moderator=moderator)
    moderation_suspend(member=other_member, moderator=moderator, reason="abuse")
    first = recorded()

    second_tries = [
        (lambda: moderation_approve(complaint=stale["pending"], moderator=other_moderator), "no longer waiting"),
        (lambda: moderation_reject(complaint=stale["pending"], moderator=other_moderator, reason="spam"),
         "no longer waiting"),
        (lambda: moderation_hide(item=stale["published"], moderator=other_moderator, reason="spam"), "already hidden"),
        (lambda: moderation_hide(item=stale["message"], moderator=other_moderator, reason="spam"), "already hidden"),
        (lambda: moderation_dismiss_flags(item=stale["comment"], moderator=other_moderator), "no open reports"),
        (lambda: moderation_redact(item=stale["comment"], field="body", selection=PHONE, moderator=other_moderator),
         "no longer in the item"),
        (lambda: moderation_suspend(member=other_member, moderator=other_moderator, reason="spam"),
         "already suspended"),
    ]
    for call, error in second_tries:
        with pytest.raises(ComplaintError, match=error):
            call()
    moderation_restore(item=stale["published"], moderator=moderator)
    with pytest.raises(ComplaintError, match="not hidden"):
        moderation_restore(item=stale["published"], moderator=other_moderator)
    moderation_move(complaint=stale["published"], company=target, moderator=moderator)
    with pytest.raises(ComplaintError, match="already about this company"):
        moderation_move(complaint=stale["published"], company=target, moderator=other_moderator)

    assert recorded() == [*first, "restore", "move"]
    assert not ModerationAction.objects.filter(actor=other_moderator).exists()
    assert StatusChange.objects.filter(complaint=pending, to_status="published").count() == 1
    # One change of status; rows that keep the status are the public notes about its messages.
    assert StatusChange.objects.filter(complaint=published, to_status="hidden").exclude(from_status="hidden").count() == 1
    assert Redaction.objects.count() == 1


def race(calls, *, row) -> list[str]:
    """Run the calls in threads at once, truly overlapping: this test holds the lock on `row` until
    every thread is waiting for it, then lets them all go. Returns "ok" or the refusal of each."""
    results = []

    def run(call):
        try:
            call()
            results.append("ok")
        except ComplaintError as error:
            results.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    with transaction.atomic():
        type(row).objects.select_for_update().get(pk=row.pk)
        for thread_ in threads:
            thread_.start()
        deadline = time.monotonic() + 20
        while waiting_for_a_lock() < len(calls):
            assert time.monotonic() < deadline, "the threads never queued for the row lock"
            time.sleep(0.02)
    for thread_ in threads:
        thread_.join(timeout=30)
    return sorted(results, key=lambda result: result != "ok")  # the winner first


def waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees one snapshot throughout
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                       "AND datname = current_database()")
        return cursor.fetchone()[0]


needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks (select_for_update is ignored) and lets one writer in at a "
           "time, so two threads cannot race there")


@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_two_moderators_approving_at_once_publish_it_once(settings):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=UserFactory())
    moderators = [make_moderator(), make_moderator()]
    results = race([lambda m=m: moderation_approve(complaint=Complaint.objects.get(pk=complaint.pk), moderator=m)
                    for m in moderators], row=complaint)
    assert results[0] == "ok" and "another moderator has already decided" in results[1]
    assert ModerationAction.objects.filter(complaint=complaint, action="approve").count() == 1
    assert StatusChange.objects.filter(complaint=complaint, to_status="published").count() == 1


@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_one_moderator_approving_while_another_rejects_decides_once(settings):
    settings.PREMODERATION = {"all"}
    complaint = make_published(author=UserFactory())
    approver, rejecter = make_moderator(), make_moderator()
    results = race([lambda: moderation_approve(complaint=complaint, moderator=approver),
                    lambda: moderation_reject(complaint=complaint, moderator=rejecter, reason="spam")], row=complaint)
    assert results[0] == "ok" and "another moderator has already decided" in results[1]
    assert ModerationAction.objects.filter(complaint=complaint).count() == 1
    assert StatusChange.objects.filter(complaint=complaint).exclude(to_status="pending").count() == 1


@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_two_moderators_confirming_a_company_at_once_confirm_it_once():
    member = UserFactory()
    company = send_about_new_company(member).company
    moderators = [make_moderator(), make_moderator()]
    results = race([lambda m=m: moderation_confirm_company(company=company, moderator=m) for m in moderators],
                   row=company)
    assert results[0] == "ok" and "another moderator has already decided" in results[1]
    assert ModerationAction.objects.filter(company=company, action="approve_company").count() == 1
    company.refresh_from_db()
    assert not company.is_unchecked and company.checked_by in moderators


@pytest.mark.django_db(transaction=True)
@needs_row_locks
def test_two_moderators_merging_the_same_company_at_once_merge_it_once():
    target, other_target = CompanyFactory(name="Big ISP"), CompanyFactory(name="Other ISP")
    duplicate = send_about_new_company(UserFactory()).company
    moderators = [make_moderator(), make_moderator()]
    results = race([lambda: moderation_merge(source=duplicate, target=target, moderator=moderators[0]),
                    lambda: moderation_merge(source=duplicate, target=other_target, moderator=moderators[1])],
                   row=duplicate)
    assert results[0] == "ok" and "another moderator has already decided" in results[1]
    assert ModerationAction.objects.filter(action="merge").count() == 1
    assert CompanySlugRedirect.objects.filter(old_slug=duplicate.slug).count() == 1


# Flags.

def test_members_and_representatives_flag_each_kind_of_item_once(published, thread, member, other_member,
                                                                 representative, moderator):
    third = UserFactory()
    flag_create(user=other_member, item=published, reason=Flag.Reason.NOT_REAL)
    flag_create(user=representative, item=published, reason=Flag.Reason.WRONG_COMPANY)  # companies may flag too
    flag_create(user=member, item=thread["message"], reason=Flag.Reason.ABUSE)
    flag_create(user=third, item=thread["comment"], reason=Flag.Reason.OTHER, text="An advert for a competitor")
    flag_create(user=moderator, item=thread["comment"], reason=Flag.Reason.SPAM)
    assert Flag.objects.count() == 5
    assert Flag.objects.get(reporter=third).text == "An advert for a competitor"

    # Flags hide nothing by themselves.
    published.refresh_from_db()
    thread["message"].refresh_from_db()
    assert published.is_public and not published.text_held
    assert not thread["message"].is_hidden and not thread["message"].text_held


@pytest.mark.parametrize("case", ["twice", "own complaint", "own message", "own comment", "other without text",
                                  "unknown reason", "visitor"])
def test_flags_that_are_refused(case, published, thread, member, other_member, representative):
    flag_create(user=other_member, item=published, reason=Flag.Reason.SPAM)
    user, item, reason, error = {
        "twice": (other_member, published, Flag.Reason.ABUSE, "already reported"),
        "own complaint": (member, published, Flag.Reason.ABUSE, "your own"),
        "own message": (representative, thread["message"], Flag.Reason.ABUSE, "your own"),
        "own comment": (other_member, thread["comment"], Flag.Reason.ABUSE, "your own"),
        "other without text": (UserFactory(), published, Flag.Reason.OTHER, "Say what is wrong"),
        "unknown reason": (UserFactory(), published, "boring", "reason"),
        "visitor": (AnonymousUser(), published, Flag.Reason.SPAM, "Sign in"),
    }[case]
    with pytest.raises(ComplaintError, match=error):
        flag_create(user=user, item=item, reason=reason)
    assert Flag.objects.count() == 1


@pytest.mark.parametrize("kind", ["complaint", "message", "comment"])
def test_three_personal_data_flags_from_different_people_hold_the_text(settings, published, thread, moderator, kind):
    settings.PERSONAL_DATA_FLAGS_TO_HOLD = 3
    item = published if kind == "complaint" else thread[kind]
    first, second, third = UserFactory(), UserFactory(), UserFactory()

    def held():
        item.refresh_from_db()
        return item.text_held

    flag_create(user=first, item=item, reason=Flag.Reason.PERSONAL_DATA)
    flag_create(user=second, item=item, reason=Flag.Reason.PERSONAL_DATA)
    flag_create(user=UserFactory(), item=item, reason=Flag.Reason.ABUSE)  # another reason does not count
    assert not held(), "two personal-data flags are not enough"
    with pytest.raises(ComplaintError, match="already reported"):
        flag_create(user=second, item=item, reason=Flag.Reason.PERSONAL_DATA)
    assert not held(), "the same person twice counts once"

    flag_create(user=third, item=item, reason=Flag.Reason.PERSONAL_DATA)
    assert held()
    if kind == "complaint":
        assert item.is_public  # still listed: only the text is held
    else:
        assert not item.is_hidden

    # The moderator looks and finds nothing wrong: the text is back and the reports are closed.
    assert moderation_dismiss_flags(item=item, moderator=moderator, note="A shop's public number") == 4
    assert not held()
    assert set(Flag.objects.values_list("status", flat=True)) == {Flag.Status.DISMISSED}
    assert recorded() == ["dismiss"]
    with pytest.raises(ComplaintError, match="no open reports"):
        moderation_dismiss_flags(item=item, moderator=moderator)
    assert recorded() == ["dismiss"]


# Companies.

def test_move_puts_the_complaint_under_the_right_company_and_both_records_change(
    published, company, moderator, django_capture_on_commit_callbacks
):
    beeline = CompanyFactory(name="Beeline")
    scorecard_refresh(company_id=company.pk)
    with django_capture_on_commit_callbacks(execute=True):
        moderation_move(complaint=published, company=beeline, moderator=moderator, reason="wrong_company")
    published.refresh_from_db()
    assert published.company == beeline and published.status == Complaint.Status.PUBLISHED
    assert Scorecard.objects.get(company=company, window=TWELVE_MONTHS).complaints == 0
    assert Scorecard.objects.get(company=beeline, window=TWELVE_MONTHS).complaints == 1
    change = published.status_changes.last()
    assert (change.actor, change.event, change.params) == (None, "moved", {"old": "2KOM", "new": "Beeline"})
    assert sentence(change) == "Moved by the moderators from 2KOM to Beeline."
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.company, action.complaint) == ("move", "wrong_company", beeline,
                                                                                published)


def test_merge_moves_complaints_aliases_domains_and_representatives(company, representative, member, moderator):
    duplicate = CompanyFactory(name="2KOM Moscow", website="https://2kom-msk.example", aliases="Dvakom")
    complaint = make_published(author=member, company=duplicate)
    their_rep = UserFactory()
    Representative.objects.create(user=their_rep, company=duplicate, role="owner", verified_by="domain")

    assert moderation_merge(source=duplicate, target=company, moderator=moderator, note="Same firm") == company
    complaint.refresh_from_db()
    company.refresh_from_db()
    duplicate.refresh_from_db()
    assert complaint.company == company
    assert {"2KOM Moscow", "Dvakom"} <= set(company.alias_list())
    assert CompanyDomain.objects.get(domain="2kom-msk.example").company == company
    assert Representative.objects.filter(company=company, user=their_rep).exists()
    assert not Representative.objects.filter(company=duplicate).exists()
    assert CompanySlugRedirect.objects.get(old_slug=duplicate.slug).company == company
    assert not duplicate.is_listed
    assert recorded(company=company) == ["merge"]

    with pytest.raises(ComplaintError, match="already been merged"):
        moderation_merge(source=duplicate, target=company, moderator=moderator)
    with pytest.raises(ComplaintError, match="two different"):
        moderation_merge(source=company, target=company, moderator=moderator)
    assert recorded() == ["merge"]


def send_about_new_company(author, name="Tiny ISP"):
    """A complaint about a company its author adds to the portal, sent."""
    draft = complaint_save_draft(author=author, fields=complaint_fields(), company=None,
                                 new_company={"name": name, "website": "https://tiny-isp.example"})
    return complaint_submit(complaint=draft, user=author)


def proposed_names() -> list[str]:
    return list(proposed_companies().values_list("name", flat=True))


def test_a_proposed_company_stays_in_the_list_after_it_is_shown_until_a_moderator_confirms_it(
    settings, member, moderator, other_moderator
):
    settings.PREMODERATION = {"first"}
    complaint_save_draft(author=member, fields=complaint_fields(), company=None,
                         new_company={"name": "Draft Only ISP", "website": ""})
    complaint = send_about_new_company(member)
    company = complaint.company
    assert company.is_unchecked and not company.is_listed
    assert proposed_names() == ["Tiny ISP"] and queue_counts()["companies"] == 1  # a draft's company is not there

    moderation_approve(complaint=complaint, moderator=moderator)
    company.refresh_from_db()
    assert Company.objects.listed().filter(pk=company.pk).exists()  # in the directory with its complaint
    assert company.is_unchecked
    assert proposed_names() == ["Tiny ISP"] and queue_counts()["companies"] == 1

    stale = Company.objects.get(pk=company.pk)  # what a second moderator has open
    moderation_confirm_company(company=company, moderator=moderator)
    company.refresh_from_db()
    assert not company.is_unchecked and company.checked_by == moderator and company.is_listed
    assert proposed_names() == [] and queue_counts()["companies"] == 0
    with pytest.raises(ComplaintError, match="another moderator has already decided"):
        moderation_confirm_company(company=stale, moderator=other_moderator)
    assert recorded(company=company) == ["approve_company"]
    assert not ModerationAction.objects.filter(actor=other_moderator).exists()


def test_confirming_before_the_complaint_is_published_lists_the_company(settings, member, moderator):
    settings.PREMODERATION = {"all"}
    company = send_about_new_company(member).company
    moderation_confirm_company(company=company, moderator=moderator)
    assert Company.objects.listed().filter(pk=company.pk).exists() and proposed_names() == []


@pytest.mark.parametrize("side", ["source", "target"])
def test_merging_takes_a_proposed_company_off_the_list(member, moderator, company, side):
    proposed = send_about_new_company(member).company  # published at once: the tests' rule is "none"
    assert proposed.is_listed and proposed_names() == ["Tiny ISP"]
    source, target = (proposed, company) if side == "source" else (company, proposed)
    moderation_merge(source=source, target=target, moderator=moderator)
    assert proposed_names() == [] and queue_counts()["companies"] == 0
    target.refresh_from_db()
    assert not target.is_unchecked


def test_companies_no_complainant_added_and_those_of_rejected_complaints_are_not_listed_for_checking(
    settings, member, moderator, company
):
    make_published(author=member, company=company)
    settings.PREMODERATION = {"all"}
    moderation_reject(complaint=send_about_new_company(member), moderator=moderator, reason="not_real")
    assert proposed_names() == []
    with pytest.raises(ComplaintError, match="already been checked"):
        moderation_confirm_company(company=company, moderator=moderator)


# Suspension.

def test_a_suspended_member_cannot_post_and_their_pending_complaint_stays_pending(
    settings, member, other_member, company, moderator
):
    mine = make_published(author=member, company=company)
    theirs = make_published(author=other_member, company=company)
    draft = make_draft(author=member, company=company)
    settings.PREMODERATION = {"all"}
    waiting = make_published(author=member, company=company)

    moderation_suspend(member=member, moderator=moderator, reason="abuse", note="Threats in comments")
    refused = [
        lambda: complaint_submit(complaint=draft, user=member),
        lambda: message_post(complaint=mine, user=member, kind=Message.Kind.REPLY, body="Any news?"),
        lambda: comment_post(complaint=theirs, user=member, body="Same here"),
        lambda: flag_create(user=member, item=theirs, reason=Flag.Reason.SPAM),
        lambda: complaint_edit(complaint=mine, user=member, title=mine.title, story="Edited"),
    ]
    for call in refused:
        with pytest.raises(ComplaintError, match="suspended"):
            call()
    draft.refresh_from_db()
    waiting.refresh_from_db()
    assert (draft.status, waiting.status) == ("draft", "pending")
    assert not Message.objects.exists() and not Flag.objects.exists() and not Comment.objects.exists()
    assert Suspension.objects.get(user=member).reason == "Threats in comments"
    with pytest.raises(ComplaintError, match="already suspended"):
        moderation_suspend(member=member, moderator=moderator, reason="abuse")
    with pytest.raises(ComplaintError, match="yourself"):
        moderation_suspend(member=moderator, moderator=moderator, reason="abuse")

    moderation_unsuspend(member=member, moderator=moderator, note="Apologised")
    comment_post(complaint=theirs, user=member, body="Same here")
    with pytest.raises(ComplaintError, match="not suspended"):
        moderation_unsuspend(member=member, moderator=moderator)
    assert recorded(member=member) == ["suspend", "unsuspend"]


# Edits.

def test_the_author_edits_for_24_hours_then_only_moderators(published, member, other_member, moderator, clock):
    original = published.story
    complaint_edit(complaint=published, user=member, title=published.title, story="It was three weeks, not two.")
    published.refresh_from_db()
    assert published.story == "It was three weeks, not two." and published.edited_at is not None
    assert list(Version.objects.values_list("body", "edited_by")) == [(original, member.pk)]
    with pytest.raises(ComplaintError, match="Only the author or a moderator"):
        complaint_edit(complaint=published, user=other_member, title="Mine now", story="Mine now")
    assert recorded() == []  # the author's own edit is no moderation decision

    clock(hours=24, minutes=1)
    with pytest.raises(ComplaintError, match="24 hours"):
        complaint_edit(complaint=published, user=member, title=published.title, story="Too late")
    complaint_edit(complaint=published, user=moderator, title=published.title, story="Tidied by a moderator.")
    published.refresh_from_db()
    assert published.story == "Tidied by a moderator."
    assert Version.objects.filter(complaint=published).count() == 2
    assert recorded(complaint=published) == ["edit"]

    # Saving the same text again keeps no empty version.
    complaint_edit(complaint=published, user=moderator, title=published.title, story=published.story)
    assert Version.objects.filter(complaint=published).count() == 2


def test_a_complaint_waiting_for_review_is_not_edited_by_its_author(pending):
    with pytest.raises(ComplaintError, match="24 hours"):
        complaint_edit(complaint=pending, user=pending.author, title="New", story="New")


def test_messages_are_edited_by_their_writer_for_15_minutes_then_only_moderators(
    thread, representative, member, moderator, clock
):
    message = thread["message"]
    message_edit(message=message, user=representative, body="Call our engineer.")
    message.refresh_from_db()
    assert message.body == "Call our engineer." and message.edited_at is not None
    assert Version.objects.get(message=message).body == f"Call our engineer on {PHONE}."
    with pytest.raises(ComplaintError, match="Only the writer"):
        message_edit(message=message, user=member, body="Rewritten by the author")

    clock(minutes=16)
    with pytest.raises(ComplaintError, match="15 minutes"):
        message_edit(message=message, user=representative, body="Too late")
    message_edit(message=message, user=moderator, body="Edited by a moderator.")
    message.refresh_from_db()
    assert message.body == "Edited by a moderator."
    assert Version.objects.filter(message=message).count() == 2
    assert recorded(message=message) == ["edit"]


def test_queue_counts_items_not_flags(pending, thread, published):
    for _n in range(2):
        flag_create(user=UserFactory(), item=thread["comment"], reason=Flag.Reason.SPAM)
    flag_create(user=UserFactory(), item=published, reason=Flag.Reason.NOT_REAL)
    assert queue_counts() == {"pending": 1, "flagged": 2, "held": 0, "claims": 0, "companies": 0}
