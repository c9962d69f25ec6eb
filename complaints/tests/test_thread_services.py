"""The public thread, offers, the author's evaluation and the end of the lifecycle, at the service level.

States are reached by calling the services, as people would reach them. The only
shortcut is the clock: a test cannot wait 14 or 60 days, so it back-dates one
timestamp (or passes `now=` where the service takes it).
"""

from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from companies.models import Scorecard
from companies.services import claim_submit
from companies.tests.factories import CompanyFactory
from complaints.access import Viewer
from complaints.models import (
    Comment,
    Complaint,
    Delivery,
    Evaluation,
    Follow,
    Message,
    MeToo,
    Offer,
    StatusChange,
    Topic,
)
from complaints.services.lifecycle import (
    ComplaintError,
    complaint_publish,
    complaint_reopen,
    complaint_submit,
    complaint_withdraw,
    complaints_close_stale,
)
from complaints.services.notifications import delivery_set
from complaints.services.participation import comment_post, follow_toggle, me_too_toggle
from complaints.services.scorecards import scorecard_refresh
from complaints.services.thread import (
    complaint_evaluate,
    message_post,
    offer_confirm_delivery,
    offer_mark_delivered,
    offer_respond,
)
from complaints.tests.factories import UserFactory, complaint_fields, make_draft, make_published
from complaints.timeline import sentence

S = Complaint.Status
TITLE = complaint_fields()["title"]
COMPANY_KINDS = [kind.value for kind in Message.COMPANY_KINDS]


# Helpers and personas (`rep`, `committed` and `sent` are shared, in the root conftest).

def make_representative(company, email):
    """A person who claimed the company with a confirmed address at its domain (approved at once)."""
    user = UserFactory(email=email)
    claim_submit(user=user, company=company, work_email=email, job_title="Customer care", evidence="")
    return user


@pytest.fixture
def second_rep(company, rep):
    return make_representative(company, "boris@2kom.ru")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Deltacom", slug="deltacom", website="https://deltacom.example")


@pytest.fixture
def other_rep(other_company):
    """A representative of another company."""
    return make_representative(other_company, "dina@deltacom.example")


@pytest.fixture
def visitor():
    return AnonymousUser()


@pytest.fixture
def complaint(member, company, rep):
    return make_published(author=member, company=company)


def last_change(complaint) -> tuple:
    """The last timeline row, with what it reads (the event's sentence, then any free note)."""
    row = StatusChange.objects.filter(complaint=complaint).last()
    return row.from_status, row.to_status, row.actor_id, " ".join(filter(None, [sentence(row), row.note]))


def reload(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def state(complaint) -> dict:
    """Everything a refused action must leave as it was."""
    complaint = reload(complaint)
    return {
        "complaint": (complaint.status, complaint.waiting_on, complaint.waiting_since,
                      complaint.first_answered_at, complaint.reopened_at),
        "timeline": list(complaint.status_changes.values_list("pk", flat=True)),
        "messages": list(complaint.messages.values_list("pk", flat=True)),
        "offers": list(complaint.offers.values_list("pk", "status", "response_reason", "delivered_at")),
        "evaluation": list(Evaluation.objects.filter(complaint=complaint).values()),
        "me_too": list(complaint.me_toos.values_list("pk", flat=True)),
        "follows": list(complaint.follows.values_list("pk", flat=True)),
        "comments": list(complaint.comments.values_list("pk", flat=True)),
    }


@pytest.fixture
def refuses(django_capture_on_commit_callbacks, mailoutbox):
    """`with refuses(complaint):` the action is refused with ComplaintError and changes nothing, mail included."""

    @contextmanager
    def check(complaint, match=None):
        before, mail_count = state(complaint), len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ComplaintError, match=match):
            yield
        assert state(complaint) == before
        assert len(mailoutbox) == mail_count

    return check


def answer(complaint, user, *, kind=Message.Kind.ANSWER, body="We are sorry. A technician comes on Monday.", **kwargs):
    return message_post(complaint=complaint, user=user, kind=kind, body=body, **kwargs)


def reply(complaint, user, **kwargs):
    return message_post(complaint=complaint, user=user, kind=Message.Kind.REPLY, body="Thank you.", **kwargs)


def offer_terms(**overrides) -> dict:
    return {
        "kind": Offer.Kind.FREE_DAYS, "days": 3, "description": "Three free days of service",
        "expires_on": timezone.localdate() + timedelta(days=14), **overrides,
    }


def make_offer(complaint, rep, **terms) -> Offer:
    message = message_post(complaint=complaint, user=rep, kind=Message.Kind.OFFER,
                           body="We credit three free days.", offer=offer_terms(**terms))
    return message.offer


def verdict(resolved=True, **extra) -> dict:
    return {"resolved": resolved, "rating": 5 if resolved else 2, "would_return": resolved, **extra}


def evaluate(complaint, author, resolved=True, **extra):
    return complaint_evaluate(complaint=complaint, user=author, data=verdict(resolved, **extra))


def days_since_publishing(complaint, days, **extra):
    Complaint.objects.filter(pk=complaint.pk).update(published_at=timezone.now() - timedelta(days=days, **extra))


def make_pending(monkeypatch, **kwargs) -> Complaint:
    """Submitted and held for review, as every complaint will be once pre-moderation is on.

    Pre-moderation for everything is the one way to reach "pending" through the real services.
    """
    draft = make_draft(**kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(settings, "PREMODERATION", {"all"})
        return complaint_submit(complaint=draft, user=draft.author)


def next_weekday(weekday: int, at: time) -> datetime:
    """The next such weekday (0 is Monday) after today, at a local time."""
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 or 7
    return timezone.make_aware(datetime.combine(today + timedelta(days=days), at))


# Publication.

@pytest.mark.django_db
def test_publishing_tells_the_companys_representatives(member, company, rep, committed, sent):
    with committed():
        complaint = make_published(author=member, company=company)
    assert last_change(complaint) == (S.DRAFT, S.PUBLISHED, member.pk, "Published automatically.")
    assert sent() == [("anna@2kom.ru", f"New complaint about 2KOM: {TITLE}")]
    assert (complaint.waiting_on, complaint.waiting_since) == (Complaint.WaitingOn.COMPANY, complaint.published_at)


@pytest.mark.django_db
def test_a_moderator_publishes_a_complaint_held_for_review(monkeypatch, member, company, rep, moderator,
                                                           committed, sent):
    pending = make_pending(monkeypatch, author=member, company=company)
    assert pending.status == S.PENDING
    with committed():
        complaint_publish(complaint=pending, moderator=moderator, note="Checked.")
    assert reload(pending).status == S.PUBLISHED
    assert last_change(pending) == (S.PENDING, S.PUBLISHED, moderator.pk, "Approved by the moderators. Checked.")
    assert sent() == [("anna@2kom.ru", f"New complaint about 2KOM: {TITLE}")]


@pytest.mark.django_db
def test_a_complaint_held_for_review_takes_no_messages_or_evaluation_yet(monkeypatch, member, company, rep, refuses):
    pending = make_pending(monkeypatch, author=member, company=company)
    with refuses(pending, match="closed for new messages"):
        answer(pending, rep)
    with refuses(pending, match="closed for new messages"):
        reply(pending, member)
    with refuses(pending):
        evaluate(pending, member)
    with refuses(pending, match="Only members"):  # not public yet
        me_too_toggle(complaint=pending, user=UserFactory())


@pytest.mark.django_db
def test_only_a_moderator_publishes(monkeypatch, member, other_member, company, rep, refuses):
    pending = make_pending(monkeypatch, author=member, company=company)
    for user in (member, other_member, rep):
        with refuses(pending):
            complaint_publish(complaint=pending, moderator=user)


# Messages: who writes what.

@pytest.mark.django_db
@pytest.mark.parametrize("kind", COMPANY_KINDS)
def test_the_companys_representative_writes_every_company_kind(complaint, company, rep, kind):
    extra = {"offer": offer_terms()} if kind == Message.Kind.OFFER else {}
    message = answer(complaint, rep, kind=kind, **extra)
    assert (message.kind, message.company, message.author) == (kind, company, rep)
    assert message.is_from_company


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_rep", "member", "other_member", "moderator", "visitor"])
@pytest.mark.parametrize("kind", COMPANY_KINDS)
def test_only_the_companys_representatives_write_for_it(request, complaint, refuses, persona, kind):
    user = request.getfixturevalue(persona)
    extra = {"offer": offer_terms()} if kind == Message.Kind.OFFER else {}
    with refuses(complaint, match="representatives"):
        answer(complaint, user, kind=kind, **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rep", "other_rep", "other_member", "moderator", "visitor"])
def test_only_the_author_replies(request, complaint, refuses, persona):
    user = request.getfixturevalue(persona)
    with refuses(complaint, match="Only the author"):
        reply(complaint, user)


@pytest.mark.django_db
def test_the_authors_reply_goes_to_the_representatives(complaint, member, rep, second_rep, committed, sent):
    answer(complaint, rep)
    with committed():
        message = reply(complaint, member)
    assert (message.kind, message.company) == (Message.Kind.REPLY, None)
    assert sorted(sent()) == [
        ("anna@2kom.ru", f"The author replied: {TITLE}"),
        ("boris@2kom.ru", f"The author replied: {TITLE}"),
    ]


@pytest.mark.django_db
def test_an_offer_needs_its_details_and_is_made_in_public(complaint, rep, refuses):
    with refuses(complaint, match="offer"):
        answer(complaint, rep, kind=Message.Kind.OFFER)
    with refuses(complaint, match="offer"):
        answer(complaint, rep, kind=Message.Kind.OFFER, offer=offer_terms(), is_private=True)


@pytest.mark.django_db
def test_private_messages_are_seen_by_the_author_the_company_and_moderators_only(
    complaint, member, rep, other_rep, other_member, moderator, visitor
):
    public = answer(complaint, rep)
    private = answer(complaint, rep, kind=Message.Kind.DETAILS, body="Your contract number?", is_private=True)
    for user in (member, rep, moderator):
        assert list(Message.objects.filter(complaint=complaint).visible_to(Viewer(user, complaint))) == [public, private]
    for user in (other_member, other_rep, visitor):
        assert list(Message.objects.filter(complaint=complaint).visible_to(Viewer(user, complaint))) == [public]


@pytest.mark.django_db
def test_a_resubmitted_message_is_stored_once(complaint, rep, committed, mailoutbox):
    token = "6f1c1f52-7a55-4c36-9f3e-0d1f6b7c2a10"
    with committed():
        first = answer(complaint, rep, submission_token=token)
        second = answer(complaint, rep, submission_token=token)
    assert first.pk == second.pk
    assert complaint.messages.count() == 1
    assert len(mailoutbox) == 1
    assert complaint.status_changes.filter(to_status=S.ANSWERED).count() == 1


@pytest.mark.django_db
def test_waiting_on_flips_between_the_company_and_the_author(complaint, member, rep, second_rep):
    published_at = complaint.published_at
    assert (complaint.waiting_on, complaint.waiting_since) == ("company", published_at)

    first = answer(complaint, rep)
    assert (reload(complaint).waiting_on, reload(complaint).waiting_since) == ("author", first.created_at)
    # A second company message while the author's move is due keeps the oldest time waiting.
    answer(complaint, second_rep, kind=Message.Kind.APOLOGY)
    assert (reload(complaint).waiting_on, reload(complaint).waiting_since) == ("author", first.created_at)

    author_reply = reply(complaint, member)
    assert (reload(complaint).waiting_on, reload(complaint).waiting_since) == ("company", author_reply.created_at)

    evaluate(complaint, member)
    assert reload(complaint).waiting_on == Complaint.WaitingOn.NOBODY


# Call-back proposals.

@pytest.fixture
def reachable(member, company, rep):
    """The author can be called on weekdays between 9 and 17."""
    return make_published(author=member, company=company, reachable_days="01234",
                          reachable_from=time(9), reachable_until=time(17))


@pytest.mark.django_db
@pytest.mark.parametrize("at", [time(9), time(12, 30), time(17)])
def test_the_company_proposes_a_call_back_inside_the_reachable_times(reachable, rep, at):
    monday = next_weekday(0, at)
    message = answer(reachable, rep, kind=Message.Kind.DETAILS, body="May we call you?", callback_at=monday)
    assert message.callback_at == monday


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "why"),
    [
        (lambda: next_weekday(5, time(10)), "cannot be reached on that day"),  # Saturday
        (lambda: next_weekday(6, time(10)), "cannot be reached on that day"),  # Sunday
        (lambda: next_weekday(0, time(8, 59)), "between 09:00 and 17:00"),
        (lambda: next_weekday(2, time(17, 1)), "between 09:00 and 17:00"),
        (lambda: next_weekday(0, time(10)) - timedelta(days=14), "future"),
    ],
    ids=["saturday", "sunday", "too-early", "too-late", "past"],
)
def test_a_call_back_outside_the_reachable_times_or_in_the_past_is_refused(reachable, rep, refuses, when, why):
    with refuses(reachable, match=why):
        answer(reachable, rep, kind=Message.Kind.DETAILS, body="May we call you?", callback_at=when())


@pytest.mark.django_db
def test_the_author_cannot_propose_a_call_back(reachable, member, refuses):
    with refuses(reachable, match="Only the company proposes"):
        reply(reachable, member, callback_at=next_weekday(0, time(10)))


# Published → answered.

@pytest.mark.django_db
def test_the_first_public_company_message_answers_the_complaint(complaint, member, rep, committed, mailoutbox, sent):
    with committed():
        message = answer(complaint, rep)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    assert complaint.first_answered_at == message.created_at
    assert last_change(complaint) == (S.PUBLISHED, S.ANSWERED, rep.pk, "The company answered.")
    assert sent() == [("member@example.com", "2KOM answered your complaint")]
    assert "in public" in mailoutbox[0].body


@pytest.mark.django_db
def test_a_private_company_message_does_not_answer_the_complaint(complaint, rep, committed, mailoutbox, sent):
    with committed():
        answer(complaint, rep, kind=Message.Kind.DETAILS, body="Your contract number, please?", is_private=True)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.first_answered_at) == (S.PUBLISHED, None)
    assert complaint.status_changes.count() == 1  # published, nothing since
    assert sent() == [("member@example.com", "2KOM answered your complaint")]
    assert "private message" in mailoutbox[0].body


@pytest.mark.django_db
def test_later_company_messages_write_no_more_timeline_rows(complaint, rep, second_rep):
    answer(complaint, rep)
    answer(complaint, second_rep, kind=Message.Kind.APOLOGY)
    make_offer(complaint, rep)
    assert complaint.status_changes.filter(from_status=S.PUBLISHED, to_status=S.ANSWERED).count() == 1


# The author's evaluation.

@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resolved", "status", "note", "subject"),
    [
        (True, S.RESOLVED, "The author says it is resolved.", f"Marked resolved: {TITLE}"),
        (False, S.UNRESOLVED, "The author says it is not resolved.", f"Marked not resolved: {TITLE}"),
    ],
)
def test_the_author_evaluates_an_answered_complaint(complaint, member, rep, committed, sent,
                                                    resolved, status, note, subject):
    answer(complaint, rep)
    with committed():
        evaluation = evaluate(complaint, member, resolved=resolved, treatment=4, comment="They called me back.")
    assert (evaluation.resolved, evaluation.treatment, evaluation.change_count) == (resolved, 4, 0)
    assert reload(complaint).status == status
    assert last_change(complaint) == (S.ANSWERED, status, member.pk, note)
    assert sent() == [("anna@2kom.ru", subject)]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rep", "other_member", "moderator", "visitor"])
def test_only_the_author_evaluates(request, complaint, rep, refuses, persona):
    answer(complaint, rep)
    with refuses(complaint, match="Only the author"):
        evaluate(complaint, request.getfixturevalue(persona))


@pytest.mark.django_db
def test_an_unanswered_complaint_cannot_be_evaluated_before_the_answer_days(complaint, member, refuses):
    days_since_publishing(complaint, settings.COMPLAINT_ANSWER_DAYS - 1, hours=23)
    with refuses(complaint, match=f"{settings.COMPLAINT_ANSWER_DAYS} days"):
        evaluate(complaint, member, resolved=False)


@pytest.mark.django_db
@pytest.mark.parametrize(("resolved", "status"), [(False, S.UNRESOLVED), (True, S.RESOLVED)])
def test_an_unanswered_complaint_can_be_evaluated_after_the_answer_days(complaint, member, committed, sent,
                                                                         resolved, status):
    days_since_publishing(complaint, settings.COMPLAINT_ANSWER_DAYS, minutes=1)
    with committed():
        evaluate(complaint, member, resolved=resolved)
    assert reload(complaint).status == status
    assert last_change(complaint)[:3] == (S.PUBLISHED, status, member.pk)
    assert [to for to, _subject in sent()] == ["anna@2kom.ru"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "then", "change", "subject"),
    [
        (True, False, (S.RESOLVED, S.UNRESOLVED, "The author says it is not resolved."), "Marked not resolved"),
        (False, True, (S.UNRESOLVED, S.RESOLVED, "The author says it is resolved."), "Marked resolved"),
    ],
    ids=["resolved-then-not", "unresolved-then-resolved"],
)
def test_the_evaluation_can_be_changed_once(complaint, member, rep, committed, sent, refuses,
                                            first, then, change, subject):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=first)
    with committed():
        changed = evaluate(complaint, member, resolved=then, comment="Changed my mind.")
    assert (changed.resolved, changed.change_count, changed.comment) == (then, 1, "Changed my mind.")
    assert Evaluation.objects.count() == 1
    from_status, to_status, note = change
    assert last_change(complaint) == (from_status, to_status, member.pk, note)
    assert sent() == [("anna@2kom.ru", f"{subject}: {TITLE}")]

    with refuses(complaint, match="only once"):
        evaluate(complaint, member, resolved=first)


@pytest.mark.django_db
def test_changing_only_the_rating_writes_no_timeline_row(complaint, member, rep):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    rows = complaint.status_changes.count()
    assert evaluate(complaint, member, resolved=True, rating=3).rating == 3
    assert complaint.status_changes.count() == rows


@pytest.mark.django_db
def test_the_evaluation_cannot_be_changed_after_the_change_days(complaint, member, rep, refuses):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    Evaluation.objects.filter(complaint=complaint).update(
        created_at=timezone.now() - timedelta(days=settings.EVALUATION_CHANGE_DAYS, minutes=1)
    )
    with refuses(complaint, match="30 days"):
        evaluate(complaint, member, resolved=False)


@pytest.mark.django_db
def test_the_evaluation_can_still_be_changed_just_inside_the_change_days(complaint, member, rep):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    Evaluation.objects.filter(complaint=complaint).update(
        created_at=timezone.now() - timedelta(days=settings.EVALUATION_CHANGE_DAYS - 1)
    )
    assert evaluate(complaint, member, resolved=False).change_count == 1


# Reopening.

@pytest.mark.django_db
def test_the_author_reopens_a_resolved_complaint_once(complaint, member, rep, committed, sent, refuses):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    with committed():
        complaint_reopen(complaint=complaint, user=member)
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    assert last_change(complaint) == (S.RESOLVED, S.ANSWERED, member.pk, "The author says it was not resolved after all.")
    assert not Evaluation.objects.filter(complaint=complaint).exists()
    assert complaint.waiting_on == Complaint.WaitingOn.COMPANY
    assert sent() == [("anna@2kom.ru", f"Reopened: {TITLE}")]

    evaluate(complaint, member, resolved=True)
    with refuses(complaint, match="only once"):
        complaint_reopen(complaint=complaint, user=member)


@pytest.mark.django_db
def test_only_a_resolved_complaint_is_reopened_and_only_by_its_author(complaint, member, other_member, rep, refuses):
    answer(complaint, rep)
    with refuses(complaint):  # answered
        complaint_reopen(complaint=complaint, user=member)
    evaluate(complaint, member, resolved=True)
    for user in (rep, other_member):
        with refuses(complaint, match="Only the author"):
            complaint_reopen(complaint=complaint, user=user)
    evaluate(complaint, member, resolved=False)  # the one change
    with refuses(complaint):  # unresolved
        complaint_reopen(complaint=complaint, user=member)


# Withdrawing.

def _answered(complaint, member, rep, monkeypatch):
    answer(complaint, rep)
    return complaint


def _resolved(complaint, member, rep, monkeypatch):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    return complaint


def _unresolved(complaint, member, rep, monkeypatch):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=False)
    return complaint


def _closed(complaint, member, rep, monkeypatch):
    answer(complaint, rep)
    complaints_close_stale(now=timezone.now() + timedelta(days=settings.COMPLAINT_CLOSE_DAYS + 1))
    return complaint


def _pending(complaint, member, rep, monkeypatch):
    return make_pending(monkeypatch, author=member, company=complaint.company)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reach", "from_status"),
    [
        (lambda c, m, r, p: c, S.PUBLISHED),
        (_answered, S.ANSWERED),
        (_resolved, S.RESOLVED),
        (_unresolved, S.UNRESOLVED),
        (_closed, S.CLOSED),
        (_pending, S.PENDING),
    ],
    ids=["published", "answered", "resolved", "unresolved", "closed", "pending"],
)
def test_the_author_withdraws(complaint, member, rep, monkeypatch, committed, mailoutbox, reach, from_status):
    target = reach(complaint, member, rep, monkeypatch)
    assert reload(target).status == from_status
    with committed():
        complaint_withdraw(complaint=target, user=member, reason="Settled by phone.")
    target = reload(target)
    assert target.status == S.WITHDRAWN
    assert not target.is_public
    assert target.waiting_on == Complaint.WaitingOn.NOBODY
    assert last_change(target) == (from_status, S.WITHDRAWN, member.pk,
                                   "The author withdrew this complaint. Settled by phone.")
    assert mailoutbox == []  # withdrawing tells nobody (no template for it yet)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rep", "other_member", "moderator"])
def test_only_the_author_withdraws(request, complaint, refuses, persona):
    with refuses(complaint, match="Only the author"):
        complaint_withdraw(complaint=complaint, user=request.getfixturevalue(persona))


@pytest.mark.django_db
def test_a_draft_cannot_be_withdrawn(member, company, refuses):
    draft = make_draft(author=member, company=company)
    with refuses(draft):
        complaint_withdraw(complaint=draft, user=member)


@pytest.mark.django_db
def test_a_withdrawn_complaint_refuses_everything(complaint, member, other_member, rep, refuses):
    answer(complaint, rep)
    follow_toggle(complaint=complaint, user=other_member)
    # A view loads the complaint afresh for each request; so does this test.
    complaint = complaint_withdraw(complaint=complaint, user=member)
    with refuses(complaint, match="closed for new messages"):
        answer(complaint, rep, kind=Message.Kind.APOLOGY)
    with refuses(complaint, match="closed for new messages"):
        reply(complaint, member)
    with refuses(complaint):
        evaluate(complaint, member)
    with refuses(complaint):
        complaint_reopen(complaint=complaint, user=member)
    with refuses(complaint):
        complaint_withdraw(complaint=complaint, user=member)
    with refuses(complaint, match="me too"):
        me_too_toggle(complaint=complaint, user=other_member)
    with refuses(complaint):
        comment_post(complaint=complaint, user=other_member, body="Same here.")
    with refuses(complaint):
        follow_toggle(complaint=complaint, user=member)  # following anew is refused...
    assert follow_toggle(complaint=complaint, user=other_member) is False  # ...but a follower can always leave


# Closing answered complaints nobody evaluated.

def later(days, **extra):
    return timezone.now() + timedelta(days=days, **extra)


@pytest.mark.django_db
def test_an_answered_complaint_closes_after_the_close_days_without_evaluation(complaint, rep, committed, mailoutbox):
    answer(complaint, rep)
    with committed():
        closed = complaints_close_stale(now=later(settings.COMPLAINT_CLOSE_DAYS, minutes=1))
    assert closed == 1
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.is_public  # it stays on the record, counted as not evaluated
    assert last_change(complaint) == (
        S.ANSWERED, S.CLOSED, None, f"Closed without an evaluation after {settings.COMPLAINT_CLOSE_DAYS} days."
    )
    assert mailoutbox == []


@pytest.mark.django_db
def test_nothing_closes_before_the_close_days(complaint, rep):
    answer(complaint, rep)
    assert complaints_close_stale(now=later(settings.COMPLAINT_CLOSE_DAYS - 1)) == 0
    assert reload(complaint).status == S.ANSWERED


@pytest.mark.django_db
def test_evaluated_and_unanswered_complaints_do_not_close(member, company, rep):
    evaluated = make_published(author=member, company=company)
    answer(evaluated, rep)
    evaluate(evaluated, member, resolved=False)
    unanswered = make_published(author=member, company=company)
    privately_asked = make_published(author=member, company=company)
    answer(privately_asked, rep, kind=Message.Kind.DETAILS, is_private=True)
    assert complaints_close_stale(now=later(365)) == 0
    assert [reload(c).status for c in (evaluated, unanswered, privately_asked)] == [
        S.UNRESOLVED, S.PUBLISHED, S.PUBLISHED,
    ]


@pytest.mark.django_db
def test_a_reopened_complaint_gets_the_full_close_days_again(complaint, member, rep):
    answer(complaint, rep)
    evaluate(complaint, member, resolved=True)
    # Answered long ago, reopened today: the author still has the full period to evaluate again.
    Complaint.objects.filter(pk=complaint.pk).update(first_answered_at=timezone.now() - timedelta(days=90))
    complaint_reopen(complaint=complaint, user=member)
    assert complaints_close_stale(now=later(1)) == 0
    assert reload(complaint).status == S.ANSWERED
    assert complaints_close_stale(now=later(settings.COMPLAINT_CLOSE_DAYS, minutes=1)) == 1
    assert reload(complaint).status == S.CLOSED


@pytest.mark.django_db
def test_a_closed_complaint_takes_no_more_messages_or_evaluation(complaint, member, rep, refuses):
    _closed(complaint, member, rep, None)
    with refuses(complaint, match="closed for new messages"):
        answer(complaint, rep, kind=Message.Kind.APOLOGY)
    with refuses(complaint):
        evaluate(complaint, member)


# Offers.

@pytest.mark.django_db
def test_an_offer_is_accepted_delivered_and_confirmed(complaint, member, rep, committed, mailoutbox, sent):
    with committed():
        offer = make_offer(complaint, rep)
    assert (offer.status, offer.company, offer.days) == (Offer.Status.OPEN, complaint.company, 3)
    assert reload(complaint).status == S.ANSWERED  # an offer is a public answer
    assert sent() == [("member@example.com", "2KOM answered your complaint")]

    mailoutbox.clear()
    with committed():
        offer = offer_respond(offer=offer, user=member, accept=True)
    assert offer.status == Offer.Status.ACCEPTED and offer.responded_at is not None
    assert (reload(complaint).waiting_on, reload(complaint).waiting_since) == ("company", offer.responded_at)
    assert sent() == [("anna@2kom.ru", f"Offer accepted: {TITLE}")]

    mailoutbox.clear()
    with committed():
        offer = offer_mark_delivered(offer=offer, user=rep)
    assert offer.status == Offer.Status.DELIVERED and offer.delivered_at is not None
    assert sent() == [("member@example.com", "2KOM says your offer was delivered")]

    mailoutbox.clear()
    with committed():
        offer = offer_confirm_delivery(offer=offer, user=member, received=True)
    assert offer.status == Offer.Status.CONFIRMED and offer.confirmed_at is not None
    assert offer.status_label == "Delivered and confirmed"
    assert sent() == [("anna@2kom.ru", f"Delivery confirmed: {TITLE}")]
    # Offers never move the complaint itself: only messages and the evaluation do.
    assert reload(complaint).status == S.ANSWERED


@pytest.mark.django_db
def test_the_author_declines_an_offer_with_a_reason(complaint, member, rep, committed, mailoutbox, sent):
    offer = make_offer(complaint, rep)
    with committed():
        offer = offer_respond(offer=offer, user=member, accept=False, reason="Three days is not enough.")
    offer.refresh_from_db()
    assert (offer.status, offer.response_reason) == (Offer.Status.DECLINED, "Three days is not enough.")
    assert sent() == [("anna@2kom.ru", f"Offer declined: {TITLE}")]
    assert "Three days is not enough." in mailoutbox[0].body


@pytest.mark.django_db
def test_the_author_disputes_a_delivery(complaint, member, rep, committed, sent):
    offer = offer_mark_delivered(offer=offer_respond(offer=make_offer(complaint, rep), user=member, accept=True),
                                 user=rep)
    with committed():
        offer = offer_confirm_delivery(offer=offer, user=member, received=False, reason="No credit on my bill.")
    offer.refresh_from_db()
    assert (offer.status, offer.response_reason) == (Offer.Status.DISPUTED, "No credit on my bill.")
    assert sent() == [("anna@2kom.ru", f"Delivery disputed: {TITLE}")]


@pytest.mark.django_db
def test_an_expired_offer_cannot_be_accepted(complaint, member, rep, refuses):
    offer = make_offer(complaint, rep)
    Offer.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    offer.refresh_from_db()
    assert offer.is_expired
    assert offer.status_label == "Expired"
    with refuses(complaint, match="expired"):
        offer_respond(offer=offer, user=member, accept=True)


@pytest.mark.django_db
def test_an_offer_is_valid_through_its_last_day(complaint, member, rep):
    offer = make_offer(complaint, rep, expires_on=timezone.localdate())
    assert not offer.is_expired
    assert offer.status_label == "Waiting for the author"
    assert offer_respond(offer=offer, user=member, accept=True).status == Offer.Status.ACCEPTED


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rep", "second_rep", "other_member", "moderator"])
def test_only_the_author_answers_an_offer(request, complaint, rep, refuses, persona):
    offer = make_offer(complaint, rep)
    user = request.getfixturevalue(persona)
    for accept in (True, False):
        with refuses(complaint, match="Only the author"):
            offer_respond(offer=offer, user=user, accept=accept)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["member", "other_rep", "other_member", "moderator"])
def test_only_the_companys_representatives_mark_an_offer_delivered(request, complaint, member, rep, refuses, persona):
    offer = offer_respond(offer=make_offer(complaint, rep), user=member, accept=True)
    with refuses(complaint, match="representatives"):
        offer_mark_delivered(offer=offer, user=request.getfixturevalue(persona))


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["rep", "other_member", "moderator"])
def test_only_the_author_confirms_a_delivery(request, complaint, member, rep, refuses, persona):
    offer = offer_mark_delivered(offer=offer_respond(offer=make_offer(complaint, rep), user=member, accept=True),
                                 user=rep)
    for received in (True, False):
        with refuses(complaint, match="Only the author"):
            offer_confirm_delivery(offer=offer, user=request.getfixturevalue(persona), received=received)


@pytest.mark.django_db
def test_an_answered_offer_cannot_be_answered_again(complaint, member, rep, refuses):
    accepted = offer_respond(offer=make_offer(complaint, rep), user=member, accept=True)
    declined = offer_respond(offer=make_offer(complaint, rep), user=member, accept=False, reason="No.")
    for offer in (accepted, declined):
        for accept in (True, False):
            with refuses(complaint, match="already been answered"):
                offer_respond(offer=offer, user=member, accept=accept)


@pytest.mark.django_db
def test_offer_steps_cannot_be_skipped_or_repeated(complaint, member, rep, refuses):
    offer = make_offer(complaint, rep)
    with refuses(complaint, match="Only an accepted offer"):
        offer_mark_delivered(offer=offer, user=rep)
    with refuses(complaint, match="not marked this offer as delivered"):
        offer_confirm_delivery(offer=offer, user=member, received=True)
    offer = offer_respond(offer=offer, user=member, accept=True)
    with refuses(complaint, match="not marked this offer as delivered"):
        offer_confirm_delivery(offer=offer, user=member, received=True)
    offer = offer_mark_delivered(offer=offer, user=rep)
    with refuses(complaint, match="Only an accepted offer"):
        offer_mark_delivered(offer=offer, user=rep)
    offer = offer_confirm_delivery(offer=offer, user=member, received=True)
    with refuses(complaint, match="not marked this offer as delivered"):
        offer_confirm_delivery(offer=offer, user=member, received=False)


@pytest.mark.django_db
def test_the_company_record_counts_answers_resolutions_and_offers(member, company, rep):
    resolved = make_published(author=member, company=company)
    offer_respond(offer=make_offer(resolved, rep), user=member, accept=True)
    evaluate(resolved, member, resolved=True)

    unresolved = make_published(author=member, company=company)
    offer_respond(offer=make_offer(unresolved, rep), user=member, accept=False, reason="Too little.")
    evaluate(unresolved, member, resolved=False)

    make_offer(make_published(author=member, company=company), rep)  # answered, offer still open
    make_published(author=member, company=company)  # never answered

    withdrawn = make_published(author=member, company=company)  # out of the figures
    offer_respond(offer=make_offer(withdrawn, rep), user=member, accept=True)
    complaint_withdraw(complaint=withdrawn, user=member)

    scorecard_refresh(company_id=company.pk)
    card = Scorecard.objects.get(company=company, window="all")
    record = {
        "total": card.complaints, "answered": card.answered, "answered_share": round(100 * card.answered_share),
        "evaluated": card.evaluated, "resolved": card.resolved, "resolved_share": round(100 * card.resolved_share),
        "offers_made": card.offers_made, "offers_accepted": card.offers_accepted,
    }
    assert record == {
        "total": 4, "answered": 3, "answered_share": 75,
        "evaluated": 2, "resolved": 1, "resolved_share": 50,
        "offers_made": 3, "offers_accepted": 1,
    }


@pytest.mark.django_db
def test_the_record_of_a_company_without_complaints_has_no_shares(company):
    scorecard_refresh(company_id=company.pk)
    card = Scorecard.objects.get(company=company, window="all")
    assert (card.complaints, card.answered_share, card.resolved_share) == (0, None, None)


@pytest.mark.django_db
def test_mail_shows_names_and_titles_as_written(member, committed, mailoutbox, sent):
    company = CompanyFactory(name="AT&T", slug="att", website="https://att.example")
    rep = make_representative(company, "support@att.example")
    complaint = make_published(author=member, company=company, title='The "free" router isn\'t free')
    with committed():
        answer(complaint, rep)
    assert sent() == [("member@example.com", "AT&T answered your complaint")]
    assert 'The "free" router isn\'t free' in mailoutbox[0].body


# Me too, follow, comments.

@pytest.mark.django_db
def test_me_too_counts_once_per_member_and_toggles(complaint, other_member):
    assert me_too_toggle(complaint=complaint, user=other_member) is True
    assert MeToo.objects.filter(complaint=complaint).count() == 1
    assert me_too_toggle(complaint=complaint, user=other_member) is False
    assert not MeToo.objects.filter(complaint=complaint).exists()
    assert me_too_toggle(complaint=complaint, user=other_member) is True
    assert me_too_toggle(complaint=complaint, user=UserFactory()) is True
    assert MeToo.objects.filter(complaint=complaint).count() == 2


@pytest.mark.django_db
def test_me_too_is_not_for_the_author_or_visitors(complaint, member, visitor, refuses):
    with refuses(complaint, match="your own"):
        me_too_toggle(complaint=complaint, user=member)
    with refuses(complaint, match="Only members"):
        me_too_toggle(complaint=complaint, user=visitor)


@pytest.mark.django_db
def test_me_too_does_not_change_the_complaint(complaint, other_member):
    before = state(complaint)
    me_too_toggle(complaint=complaint, user=other_member)
    after = state(complaint)
    assert after.pop("me_too") != before.pop("me_too")
    assert after == before


@pytest.mark.django_db
def test_followers_are_told_of_public_messages_only(complaint, member, other_member, rep, committed, mailoutbox, sent):
    assert follow_toggle(complaint=complaint, user=other_member) is True
    delivery_set(other_member, Topic.FOLLOWING, Delivery.AT_ONCE)  # not the daily digest: each mail is seen at once
    follower_mail = ("other@example.com", f"New message on a complaint you follow: {TITLE}")

    with committed():
        answer(complaint, rep)
    assert follower_mail in sent()

    mailoutbox.clear()
    with committed():
        reply(complaint, member)
    assert follower_mail in sent()

    mailoutbox.clear()
    with committed():
        answer(complaint, rep, kind=Message.Kind.DETAILS, body="Your contract number?", is_private=True)
        reply(complaint, member, is_private=True)
    assert sent() == [
        ("member@example.com", "2KOM answered your complaint"),
        ("anna@2kom.ru", f"The author replied: {TITLE}"),
    ]


@pytest.mark.django_db
def test_an_unfollower_gets_no_more_mail(complaint, other_member, rep, committed, sent):
    follow_toggle(complaint=complaint, user=other_member)
    assert follow_toggle(complaint=complaint, user=other_member) is False
    assert not Follow.objects.exists()
    with committed():
        answer(complaint, rep)
    assert "other@example.com" not in [to for to, _subject in sent()]


@pytest.mark.django_db
def test_visitors_cannot_follow(complaint, visitor, refuses):
    with refuses(complaint, match="Only members"):
        follow_toggle(complaint=complaint, user=visitor)


@pytest.mark.django_db
def test_comments_never_change_the_complaint(complaint, member, other_member, rep):
    answer(complaint, rep)
    before = state(complaint)
    comment_post(complaint=complaint, user=other_member, body="Same with my line.")
    comment_post(complaint=complaint, user=member, body="Update: still down.")
    comment_post(complaint=complaint, user=rep, body="We are on it.")
    after = state(complaint)
    assert len(after.pop("comments")) == 3
    before.pop("comments")
    assert after == before


@pytest.mark.django_db
def test_a_resubmitted_comment_is_stored_once(complaint, other_member):
    token = "1d0e9a41-4a5b-4b0e-8a63-5e9b9f0b7c21"
    first = comment_post(complaint=complaint, user=other_member, body="Same here.", submission_token=token)
    second = comment_post(complaint=complaint, user=other_member, body="Same here.", submission_token=token)
    assert first.pk == second.pk
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_visitors_cannot_comment(complaint, visitor, refuses):
    with refuses(complaint, match="Only members"):
        comment_post(complaint=complaint, user=visitor, body="Spam")


# Two people at once. Row locks are real only on PostgreSQL; SQLite serialises
# every write, so there the race cannot even be staged. In each race the first
# action holds the row lock (row_lock_race, in the root conftest) until the second
# is seen waiting for it.

@pytest.mark.django_db(transaction=True)
def test_two_representatives_answering_at_once_answer_the_complaint_once(row_lock_race):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (select_for_update) to race against")
    company = CompanyFactory(name="2KOM", slug="2kom", website="https://2kom.ru")
    anna, boris = make_representative(company, "anna@2kom.ru"), make_representative(company, "boris@2kom.ru")
    complaint = make_published(author=UserFactory(), company=company)

    outcomes = row_lock_race(
        message_post, "locked",
        lambda: answer(complaint, anna),
        lambda: answer(complaint, boris, kind=Message.Kind.APOLOGY),
        refusal=ComplaintError,
    )

    assert outcomes == ["ok", "ok"]  # both messages are posted...
    assert list(complaint.messages.order_by("pk").values_list("author", flat=True)) == [anna.pk, boris.pk]
    # ...but only the first one answers the complaint.
    assert list(complaint.status_changes.filter(to_status=S.ANSWERED).values_list("from_status", "actor")) == [
        (S.PUBLISHED, anna.pk)
    ]
    complaint.refresh_from_db()
    assert complaint.status == S.ANSWERED
    assert complaint.first_answered_at == complaint.messages.get(author=anna).created_at


@pytest.mark.django_db(transaction=True)
def test_accepting_an_offer_twice_at_once_succeeds_once(row_lock_race):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks (select_for_update) to race against")
    company = CompanyFactory(name="2KOM", slug="2kom", website="https://2kom.ru")
    author = UserFactory()
    offer = make_offer(make_published(author=author, company=company), make_representative(company, "anna@2kom.ru"))

    def accept():
        offer_respond(offer=offer, user=author, accept=True)

    outcomes = row_lock_race(offer_respond, "_locked_offer", accept, accept, refusal=ComplaintError)

    assert outcomes == ["ok", "refused"]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert StatusChange.objects.filter(complaint=offer.complaint, event=StatusChange.Event.OFFER_ACCEPTED).count() == 1
