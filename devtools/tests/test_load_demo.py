import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from companies.models import Company, CompanyDomain, Industry, RepresentationClaim, Representative, Scorecard
from companies.scoring import MIN_EVALUATED
from companies.tests.factories import CompanyFactory
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Evaluation,
    Follow,
    Message,
    MeToo,
    Offer,
    StatusChange,
)
from core.roles import is_moderator
from devtools import demo_data

DEMO_LOGINS = [
    ("member@example.com", "demo-member-pass"),
    ("moderator@example.com", "demo-moderator-pass"),
    ("admin@example.com", "demo-admin-pass"),
    ("company@example.com", "demo-company-pass"),
]
S = Complaint.Status


def load_demo(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return load_demo(force=True)


def row_counts() -> dict[str, int]:
    models = [
        get_user_model(), EmailAddress, Industry, Company, CompanyDomain, Representative, RepresentationClaim,
        Complaint, StatusChange, Attachment, Message, Offer, Evaluation, MeToo, Follow, Comment,
    ]
    return {model.__name__: model.objects.count() for model in models}


def snapshot() -> dict:
    """The states and dates a second run must leave as they are."""
    return {
        "complaints": list(Complaint.objects.order_by("pk").values_list(
            "pk", "status", "waiting_on", "waiting_since", "first_answered_at", "published_at"
        )),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "created_at", "callback_at")),
        "offers": list(Offer.objects.order_by("pk").values_list(
            "pk", "status", "expires_on", "created_at", "responded_at", "delivered_at", "confirmed_at"
        )),
        "changes": list(StatusChange.objects.order_by("pk").values_list("pk", "to_status", "created_at")),
    }


def scores() -> dict:
    """Each company's score over the last 12 months: (evaluated, score, low, high, label)."""
    return {
        card.company.name: (card.evaluated, card.score, card.score_low, card.score_high, card.label)
        for card in Scorecard.objects.filter(window=Scorecard.Window.LAST_12_MONTHS).select_related("company")
    }


def story_2kom() -> Complaint:
    return Complaint.objects.get(title__startswith="Десять дней без интернета")


@pytest.mark.django_db
def test_it_creates_the_three_accounts_with_verified_email_and_their_roles(demo):
    users = get_user_model().objects
    member = users.get(email="member@example.com")
    moderator = users.get(email="moderator@example.com")
    admin = users.get(email="admin@example.com")

    assert not member.is_staff and not is_moderator(member)
    assert is_moderator(moderator) and not moderator.is_staff and not moderator.is_superuser
    assert moderator.groups.filter(name="moderators").exists()
    assert admin.is_staff and admin.is_superuser
    for user in (member, moderator, admin):
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.primary, address.verified) == (user.email, True, True)


@pytest.mark.django_db
def test_running_it_again_changes_nothing_and_sends_no_mail(demo, django_capture_on_commit_callbacks):
    counts, before, scored = row_counts(), snapshot(), scores()

    with django_capture_on_commit_callbacks() as callbacks:
        output = load_demo(force=True)

    assert row_counts() == counts
    assert snapshot() == before
    assert scores() == scored
    assert callbacks == []
    for kind in ("accounts", "industries", "companies", "representatives", "complaints", "threads"):
        assert f"{kind}: 0 created" in output
    assert "complaints: 45 created" in demo
    assert "representatives: 5 created" in demo
    assert "threads: 31 created" in demo
    assert "threads: 0 created, 31 already present" in output


@pytest.mark.django_db
def test_it_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        load_demo()
    assert not get_user_model().objects.exists()

    load_demo(force=True)
    assert Complaint.objects.exists()


@pytest.mark.django_db
def test_it_runs_without_force_when_debug_is_on_and_the_moderator_publishes_what_is_held(settings):
    settings.DEBUG = True
    # Every submitted complaint waits for review: the demo's moderator approves each.
    settings.PREMODERATION = {"all"}

    output = load_demo()

    assert Complaint.objects.count() == len(demo_data.COMPLAINTS) == 45
    assert Complaint.objects.public().count() == 45
    assert "threads: 31 created" in output
    published = StatusChange.objects.filter(to_status=S.PUBLISHED)
    assert set(published.values_list("actor__email", flat=True)) == {"moderator@example.com"}


@pytest.mark.django_db
def test_all_complaints_are_public_and_written_in_the_four_languages(demo):
    complaints = Complaint.objects.all()

    assert 40 <= complaints.count() <= 50
    assert complaints.count() == Complaint.objects.public().count()
    assert set(complaints.values_list("language", flat=True)) == {"en", "ru", "de", "sv"}
    assert set(complaints.exclude(currency="").values_list("currency", flat=True)) == {"RUB", "USD", "EUR", "SEK"}
    # Each was published through the services (after a review, or at once without a "waiting for
    # review" row), leaving its timeline; what happened next came later.
    for complaint in complaints.prefetch_related("status_changes"):
        changes = list(complaint.status_changes.all())
        published = 1 if changes[0].to_status == "published" else 2
        steps = [(c.from_status, c.to_status) for c in changes[:published]]
        assert steps in ([("draft", "published")], [("draft", "pending"), ("pending", "published")])
        assert all(c.created_at == complaint.published_at for c in changes[:published])
        assert all(c.created_at > complaint.published_at for c in changes[published:])
        assert [c.to_status for c in changes[published:] if c.changes_status] in (
            [], ["answered"], ["answered", "resolved"], ["answered", "unresolved"], ["unresolved"])


@pytest.mark.django_db
def test_publication_dates_spread_over_ten_months_with_several_in_the_current_one(db, monkeypatch):
    now = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)

    load_demo(force=True)

    complaints = list(Complaint.objects.all())
    assert all(c.published_at < now for c in complaints)
    assert all(c.happened_on < timezone.localtime(c.published_at).date() for c in complaints)
    assert all(c.created_at < c.published_at for c in complaints)
    months = {(c.published_at.year, c.published_at.month) for c in complaints}
    assert months == {(2025, month) for month in range(6, 13)} | {(2026, 1), (2026, 2), (2026, 3)}
    assert sum(c.published_at.month == 3 for c in complaints) >= 5
    # Only the two scored companies go back further than three months.
    older = {c.company.name for c in complaints if c.published_at < datetime(2026, 1, 1, tzinfo=UTC)}
    assert older == {"Deltacom", "Nordnät Bredband"}
    # The threads, too, happened between publication and now.
    for message in Message.objects.select_related("complaint"):
        assert message.complaint.published_at < message.created_at < now
    assert all(c.published_at < c.first_answered_at < now for c in complaints if c.first_answered_at)


@pytest.mark.django_db
def test_home_page_shows_companies_with_complaints_this_month(demo, client):
    page = client.get(reverse("home")).content.decode()

    assert "No complaints this month yet." not in page
    assert "2KOM" in page


@pytest.mark.django_db
def test_stories_hold_no_email_addresses_or_phone_numbers(demo):
    email = re.compile(r"\S+@\S+\.\w+")
    phone = re.compile(r"\+?\d[\d ()./-]{6,}\d")
    for title, story in Complaint.objects.values_list("title", "story"):
        assert not email.search(story), title
        assert not phone.search(story), title
        assert story.count("\n\n") >= 2, title


@pytest.mark.django_db
def test_cyrillic_company_page_shows_its_complaints(demo, client):
    company = Company.objects.get(slug="ростелеком")
    complaints = Complaint.objects.public().for_company(company)
    assert complaints.count() >= 2

    response = client.get(reverse("complaints:company", kwargs={"slug": company.slug}))

    assert response.status_code == 200
    page = response.content.decode()
    for complaint in complaints:
        assert complaint.title in page
        assert complaint.get_absolute_url() in page


@pytest.mark.django_db
def test_demo_accounts_can_sign_in_and_the_other_authors_cannot(demo, client):
    # One test for the three accounts: loading the demo is the slow part.
    for email, password in DEMO_LOGINS:
        response = client.post(reverse("account_login"), {"login": email, "password": password})

        assert response.status_code == 302, email
        assert response["Location"] == reverse("home")
        assert client.session["_auth_user_id"] == str(get_user_model().objects.get(email=email).pk)
        client.logout()

    # The other authors and the representatives of the other companies cannot.
    others = get_user_model().objects.exclude(email__in=[email for email, _ in DEMO_LOGINS])
    assert others.filter(representations__isnull=False).exists()
    assert others.filter(complaints__isnull=False).exists()
    assert not any(user.has_usable_password() for user in others)


@pytest.mark.django_db
def test_receipts_go_through_the_evidence_checks(demo):
    attachments = Attachment.objects.select_related("complaint__company")

    assert attachments.count() == 2
    for attachment in attachments:
        assert attachment.complaint.company.slug == "elektro-brandt"
        assert attachment.content_type == "image/png"
        assert attachment.width and attachment.height
        with attachment.file.open("rb") as stored:
            assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
def test_it_reuses_a_company_already_listed_under_another_slug(db):
    proposed = CompanyFactory(name="2KOM LLC", slug="2kom-llc", website="https://2kom.ru")

    output = load_demo(force=True)

    assert "companies: 9 created, 1 already present" in output
    assert Company.objects.filter(name_key="2kom").get() == proposed
    assert Complaint.objects.for_company(proposed).count() == 3


@pytest.mark.django_db
def test_the_company_account_owns_2kom_and_deltacom_checked_by_a_moderator(demo):
    company_account = get_user_model().objects.get(email="company@example.com")
    representations = Representative.objects.filter(user=company_account).select_related("company")

    assert {(r.company.name, r.role, r.verified_by) for r in representations} == {
        ("2KOM", "owner", "moderator"), ("Deltacom", "owner", "moderator"),
    }
    claims = RepresentationClaim.objects.filter(user=company_account)
    assert set(claims.values_list("status", flat=True)) == {"approved"}
    assert set(claims.values_list("decided_by__email", flat=True)) == {"moderator@example.com"}
    # Representatives since before the first demo complaint.
    first = Complaint.objects.order_by("published_at").first()
    assert all(r.created_at < first.published_at for r in Representative.objects.all())


@pytest.mark.django_db
def test_2kom_story_ends_resolved_with_three_confirmed_free_days_and_five_stars(demo):
    complaint = story_2kom()
    messages = list(complaint.messages.order_by("created_at", "pk"))

    assert complaint.status == S.RESOLVED
    assert [(m.kind, m.is_private, m.is_from_company) for m in messages] == [
        ("apology", False, True), ("details", True, True), ("reply", True, False), ("answer", True, True),
        ("offer", False, True),
    ]
    assert complaint.first_answered_at == messages[0].created_at
    offer = complaint.offers.get()
    assert (offer.kind, offer.days, offer.status) == (Offer.Kind.FREE_DAYS, 3, Offer.Status.CONFIRMED)
    assert offer.message == messages[-1]
    assert offer.created_at < offer.responded_at < offer.delivered_at < offer.confirmed_at
    assert offer.expires_on >= timezone.localtime(offer.created_at).date()
    evaluation = complaint.evaluation
    assert (evaluation.resolved, evaluation.rating, evaluation.would_return) == (True, 5, True)
    assert all(value is not None for _label, value in evaluation.factors())
    assert evaluation.comment
    assert offer.confirmed_at < evaluation.created_at
    assert [c.event for c in complaint.status_changes.all()] == [
        "published_automatically", "answered", "offer_made", "offer_accepted", "offer_delivered", "offer_confirmed",
        "evaluated_resolved",
    ]
    assert complaint.status_changes.last().created_at == evaluation.created_at


@pytest.mark.django_db
def test_2kom_proposes_a_call_back_inside_the_authors_reachable_window(demo):
    complaint = story_2kom()
    assert complaint.reachable_days == "01234"
    assert (complaint.reachable_from.hour, complaint.reachable_until.hour) == (19, 22)

    proposal = complaint.messages.get(callback_at__isnull=False)
    callback = timezone.localtime(proposal.callback_at)

    assert callback.weekday() < 5
    assert complaint.reachable_from <= callback.time() <= complaint.reachable_until
    offer = complaint.offers.get()
    assert proposal.created_at < proposal.callback_at < offer.created_at


@pytest.mark.django_db
def test_other_complaints_show_the_other_outcomes(demo):
    complaints = Complaint.objects.all()

    assert {c.status for c in complaints} == {S.PUBLISHED, S.ANSWERED, S.RESOLVED, S.UNRESOLVED}
    declined = Offer.objects.get(status=Offer.Status.DECLINED)
    assert (declined.kind, declined.company.name) == (Offer.Kind.REFUND, "2KOM")
    assert declined.response_reason
    two_stars = Evaluation.objects.get(complaint__title__startswith="Outage credit promised twice")
    assert (two_stars.resolved, two_stars.rating, two_stars.complaint.company.name) == (False, 2, "Deltacom")
    # The member can try answering an offer on their own complaint.
    open_offer = Offer.objects.get(status=Offer.Status.OPEN)
    assert open_offer.complaint.author.email == "member@example.com"
    assert not open_offer.is_expired
    waiting_for_author = complaints.filter(status=S.ANSWERED, waiting_on=Complaint.WaitingOn.AUTHOR)
    # Nordnät delivered its credit and waits for the author to confirm it.
    assert {c.company.name for c in waiting_for_author} == {"Deltacom", "Bluebonnet Wireless", "Nordnät Bredband"}
    assert MeToo.objects.values("complaint").distinct().count() >= 2
    assert Follow.objects.exists() and Comment.objects.count() >= 2


@pytest.mark.django_db
def test_thread_dates_follow_publication_in_order(demo):
    now = timezone.now()
    for complaint in Complaint.objects.exclude(messages=None).prefetch_related("messages", "status_changes"):
        dates = [m.created_at for m in complaint.messages.all()]
        assert dates == sorted(dates)
        assert complaint.published_at < dates[0] and dates[-1] < now
        changes = [c.created_at for c in complaint.status_changes.all()]
        assert changes == sorted(changes)
        assert complaint.waiting_since <= now
    for row in [*MeToo.objects.all(), *Follow.objects.all(), *Comment.objects.all(), *Evaluation.objects.all()]:
        assert row.complaint.published_at < row.created_at < now


@pytest.mark.django_db
def test_the_company_accounts_business_inbox_lists_its_complaints(demo, client):
    client.force_login(get_user_model().objects.get(email="company@example.com"))
    ours = Complaint.objects.filter(company__name__in=["2KOM", "Deltacom"])

    response = client.get(reverse("complaints:business"))

    assert response.status_code == 200
    page = response.content.decode()
    for complaint in ours:
        assert escape(complaint.title) in page
    assert "Replacement phone shipped to an old address" not in page

    overdue = client.get(reverse("complaints:business"), {"view": "overdue"})
    assert overdue.status_code == 200
    assert "Still billed for a fax line" in overdue.content.decode()
    assert "Десять дней без интернета" not in overdue.content.decode()


@pytest.mark.django_db
def test_two_companies_have_a_score_and_the_others_not_enough_data(demo, client):
    cards = scores()

    # Deltacom answers late or never and rarely solves anything; Nordnät answers within the day.
    evaluated, score, low, high, label = cards["Deltacom"]
    assert evaluated >= MIN_EVALUATED
    assert label in ("poor", "not_recommended") and score < 6
    assert low < score < high
    evaluated, score, low, high, label = cards["Nordnät Bredband"]
    assert evaluated >= MIN_EVALUATED
    assert label in ("good", "excellent") and score >= 7
    assert low < score < high
    others = {name: card for name, card in cards.items() if name not in ("Deltacom", "Nordnät Bredband")}
    assert len(others) == 8
    assert all(card[0] < MIN_EVALUATED and card[1] is None and card[4] == "" for card in others.values())

    nordnat = Company.objects.get(name="Nordnät Bredband")
    page = client.get(nordnat.get_absolute_url()).content.decode()
    assert f"{cards['Nordnät Bredband'][1]:.1f}" in page
    assert f'class="badge label-{cards["Nordnät Bredband"][4]}"' in page
    assert "90% range" in page
    page = client.get(Company.objects.get(name="2KOM").get_absolute_url()).content.decode()
    assert "Not enough data (1 of 10 evaluated complaints)" in page
    # Both show up in their industries' rankings.
    telecoms = client.get(reverse("companies:industry", kwargs={"slug": "telecoms"})).content.decode()
    assert 'class="ranking"' in telecoms and "Deltacom" in telecoms


@pytest.mark.django_db
def test_the_scored_companies_answers_and_evaluations_tell_their_story(demo):
    deltacom = Complaint.objects.filter(company__name="Deltacom")
    nordnat = Complaint.objects.filter(company__name="Nordnät Bredband")

    # Spread over ten months, each written in the company's language by the demo members who cannot sign in.
    for complaints, language in ((deltacom, "en"), (nordnat, "sv")):
        assert len({timezone.localtime(c.published_at).strftime("%Y-%m") for c in complaints}) == 10
        assert set(complaints.values_list("language", flat=True)) == {language}
        assert not any(c.author.has_usable_password() for c in complaints)
    # Nordnät answers every complaint within the week, most within the day; Deltacom leaves some
    # unanswered and typically takes more than a week over the rest.
    waits = sorted(c.first_answered_at - c.published_at for c in nordnat)
    assert len(waits) == nordnat.count() and waits[-1] < timedelta(days=7) and waits[len(waits) // 2] < timedelta(days=1)
    waits = sorted(c.first_answered_at - c.published_at for c in deltacom if c.first_answered_at)
    assert len(waits) < deltacom.count() and waits[len(waits) // 2] > timedelta(days=7)
    # The answers come from the companies' representatives.
    for message in Message.objects.filter(complaint__in=[*deltacom, *nordnat], company__isnull=False):
        assert Representative.objects.filter(user=message.author, company=message.company).exists()
