"""Stored scorecards: the figures per window, how they follow complaints, and the pages that show them.

States are reached through the complaint services. Two shortcuts, as elsewhere:
the clock (published_at / first_answered_at are back-dated with a queryset
update, or `now=` is passed to the refresh) and hiding, which has no service yet.
Refreshes run after commit: a test that wants the incremental path wraps the
action in `django_capture_on_commit_callbacks(execute=True)`; one that only needs
the final figures lets the callbacks drop and calls the refresh itself.
"""

import random
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks.signals import task_finished
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from companies.models import Scorecard
from companies.services import claim_submit
from companies.tests.factories import CompanyFactory, IndustryFactory
from companies.views import score_example
from complaints.access import CONVERSATION_STATUSES, can_change_evaluation, may_evaluate_now
from complaints.models import Complaint, Evaluation, Message, Offer
from complaints.services.lifecycle import complaint_reopen, complaint_withdraw
from complaints.services.participation import me_too_toggle
from complaints.services.scorecards import (
    apply_score,
    month_start,
    portal_priors,
    scorecard_refresh,
    scorecards_recompute_all,
)
from complaints.services.thread import (
    complaint_evaluate,
    message_post,
    offer_confirm_delivery,
    offer_mark_delivered,
    offer_respond,
)
from complaints.tests.factories import UserFactory, make_draft, make_published
from complaints.views.companies import scorecard_summary
from complaints_site.tests.language_client import LanguageClient

S = Complaint.Status
W = Scorecard.Window
COUNT_FIELDS = [
    "complaints", "answered", "answered_in_7_days", "median_answer_hours", "evaluated", "resolved",
    "would_return", "ratings_sum", "ratings_sq_sum", "factors", "offers_made", "offers_accepted",
    "offers_delivered", "credited", "free_days", "me_too", "monthly",
]
SCORE_FIELDS = ["score", "score_low", "score_high", "label"]
# A number that went wrong on its way to the page.
BROKEN_NUMBER = re.compile(r"\b(nan|NaN|None|inf|Infinity)\b")


# Helpers: reaching states through the services.

def make_rep(company):
    """A representative approved at once: a confirmed address at the company's own domain."""
    user = UserFactory(email=f"care{company.pk}@{company.website_domain}")
    claim_submit(user=user, company=company, work_email=user.email, job_title="Customer care", evidence="")
    return user


def publish(company, *, at=None, author=None):
    """A published complaint, its publication moved to `at` (the refresh after commit sees the moved time)."""
    complaint = make_published(company=company, author=author)
    if at is not None:
        Complaint.objects.filter(pk=complaint.pk).update(published_at=at, waiting_since=at)
    return Complaint.objects.get(pk=complaint.pk)


def answer(complaint, rep, *, after=None, **kwargs):
    """The company answers; with `after`, as if the first answer had come that long after publishing."""
    message = message_post(complaint=complaint, user=rep, kind=kwargs.pop("kind", Message.Kind.ANSWER),
                           body="We are sorry. A technician comes on Monday.", **kwargs)
    if after is not None:
        Complaint.objects.filter(pk=complaint.pk).update(first_answered_at=complaint.published_at + after)
    return message


def verdict(resolved=True, rating=5, would_return=True, **factors) -> dict:
    data = dict.fromkeys(Evaluation.FACTORS)
    data.update(factors)
    return {"resolved": resolved, "rating": rating, "would_return": would_return, "comment": "", **data}


def evaluate(complaint, **verdict_fields):
    return complaint_evaluate(complaint=complaint, user=complaint.author, data=verdict(**verdict_fields))


def offer(complaint, rep, **terms):
    terms = {"description": "What we offer", "expires_on": timezone.localdate() + timedelta(days=14), **terms}
    return message_post(complaint=complaint, user=rep, kind=Message.Kind.OFFER, body="Our offer.", offer=terms).offer


def evaluated_without_answer(company, count, **verdict_fields):
    """`count` complaints the company let wait 15 days, then evaluated by their authors."""
    for _ in range(count):
        complaint = publish(company, at=timezone.now() - timedelta(days=15))
        evaluate(complaint, **verdict_fields)


def evaluated_after_answer(company, rep, count, **verdict_fields):
    """`count` complaints published two hours ago, answered an hour later, then evaluated."""
    for _ in range(count):
        complaint = publish(company, at=timezone.now() - timedelta(hours=2))
        answer(complaint, rep, after=timedelta(hours=1))
        evaluate(complaint, **verdict_fields)


def card(company, window=W.LAST_12_MONTHS) -> Scorecard:
    return Scorecard.objects.get(company=company, window=window)


def counts(scorecard) -> dict:
    return {name: getattr(scorecard, name) for name in COUNT_FIELDS}


def past_anchor() -> datetime:
    """Noon on the 15th of the month before last (portal time): a fixed `now` that is surely in the past."""
    return month_start(timezone.now(), 2) + timedelta(days=14, hours=12)


@pytest.fixture
def failed_tasks():
    """Task results that failed: the immediate backend records an exception instead of raising it."""
    failures = []

    def record(sender, task_result, **kwargs):
        if task_result.errors:
            failures.append(task_result.errors[-1].traceback)

    task_finished.connect(record)
    yield failures
    task_finished.disconnect(record)


# Figures per window.

@pytest.mark.django_db
def test_windows_count_twelve_and_six_calendar_months_and_all_time(company):
    now = past_anchor()
    six_months = month_start(now, 5)
    twelve_months = month_start(now, 11)
    ages = {
        "this month": now - timedelta(hours=1),
        "first instant of the 6-month window": six_months,
        "a second before it": six_months - timedelta(seconds=1),
        "first instant of the 12-month window": twelve_months,
        "a second before that": twelve_months - timedelta(seconds=1),
    }
    rep = make_rep(company)
    complaints = {name: publish(company, at=at) for name, at in ages.items()}
    # Only the oldest is answered and evaluated, so answers and evaluations follow the same windows.
    answer(complaints["a second before that"], rep, after=timedelta(hours=5))
    evaluate(complaints["a second before that"], resolved=True, rating=4)
    scorecard_refresh(company_id=company.pk, now=now)

    assert (card(company, W.LAST_6_MONTHS).complaints, card(company).complaints,
            card(company, W.ALL_TIME).complaints) == (2, 4, 5)
    assert (card(company).answered, card(company).evaluated) == (0, 0)
    all_time = card(company, W.ALL_TIME)
    assert (all_time.answered, all_time.answered_in_7_days, all_time.evaluated, all_time.resolved) == (1, 1, 1, 1)
    assert all_time.median_answer_hours == 5.0
    assert all_time.ratings_sum == 4
    # Twelve months, oldest first, ending with the month of `now`; only the 12-month card keeps them.
    monthly = card(company).monthly
    assert [m["month"] for m in monthly] == [month_start(now, back).strftime("%Y-%m") for back in range(11, -1, -1)]
    assert monthly[0]["complaints"] == 1 and monthly[6]["complaints"] == 1 and monthly[-1]["complaints"] == 1
    assert sum(m["complaints"] for m in monthly) == 4
    assert card(company, W.ALL_TIME).monthly == [] == card(company, W.LAST_6_MONTHS).monthly


@pytest.mark.django_db
def test_months_are_counted_in_the_portals_time_zone(settings, company):
    settings.TIME_ZONE = "Europe/Moscow"  # UTC+3 all year
    now = past_anchor()
    assert now.tzinfo == ZoneInfo("Europe/Moscow")
    window_start = month_start(now, 5)
    assert window_start.hour == 0 and window_start.day == 1 and window_start.utcoffset() == timedelta(hours=3)
    after_local_midnight = window_start + timedelta(minutes=30)
    before_local_midnight = window_start - timedelta(minutes=30)
    # In UTC both fall on the last day of the previous month: a window counted in UTC would keep neither.
    assert after_local_midnight.astimezone(UTC).day == before_local_midnight.astimezone(UTC).day
    publish(company, at=after_local_midnight)
    publish(company, at=before_local_midnight)
    scorecard_refresh(company_id=company.pk, now=now)

    assert card(company, W.LAST_6_MONTHS).complaints == 1
    assert card(company).complaints == 2
    by_month = {m["month"]: m["complaints"] for m in card(company).monthly}
    assert by_month[window_start.strftime("%Y-%m")] == 1
    assert by_month[(window_start - timedelta(days=1)).strftime("%Y-%m")] == 1


@pytest.mark.django_db
def test_median_answer_time_and_answers_within_seven_days(company):
    rep = make_rep(company)
    start = timezone.now().replace(microsecond=0) - timedelta(days=20)
    # Answered after 2 h, 10 h, exactly 7 days (still within) and 7 days and a minute (not within).
    waits = [timedelta(hours=2), timedelta(hours=10), timedelta(days=7), timedelta(days=7, minutes=1)]
    for wait in waits:
        answer(publish(company, at=start), rep, after=wait)
    publish(company, at=start)  # never answered: counts among complaints, not in the median
    scorecard_refresh(company_id=company.pk)

    scorecard = card(company)
    assert (scorecard.complaints, scorecard.answered, scorecard.answered_in_7_days) == (5, 4, 3)
    # median of 2, 10, 168 and 168.0167 hours = (10 + 168) / 2
    assert scorecard.median_answer_hours == 89.0
    assert scorecard.answered_share == 0.8 and scorecard.answered_in_7_days_share == 0.6


@pytest.mark.django_db
def test_offers_credited_per_currency_and_free_days(company):
    rep = make_rep(company)
    first, second = publish(company), publish(company)
    offer_respond(offer=offer(first, rep, kind="refund", amount=Decimal("100.50"), currency="EUR"),
                  user=first.author, accept=True)
    credit = offer_respond(offer=offer(first, rep, kind="credit", amount=Decimal("200"), currency="EUR"),
                           user=first.author, accept=True)
    offer_mark_delivered(offer=credit, user=rep)
    offer_respond(offer=offer(second, rep, kind="refund", amount=Decimal("300"), currency="RUB"),
                  user=second.author, accept=True)
    offer_respond(offer=offer(second, rep, kind="refund", amount=Decimal("999"), currency="USD"),
                  user=second.author, accept=False, reason="Too little.")
    offer_respond(offer=offer(second, rep, kind="free_days", days=3), user=second.author, accept=True)
    offer(second, rep, kind="free_days", days=5)  # still open: offered, not credited
    scorecard_refresh(company_id=company.pk)

    scorecard = card(company)
    assert (scorecard.offers_made, scorecard.offers_accepted, scorecard.offers_delivered) == (6, 4, 1)
    assert scorecard.credited == {"EUR": "300.50", "RUB": "300.00"}
    assert scorecard.free_days == 3


@pytest.mark.django_db
def test_evaluations_factor_averages_and_me_too(company):
    rep = make_rep(company)
    neighbours = [UserFactory() for _ in range(3)]
    happy, angry, quiet = publish(company), publish(company), publish(company)
    for complaint in (happy, angry, quiet):
        answer(complaint, rep)
    evaluate(happy, resolved=True, rating=5, would_return=True, waiting_time=5, treatment=4)
    evaluate(angry, resolved=False, rating=2, would_return=False, waiting_time=2)
    evaluate(quiet, resolved=True, rating=4, would_return=False)
    me_too_toggle(complaint=happy, user=neighbours[0])
    me_too_toggle(complaint=happy, user=neighbours[1])
    me_too_toggle(complaint=angry, user=neighbours[2])
    me_too_toggle(complaint=happy, user=neighbours[1])  # taken back
    scorecard_refresh(company_id=company.pk)

    scorecard = card(company)
    assert (scorecard.evaluated, scorecard.resolved, scorecard.would_return) == (3, 2, 1)
    # ratings 5 + 2 + 4 = 11, squares 25 + 4 + 16 = 45
    assert (scorecard.ratings_sum, scorecard.ratings_sq_sum) == (11, 45)
    assert scorecard.average_rating == pytest.approx(11 / 3)
    # Factors only where someone answered them: waiting time (5 + 2) / 2, treatment 4 / 1.
    assert scorecard.factors == {"waiting_time": [7, 2], "treatment": [4, 1]}
    assert scorecard.factor_averages() == {"waiting_time": (3.5, 2), "treatment": (4.0, 1)}
    assert scorecard.me_too == 2


@pytest.mark.django_db
def test_withdrawn_hidden_and_rejected_complaints_count_in_nothing(company, django_capture_on_commit_callbacks):
    rep = make_rep(company)
    withdrawn, hidden, kept = publish(company), publish(company), publish(company)
    for complaint in (withdrawn, hidden):
        answer(complaint, rep, after=timedelta(hours=3))
        offer_respond(offer=offer(complaint, rep, kind="refund", amount=Decimal("50"), currency="EUR"),
                      user=complaint.author, accept=True)
        evaluate(complaint, resolved=True, rating=5, waiting_time=5)
        me_too_toggle(complaint=complaint, user=UserFactory())
    rejected = make_draft(company=company)
    scorecard_refresh(company_id=company.pk)
    for window in W.values:
        assert card(company, window).complaints == 3 and card(company, window).evaluated == 2

    # Withdrawing is followed by the refresh it schedules.
    with django_capture_on_commit_callbacks(execute=True):
        complaint_withdraw(complaint=withdrawn, user=withdrawn.author, reason="Sorted out by phone.")
    assert card(company).complaints == 2 and card(company).evaluated == 1
    assert (card(company).offers_made, card(company).credited, card(company).me_too) == (1, {"EUR": "50.00"}, 1)

    # There is no hide or reject service in complaints.services yet (the moderation issue brings them):
    # the statuses are set with a queryset update and the refresh those services schedule is called by hand.
    Complaint.objects.filter(pk=hidden.pk).update(status=S.HIDDEN, status_before_hidden=S.RESOLVED)
    Complaint.objects.filter(pk=rejected.pk).update(status=S.REJECTED)
    scorecard_refresh(company_id=company.pk)

    for window in W.values:
        scorecard = card(company, window)
        assert counts(scorecard) | {"monthly": []} == counts(Scorecard(complaints=1)) | {"monthly": []}, window
        assert scorecard.score is None and scorecard.label == ""
    assert sum(m["complaints"] for m in card(company).monthly) == 1
    assert kept.pk in Complaint.objects.public().values_list("pk", flat=True)
    # A full recompute agrees.
    before = counts(card(company))
    assert scorecards_recompute_all() == 1
    assert counts(card(company)) == before


@pytest.mark.django_db
def test_recompute_command_prints_how_many_companies_it_recomputed():
    for company in (CompanyFactory(), CompanyFactory()):
        publish(company)
    CompanyFactory()  # no complaints: nothing to recompute
    out = StringIO()
    call_command("recompute_scorecards", stdout=out)
    assert re.fullmatch(r"Recomputed the scorecards of 2 companies in \d+\.\d s\.\n", out.getvalue())
    assert Scorecard.objects.count() == 2 * len(W.values)


# The incremental figures equal a full recompute.

EVENTS = {
    "publish": 6, "answer": 4, "private": 1, "offer": 3, "accept": 2, "decline": 1, "deliver": 1, "confirm": 1,
    "evaluate": 3, "change": 1, "reopen": 1, "withdraw": 1, "me_too": 2,
}


class Portal:
    """Three companies, their representatives, a few authors and neighbours, and a random hand."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.companies = [CompanyFactory() for _ in range(3)]
        self.reps = {company.pk: make_rep(company) for company in self.companies}
        self.authors = [UserFactory() for _ in range(5)]
        self.neighbours = [UserFactory() for _ in range(4)]
        self.applied = []

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def complaints(self, **filters):
        return Complaint.objects.filter(company__in=self.companies, **filters)

    def offers(self, status):
        return Offer.objects.filter(company__in=self.companies, status=status,
                                    complaint__status__in=CONVERSATION_STATUSES)

    def step(self) -> str:
        event = self.rng.choices(list(EVENTS), weights=list(EVENTS.values()))[0]
        if getattr(self, f"do_{event}")() is False:
            event = "publish"
            self.do_publish()
        self.applied.append(event)
        return event

    def do_publish(self):
        company = self.rng.choice(self.companies)
        age = timedelta(days=self.rng.randint(0, 500), hours=self.rng.randint(0, 23))
        publish(company, at=timezone.now() - age, author=self.rng.choice(self.authors))

    def do_answer(self):
        complaint = self.pick(self.complaints(status__in=CONVERSATION_STATUSES))
        if complaint is None:
            return False
        first = complaint.first_answered_at is None
        kind = self.rng.choice([Message.Kind.ANSWER, Message.Kind.APOLOGY, Message.Kind.DETAILS])
        message_post(complaint=complaint, user=self.reps[complaint.company_id], kind=kind, body="We look into it.")
        if first:
            wait = timedelta(hours=self.rng.randint(1, 24 * 20))
            answered = min(complaint.published_at + wait, timezone.now())
            Complaint.objects.filter(pk=complaint.pk).update(first_answered_at=answered)

    def do_private(self):
        complaint = self.pick(self.complaints(status__in=CONVERSATION_STATUSES))
        if complaint is None:
            return False
        message_post(complaint=complaint, user=self.reps[complaint.company_id], kind=Message.Kind.DETAILS,
                     body="Your contract number, please.", is_private=True)

    def do_offer(self):
        complaint = self.pick(self.complaints(status__in=CONVERSATION_STATUSES))
        if complaint is None:
            return False
        if self.rng.random() < 0.4:
            terms = {"kind": "free_days", "days": self.rng.randint(1, 10)}
        else:
            terms = {"kind": self.rng.choice(["refund", "credit"]), "currency": self.rng.choice(["EUR", "RUB", "SEK"]),
                     "amount": Decimal(self.rng.randint(100, 500_000)) / 100}
        offer(complaint, self.reps[complaint.company_id], **terms)

    def _respond(self, accept):
        chosen = self.pick(self.offers(Offer.Status.OPEN).select_related("complaint"))
        if chosen is None:
            return False
        offer_respond(offer=chosen, user=chosen.complaint.author, accept=accept, reason="")

    def do_accept(self):
        return self._respond(True)

    def do_decline(self):
        return self._respond(False)

    def do_deliver(self):
        chosen = self.pick(self.offers(Offer.Status.ACCEPTED))
        if chosen is None:
            return False
        offer_mark_delivered(offer=chosen, user=self.reps[chosen.company_id])

    def do_confirm(self):
        chosen = self.pick(self.offers(Offer.Status.DELIVERED).select_related("complaint"))
        if chosen is None:
            return False
        offer_confirm_delivery(offer=chosen, user=chosen.complaint.author, received=self.rng.random() < 0.7)

    def _random_verdict(self) -> dict:
        rng = self.rng
        factors = {name: rng.choice([None, 1, 2, 3, 4, 5]) for name in Evaluation.FACTORS}
        return verdict(resolved=rng.random() < 0.5, rating=rng.randint(1, 5), would_return=rng.random() < 0.5,
                       **factors)

    def do_evaluate(self):
        candidates = [c for c in self.complaints(evaluation__isnull=True, status__in=[S.PUBLISHED, S.ANSWERED])
                      .order_by("pk") if may_evaluate_now(c)]
        if not candidates:
            return False
        complaint = self.rng.choice(candidates)
        complaint_evaluate(complaint=complaint, user=complaint.author, data=self._random_verdict())

    def do_change(self):
        evaluations = [e for e in Evaluation.objects.filter(complaint__company__in=self.companies)
                       .select_related("complaint").order_by("pk") if can_change_evaluation(e)]
        if not evaluations:
            return False
        complaint = self.rng.choice(evaluations).complaint
        complaint_evaluate(complaint=complaint, user=complaint.author, data=self._random_verdict())

    def do_reopen(self):
        complaint = self.pick(self.complaints(status=S.RESOLVED, reopened_at__isnull=True))
        if complaint is None:
            return False
        complaint_reopen(complaint=complaint, user=complaint.author)

    def do_withdraw(self):
        complaint = self.pick(self.complaints(status__in=Complaint.PUBLIC_STATUSES))
        if complaint is None:
            return False
        complaint_withdraw(complaint=complaint, user=complaint.author, reason="")

    def do_me_too(self):
        complaint = self.pick(self.complaints(status__in=Complaint.PUBLIC_STATUSES))
        if complaint is None:
            return False
        me_too_toggle(complaint=complaint, user=self.rng.choice(self.neighbours))


def snapshot() -> dict:
    return {(c.company_id, c.window): counts(c) for c in Scorecard.objects.order_by("company_id", "window")}


def scores_with_current_priors() -> dict:
    """Every stored card scored against priors computed from the stored cards themselves."""
    result = {}
    for window in W.values:
        priors = portal_priors(window)
        for scorecard in Scorecard.objects.filter(window=window):
            apply_score(scorecard, priors)
            result[(scorecard.company_id, window)] = tuple(getattr(scorecard, name) for name in SCORE_FIELDS)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [7, 2026, 424242])
def test_incremental_figures_equal_a_full_recompute_after_random_events(
    seed, django_capture_on_commit_callbacks, failed_tasks
):
    portal = Portal(random.Random(seed))
    for _ in range(60):
        # One transaction per action, as in a request; its refreshes run when it commits.
        with django_capture_on_commit_callbacks(execute=True):
            portal.step()
    assert failed_tasks == []
    assert len(set(portal.applied)) >= 9, portal.applied  # the sequence really mixes the kinds of event
    incremental, incremental_scores = snapshot(), scores_with_current_priors()
    assert {company_id for company_id, _window in incremental} == {c.pk for c in portal.companies}

    scorecards_recompute_all(now=timezone.now())

    assert snapshot() == incremental
    stored_scores = {(c.company_id, c.window): tuple(getattr(c, name) for name in SCORE_FIELDS)
                     for c in Scorecard.objects.all()}
    assert stored_scores == incremental_scores


# The company page.

@pytest.fixture
def scored_portal(db):
    """Zeta answers and satisfies, Alpha never answers nor satisfies, Beta is half and half with too few
    evaluations, Gamma has no complaints.

    Portal-wide every rate is then exactly 0.5 (12 of 24 answered in time, 12 of 24 resolved, ...),
    so Zeta, perfect over 10, scores (3.5 + 10) / 17 = 0.794 on every rate → 7.94 "good", and
    Alpha, failing over 10, 3.5 / 17 = 0.206 → 2.06 "not recommended".
    """
    industry = IndustryFactory(name="Telecoms", slug="telecoms")
    zeta = CompanyFactory(name="Zeta", slug="zeta", industry=industry)
    alpha = CompanyFactory(name="Alpha", slug="alpha", industry=industry)
    beta = CompanyFactory(name="Beta", slug="beta", industry=industry)
    gamma = CompanyFactory(name="Gamma", slug="gamma", industry=industry)
    evaluated_after_answer(zeta, make_rep(zeta), 10, resolved=True, rating=5, would_return=True)
    evaluated_without_answer(alpha, 10, resolved=False, rating=1, would_return=False)
    evaluated_after_answer(beta, make_rep(beta), 2, resolved=True, rating=5, would_return=True)
    evaluated_without_answer(beta, 2, resolved=False, rating=1, would_return=False)
    scorecards_recompute_all()
    assert portal_priors("12m") == dict.fromkeys(portal_priors("12m"), 0.5)
    return {"industry": industry, "zeta": zeta, "alpha": alpha, "beta": beta, "gamma": gamma}


@pytest.mark.django_db
def test_company_page_shows_score_label_and_range(client, scored_portal):
    zeta = scored_portal["zeta"]
    scorecard = card(zeta)
    assert scorecard.label == "good"
    body = client.get(zeta.get_absolute_url()).content.decode()
    # 7.94 (see scored_portal); ten 5-star ratings have no spread, so only the four shares widen the range:
    # 10 × 1.6449 × √((0.04 + 0.01 + 0.09 + 0.0225) × 0.794118 × 0.205882 / 17) = 0.65 → 7.29 to 8.59.
    assert (scorecard.score, scorecard.score_low, scorecard.score_high) == (7.94, 7.29, 8.59)
    assert '<span class="score-value">7.9</span>' in body
    assert '<span class="badge label-good">Good</span>' in body
    assert "90% range 7.3–8.6, from 10 evaluated complaints." in body
    assert "Not enough data" not in body
    # Each figure carries its n.
    text = re.sub(r"\s+", " ", body)
    for shown in ("100% <span class=\"help\">10 of 10</span>", "from 10 answered", "10 of 10 evaluated",
                  "5.0 / 5 <span class=\"help\">from 10 evaluated</span>"):
        assert shown in text, shown


@pytest.mark.django_db
def test_company_page_shows_not_enough_data_below_ten_evaluations(client, company, django_capture_on_commit_callbacks):
    rep = make_rep(company)
    evaluated_after_answer(company, rep, 9)
    scorecard_refresh(company_id=company.pk)
    body = client.get(company.get_absolute_url()).content.decode()
    assert "Not enough data (9 of 10 evaluated complaints)" in body
    assert "score-value" not in body and "90% range" not in body

    # The tenth evaluation is followed by the refresh it schedules, and the score appears.
    with django_capture_on_commit_callbacks(execute=True):
        evaluated_after_answer(company, rep, 1)
    body = client.get(company.get_absolute_url()).content.decode()
    assert "Not enough data" not in body
    assert card(company).score is not None
    assert f'<span class="score-value">{floatformat(card(company).score, 1)}</span>' in body


@pytest.mark.django_db
def test_company_page_window_choice_and_junk_falls_back_to_twelve_months(client, company):
    publish(company, at=timezone.now() - timedelta(days=800))
    publish(company)
    scorecards_recompute_all()
    url = company.get_absolute_url()
    assert client.get(url, {"window": "all"}).context["card"].complaints == 2
    for junk in ("junk", "", "12M", "all'--", "6m "):
        response = client.get(url, {"window": junk})
        assert response.context["window"] == "12m"
        assert response.context["card"].complaints == 1
        assert f'href="{url}?window=12m#scorecard" aria-current="page"' in response.content.decode()


@pytest.mark.django_db
def test_company_page_has_an_open_graph_description(client, scored_portal):
    zeta, gamma = scored_portal["zeta"], scored_portal["gamma"]
    body = client.get(zeta.get_absolute_url()).content.decode()
    summary = scorecard_summary(zeta, card(zeta), "12m")
    assert summary == ("Zeta: score 7.9/10 (Good) from 10 evaluated complaints; "
                       "100% of 10 complaints answered (Last 12 months).")
    assert f'<meta property="og:description" content="{summary}">' in body
    body = client.get(gamma.get_absolute_url(), {"window": "all"}).content.decode()
    assert '<meta property="og:description" content="Gamma: no published complaints (All time).">' in body


@pytest.mark.django_db
def test_company_page_charts_are_well_formed_svg_even_for_a_hostile_name(client):
    hostile = 'Evil <script>alert("x")</script> & Sons'
    company = CompanyFactory(name=hostile, slug="evil-sons")
    rep = make_rep(company)
    evaluated_after_answer(company, rep, 2, waiting_time=4, treatment=5, knowledge=3)
    publish(company, at=timezone.now() - timedelta(days=70))
    scorecards_recompute_all()
    body = client.get(company.get_absolute_url()).content.decode()

    assert hostile not in body and "<script>alert" not in body
    assert "Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in body
    svgs = re.findall(r"<svg\b.*?</svg>", body, flags=re.DOTALL)
    assert len(svgs) == 3  # complaints per month, share answered per month, service factors
    for svg in svgs:
        root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
        ns = {"svg": "http://www.w3.org/2000/svg"}
        assert root.find("svg:title", ns).text and root.find("svg:desc", ns).text
        bars = root.findall("svg:rect", ns)
        assert bars and all(bar.find("svg:title", ns).text for bar in bars)
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not BROKEN_NUMBER.search(value), (name, value)
    # Each chart has its numbers as a table too, one row per bar.
    tables = re.findall(r'<details class="chart-table">.*?</details>', body, flags=re.DOTALL)
    assert [len(re.findall(r"<tr>", table)) for table in tables] == [12, 12, 3]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "de", "sv"])
def test_chart_geometry_is_not_localised(client, company, language):
    # Russian, German and Swedish write 42,5 for 42.5; an SVG coordinate must stay 42.5 or the bar is lost.
    rep = make_rep(company)
    evaluated_after_answer(company, rep, 3, waiting_time=4, treatment=5)
    publish(company, at=timezone.now() - timedelta(days=40))
    scorecard_refresh(company_id=company.pk)
    body = LanguageClient(client, language).get(company.get_absolute_url()).content.decode()
    assert f'<html lang="{language}">' in body
    geometry = {"x", "y", "x1", "x2", "y1", "y2", "width", "height"}
    svgs = re.findall(r"<svg\b.*?</svg>", body, flags=re.DOTALL)
    assert svgs
    for svg in svgs:
        root = ET.fromstring(svg)
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox"))
        for element in root.iter():
            for name in geometry & element.attrib.keys():
                assert re.fullmatch(r"-?\d+(\.\d+)?", element.get(name)), (language, element.tag, name,
                                                                          element.get(name))


@pytest.fixture
def edge_portal(db):
    """One company for each edge case, all in one industry."""
    industry = IndustryFactory(name="Edges", slug="edges")
    empty = CompanyFactory(name="Empty", slug="empty", industry=industry)
    unanswered = CompanyFactory(name="Unanswered", slug="unanswered", industry=industry)
    hidden = CompanyFactory(name="Hidden only", slug="hidden-only", industry=industry)
    rated = CompanyFactory(name="Rated unanswered", slug="rated-unanswered", industry=industry)
    withdrawn = CompanyFactory(name="Withdrawn only", slug="withdrawn-only", industry=industry)
    publish(unanswered)
    publish(unanswered)
    hidden_complaint = publish(hidden)
    evaluated_without_answer(rated, 3, resolved=False, rating=1, would_return=False)
    gone = publish(withdrawn)
    complaint_withdraw(complaint=gone, user=gone.author)
    # No hide service in complaints.services yet (the moderation issue brings one): a queryset update.
    Complaint.objects.filter(pk=hidden_complaint.pk).update(status=S.HIDDEN, status_before_hidden=S.PUBLISHED)
    scorecards_recompute_all()
    return {"industry": industry, "companies": [empty, unanswered, hidden, rated, withdrawn]}


@pytest.mark.django_db
def test_edge_cases_show_no_broken_numbers(client, edge_portal):
    pages = [reverse("home"), edge_portal["industry"].get_absolute_url(), reverse("companies:list"),
             reverse("companies:list") + "?sort=best", reverse("companies:about_scores")]
    for company in edge_portal["companies"]:
        pages += [company.get_absolute_url() + f"?window={window}" for window in W.values]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert not BROKEN_NUMBER.search(text), (url, BROKEN_NUMBER.search(text))


@pytest.mark.django_db
def test_edge_case_figures(edge_portal):
    empty, unanswered, hidden, rated, withdrawn = edge_portal["companies"]
    assert not Scorecard.objects.filter(company=empty).exists()
    assert (card(unanswered).complaints, card(unanswered).answered, card(unanswered).median_answer_hours) == (2, 0, None)
    assert card(hidden).complaints == 0 and card(withdrawn).complaints == 0
    assert (card(rated).answered, card(rated).evaluated, card(rated).ratings_sum) == (0, 3, 3)
    assert card(rated).resolved_share == 0.0 and card(rated).answered_share == 0.0
    for company in (unanswered, hidden, rated, withdrawn):
        assert card(company).score is None


# Rankings, the directory and the home page.

@pytest.mark.django_db
def test_industry_rankings_list_scored_companies_and_those_below_the_minimum_apart(client, scored_portal):
    response = client.get(scored_portal["industry"].get_absolute_url(), {"window": "nonsense"})
    assert response.context["window"] == "12m"
    assert [c.company.name for c in response.context["best"]] == ["Zeta", "Alpha"]
    assert [c.company.name for c in response.context["unscored"]] == ["Beta"]
    assert [c.name for c in response.context["silent"]] == ["Gamma"]
    assert [c.company.name for c in response.context["worst_responders"]] == ["Alpha", "Beta", "Zeta"]
    assert [c.company.name for c in response.context["fastest"]] == ["Beta", "Zeta"]  # both a median 1 h
    assert [c.company.name for c in response.context["most_complaints"]] == ["Alpha", "Zeta", "Beta"]
    body = response.content.decode()
    assert "4 of 10 evaluated" in body
    assert body.index(">Zeta</a>") < body.index(">Alpha</a>") < body.index("Not enough data for a score")


@pytest.mark.django_db
def test_answer_times_read_in_one_unit_on_the_industry_and_the_company_page(client, scored_portal):
    zeta = scored_portal["zeta"]
    Scorecard.objects.filter(company=zeta, window="12m").update(median_answer_hours=216)
    industry_page = squeeze_spaces(client.get(scored_portal["industry"].get_absolute_url()).content.decode())
    company_page = squeeze_spaces(client.get(zeta.get_absolute_url()).content.decode())
    assert "median 9 days" in industry_page and "median 1 hour<" in industry_page  # Zeta, then Beta
    assert '<dd class="stat-words">9 days' in company_page
    assert "216" not in industry_page and "216" not in company_page


@pytest.mark.django_db
def test_industry_rankings_show_the_top_and_link_the_directory_for_the_rest(client, scored_portal, monkeypatch):
    from companies import selectors

    monkeypatch.setattr(selectors, "RANKING_ROWS", 1)
    CompanyFactory(name="Omega", industry=scored_portal["industry"])  # a second silent company
    response = client.get(scored_portal["industry"].get_absolute_url())
    assert [c.company.name for c in response.context["best"]] == ["Zeta"]
    assert (response.context["scored_count"], response.context["unscored_count"],
            response.context["silent_count"]) == (2, 1, 2)
    assert [c.name for c in response.context["silent"]] == ["Gamma"]
    body = " ".join(response.content.decode().split())
    slug = scored_portal["industry"].slug
    assert f'href="/companies/?industry={slug}&amp;sort=best">The top 1 of 2 companies with a score' in body
    assert "2 of 3 shown: all companies of this industry in the directory" in body
    directory = client.get("/companies/", {"industry": slug, "sort": "best"})
    assert [c.name for c in directory.context["page"]][:2] == ["Zeta", "Alpha"]


@pytest.mark.django_db
def test_directory_sorts_by_score_with_unscored_companies_last(client, scored_portal):
    def names(query):
        return [c.name for c in client.get(reverse("companies:list"), query).context["page"]]

    assert names({"sort": "best"}) == ["Zeta", "Alpha", "Beta", "Gamma"]
    assert names({"sort": "worst"}) == ["Alpha", "Zeta", "Beta", "Gamma"]
    assert names({"label": "good"}) == ["Zeta"]
    assert names({"label": "not_recommended", "sort": "best"}) == ["Alpha"]
    assert names({"label": "excellent"}) == []


@pytest.mark.django_db
def test_home_shows_this_months_best_and_worst_responders(client):
    fast, half, silent, lone = (CompanyFactory(name=name) for name in ("Fast", "Half", "Silent", "Lone"))
    fast_rep, half_rep = make_rep(fast), make_rep(half)
    for _ in range(2):
        answer(publish(fast), fast_rep)
        publish(silent)
    answer(publish(half), half_rep)
    publish(half)
    publish(lone)  # one complaint this month: below the minimum of two
    scorecards_recompute_all()
    body = client.get(reverse("home"))
    responders = body.context["responders"]
    # Half answered is still on the good side; a company is never both best and worst.
    assert [(r["company"].name, r["share"]) for r in responders["best"]] == [("Fast", 100), ("Half", 50)]
    assert [(r["company"].name, r["share"]) for r in responders["worst"]] == [("Silent", 0)]
    assert "answered 0 of 2" in body.content.decode()


@pytest.mark.django_db
def test_the_12_month_card_keeps_its_last_month_in_columns_of_its_own():
    company = CompanyFactory(name="Columns")
    rep = make_rep(company)
    answer(publish(company), rep)
    publish(company)
    publish(company, at=timezone.now() - timedelta(days=70))  # an earlier month: not this month's
    scorecards_recompute_all()
    card = Scorecard.objects.get(company=company, window="12m")
    last = card.monthly[-1]
    assert (card.month, card.month_complaints, card.month_answered) == (last["month"], 2, 1)
    assert card.month == timezone.localtime().strftime("%Y-%m")
    for window in ("6m", "all"):
        other = Scorecard.objects.get(company=company, window=window)
        assert (other.month, other.month_complaints, other.month_answered) == ("", 0, 0)


@pytest.mark.django_db
def test_this_months_lists_leave_out_last_months_cards_and_unlisted_companies():
    from companies.selectors import month_responders, month_top_companies

    busy, quiet, hidden = (CompanyFactory(name=name) for name in ("Busy", "Quiet", "Hidden"))
    for _ in range(3):
        publish(busy)
    for _ in range(2):
        publish(quiet)
        publish(hidden)
    scorecards_recompute_all()
    type(hidden).objects.filter(pk=hidden.pk).update(is_listed=False)  # its cards stay

    top = month_top_companies()
    assert [(company.name, company.complaint_count) for company in top] == [("Busy", 3), ("Quiet", 2)]
    assert [row["company"].name for row in month_responders()["worst"]] == ["Busy", "Quiet"]
    # Next month nothing is this month's until a company's card is refreshed in it.
    next_month = timezone.now() + timedelta(days=40)
    assert month_top_companies(now=next_month) == []
    assert month_responders(now=next_month)["worst"] == []


# Query counts: the pages read stored figures, so they must not grow with the data.

def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_company_page_with_charts_query_count_does_not_grow_with_complaints(client, company, django_assert_num_queries):
    rep = make_rep(company)
    evaluated_after_answer(company, rep, 3, waiting_time=4, treatment=3)
    scorecards_recompute_all()
    assert len(client.get(company.get_absolute_url()).context["charts"]) == 3
    few = queries_for(client, company.get_absolute_url())
    evaluated_after_answer(company, rep, 12, waiting_time=2, knowledge=5)
    scorecards_recompute_all()
    # Guards against charts or figures being computed from complaint rows per page view.
    with django_assert_num_queries(few):
        response = client.get(company.get_absolute_url())
    assert response.context["card"].complaints == 15


def companies_with_complaints(industry, count):
    for _ in range(count):
        company = CompanyFactory(industry=industry)
        publish(company)
        scorecard_refresh(company_id=company.pk)


@pytest.mark.django_db
def test_industry_page_query_count_does_not_grow_with_companies(client, django_assert_num_queries):
    industry = IndustryFactory(name="Banks", slug="banks")
    CompanyFactory(industry=industry)  # silent
    companies_with_complaints(industry, 3)
    few = queries_for(client, industry.get_absolute_url())
    companies_with_complaints(industry, 12)
    # Guards against a query per ranked company (its name and address come with the scorecard).
    with django_assert_num_queries(few):
        response = client.get(industry.get_absolute_url())
    assert len(response.context["most_complaints"]) == 10


@pytest.mark.django_db
def test_directory_sorted_by_score_query_count_does_not_grow_with_companies(client, django_assert_num_queries):
    industry = IndustryFactory(name="Shops", slug="shops")
    companies_with_complaints(industry, 3)
    few = queries_for(client, reverse("companies:list"), {"sort": "best"})
    companies_with_complaints(industry, 12)
    # Guards against a query per company for its scorecard (joined once as `card`).
    with django_assert_num_queries(few):
        response = client.get(reverse("companies:list"), {"sort": "best"})
    assert len(response.context["page"]) == 15


# /about/scores/ shows what the code computes.

@pytest.mark.django_db
def test_about_page_shows_exactly_the_numbers_score_example_computes(client):
    body = client.get(reverse("companies:about_scores")).content.decode()
    computed = score_example()
    rows = re.findall(r'<tr data-rate="([a-z_0-9]+)">(.*?)</tr>', body, flags=re.DOTALL)
    assert [name for name, _cells in rows] == [row["name"] for row in computed["rows"]]
    for (_name, cells), row in zip(rows, computed["rows"], strict=True):
        values = re.findall(r"<td>(.*?)</td>", cells, flags=re.DOTALL)[1:]
        assert values == [f"{row['raw']}%", str(row["n"]), f"{row['prior']}%", f"{row['shrunk']}%",
                          f"{row['weight']}%", str(row["points"])]
    score = computed["score"]
    sentence = re.search(r"gives a score of ([\d.]+) out of 10, with a 90% range from ([\d.]+) to ([\d.]+)\.", body)
    assert sentence.groups() == (str(score.value), str(score.low), str(score.high))
    assert re.search(r"Label:\s*<strong>Fair</strong>", body)


def test_the_worked_example_by_hand():
    # 40 complaints, 34 answered (85%), 26 within 7 days (65%); 12 evaluated: 8 resolved, 7 would return,
    # ratings 5 5 4 4 4 3 3 3 2 2 1 1 (sum 37, mean 3.083 → (3.083 − 1) / 4 = 0.5208 = 25/48).
    # Shrunk with 7 × the portal value:
    #   answered      (7 × 0.70 + 34) / 47 = 38.9 / 47  = 0.82766
    #   within 7 days (7 × 0.50 + 26) / 47 = 29.5 / 47  = 0.62766
    #   resolved      (7 × 0.45 + 8)  / 19 = 11.15 / 19 = 0.58684
    #   rating        (7 × 0.50 + 12 × 25/48) / 19 = 9.75 / 19 = 0.51316
    #   would return  (7 × 0.40 + 7)  / 19 = 9.8 / 19   = 0.51579
    # score = 10 × (0.20 × 0.82766 + 0.10 × 0.62766 + 0.30 × 0.58684 + 0.25 × 0.51316 + 0.15 × 0.51579)
    #       = 10 × (0.16553 + 0.06277 + 0.17605 + 0.12829 + 0.07737) = 6.10 → "Fair"
    by_hand = 10 * (0.20 * 38.9 / 47 + 0.10 * 29.5 / 47 + 0.30 * 11.15 / 19 + 0.25 * 9.75 / 19 + 0.15 * 9.8 / 19)
    assert round(by_hand, 2) == 6.10
    # Range: Σ w² · var / (n + 7), binomial var p(1 − p) on the shrunk rate; for the rating the sample
    # variance in stars (135/12 − (37/12)² = 1.7431) / 16 = 0.10894.
    #   0.04 × 0.14264 / 47 + 0.01 × 0.23370 / 47 + 0.09 × 0.24246 / 19 + 0.0625 × 0.10894 / 19
    #   + 0.0225 × 0.24975 / 19 = 0.0019737; half width 10 × 1.6449 × √0.0019737 = 0.7308
    #   → 6.10 − 0.73 = 5.37 to 6.10 + 0.73 = 6.83
    score = score_example()["score"]
    assert (score.value, score.low, score.high, score.label) == (6.10, 5.37, 6.83, "fair")
    # And the points column adds up to the score (to rounding).
    assert sum(row["points"] for row in score_example()["rows"]) == pytest.approx(6.10, abs=0.02)


def squeeze_spaces(html: str) -> str:
    return re.sub(r"\s+", " ", html)
