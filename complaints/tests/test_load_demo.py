import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, CompanyDomain, Industry
from companies.tests.factories import CompanyFactory
from complaints.models import Attachment, Complaint, StatusChange, is_moderator

DEMO_LOGINS = [
    ("member@example.com", "demo-member-pass"),
    ("moderator@example.com", "demo-moderator-pass"),
    ("admin@example.com", "demo-admin-pass"),
]


def load_demo(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return load_demo(force=True)


def row_counts() -> dict[str, int]:
    models = [get_user_model(), EmailAddress, Industry, Company, CompanyDomain, Complaint, StatusChange, Attachment]
    return {model.__name__: model.objects.count() for model in models}


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
def test_running_it_again_creates_nothing_new(demo):
    before = row_counts()

    output = load_demo(force=True)

    assert row_counts() == before
    for kind in ("accounts", "industries", "companies", "complaints"):
        assert f"{kind}: 0 created" in output
    assert "complaints: 24 created" in demo


@pytest.mark.django_db
def test_it_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        load_demo()
    assert not get_user_model().objects.exists()

    load_demo(force=True)
    assert Complaint.objects.exists()


@pytest.mark.django_db
def test_it_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True

    load_demo()

    assert Complaint.objects.count() == 24


@pytest.mark.django_db
def test_all_complaints_are_public_and_written_in_the_four_languages(demo):
    complaints = Complaint.objects.all()

    assert 20 <= complaints.count() <= 25
    assert complaints.count() == Complaint.objects.public().count()
    assert set(complaints.values_list("language", flat=True)) == {"en", "ru", "de", "sv"}
    assert set(complaints.exclude(currency="").values_list("currency", flat=True)) == {"RUB", "USD", "EUR", "SEK"}
    # Each went draft → pending → published through the services, leaving its timeline.
    for complaint in complaints.prefetch_related("status_changes"):
        steps = [(c.from_status, c.to_status) for c in complaint.status_changes.all()]
        assert steps == [("draft", "pending"), ("pending", "published")]
        assert all(c.created_at == complaint.published_at for c in complaint.status_changes.all())


@pytest.mark.django_db
def test_publication_dates_spread_over_three_months_with_several_in_the_current_one(db, monkeypatch):
    now = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)

    load_demo(force=True)

    complaints = list(Complaint.objects.all())
    assert all(c.published_at < now for c in complaints)
    assert all(c.happened_on < timezone.localtime(c.published_at).date() for c in complaints)
    assert all(c.created_at < c.published_at for c in complaints)
    months = {(c.published_at.year, c.published_at.month) for c in complaints}
    assert months == {(2026, 1), (2026, 2), (2026, 3)}
    assert sum(c.published_at.month == 3 for c in complaints) >= 5


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

    response = client.get(reverse("companies:detail", kwargs={"slug": company.slug}))

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

    authors = get_user_model().objects.exclude(email__in=[email for email, _ in DEMO_LOGINS])
    assert authors.exists()
    assert not any(user.has_usable_password() for user in authors)


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
