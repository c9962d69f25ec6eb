from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F

from companies.models import Company, Representative, Scorecard
from companies.text import normalise_company_name
from complaints.models import Complaint, Evaluation, Message, MeToo, Offer, StatusChange
from devtools.generate import COMMON_WORDS, RARE_COMPLAINTS, RARE_WORD, search_words

S = Complaint.Status
TERMINAL_WITHOUT_WAITING = {S.RESOLVED, S.UNRESOLVED, S.CLOSED, S.WITHDRAWN, S.PENDING, S.REJECTED}


def generate(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("generate_data", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def generated(db):
    """60 complaints about 5 companies, seed 7."""
    return generate(complaints=60, companies=5, seed=7)


@pytest.fixture
def many(db):
    """Enough complaints for the rare statuses (pending, hidden, withdrawn) to turn up."""
    return generate(complaints=600, companies=12, seed=3)


def snapshot() -> list:
    """What a run wrote, without ids (a repeated run may get other ids) or times (they follow the clock)."""
    complaints = list(
        Complaint.objects.order_by("pk").values_list(
            "title", "story", "status", "language", "company__name", "author__username", "amount", "currency",
            "me_too_count",
        )
    )
    messages = list(Message.objects.order_by("pk").values_list("complaint__title", "kind", "body"))
    companies = list(Company.objects.order_by("pk").values_list("name", "slug", "aliases", "industry__slug"))
    return [complaints, messages, companies]


def test_it_creates_what_was_asked_for(generated):
    assert Complaint.objects.count() == 60
    assert Company.objects.count() == 5
    assert Representative.objects.filter(company__in=Company.objects.all()).count() == 5
    # The default: one member per ten complaints, but at least 20; plus the five representatives.
    assert get_user_model().objects.filter(username__startswith="gen1-member-").count() == 20
    assert get_user_model().objects.count() == 25
    out, _err = generated
    assert "Run gen1 (seed 7) created 20 members" in out


def test_members_and_representatives_have_a_confirmed_address_and_no_usable_password(generated):
    for user in get_user_model().objects.all():
        assert EmailAddress.objects.get(user=user, primary=True).verified
        assert user.is_active
        assert not user.has_usable_password()


def test_complaints_are_in_four_languages_mostly_english(many):
    languages = Counter(Complaint.objects.values_list("language", flat=True))
    assert set(languages) == {"en", "ru", "de", "sv"}
    assert 0.45 < languages["en"] / 600 < 0.65
    for language in ("ru", "de", "sv"):
        assert 0.08 < languages[language] / 600 < 0.22


def test_statuses_are_valid_and_include_non_public_ones(many):
    statuses = Counter(Complaint.objects.values_list("status", flat=True))
    assert set(statuses) <= set(S.values) - {S.DRAFT}
    public = sum(count for status, count in statuses.items() if status in Complaint.PUBLIC_STATUSES)
    assert public / 600 > 0.9
    for status in (S.PUBLISHED, S.ANSWERED, S.RESOLVED, S.UNRESOLVED, S.CLOSED, S.HIDDEN, S.WITHDRAWN, S.PENDING):
        assert statuses[status] > 0, status


def test_timeline_ends_in_the_current_status(many):
    last = {}
    for complaint_id, to_status in StatusChange.objects.order_by("created_at", "pk").values_list(
        "complaint_id", "to_status"
    ):
        last[complaint_id] = to_status
    for pk, status in Complaint.objects.values_list("pk", "status"):
        assert last[pk] == status


def test_every_step_of_the_timeline_is_an_allowed_transition(many):
    for change in StatusChange.objects.exclude(from_status=S.DRAFT).exclude(from_status=F("to_status")):
        assert change.to_status in Complaint.TRANSITIONS[change.from_status], (change.from_status, change.to_status)


def test_me_too_count_equals_the_me_too_rows(many):
    counted = Complaint.objects.annotate(rows=Count("me_toos")).values_list("me_too_count", "rows")
    assert all(stored == rows for stored, rows in counted)
    assert MeToo.objects.count() > 0
    assert not MeToo.objects.exclude(complaint__status__in=Complaint.PUBLIC_STATUSES).exists()
    assert not [m for m in MeToo.objects.select_related("complaint") if m.user_id == m.complaint.author_id]


def test_answered_complaints_have_a_public_company_message_at_the_first_answer(many):
    answered = Complaint.objects.filter(first_answered_at__isnull=False)
    assert answered.exists()
    for complaint in answered:
        first = complaint.messages.filter(company_id=complaint.company_id, is_private=False).order_by("created_at")[0]
        assert first.created_at == complaint.first_answered_at
        assert first.kind in Message.COMPANY_KINDS
        assert first.created_at >= complaint.published_at
    assert not Complaint.objects.filter(status=S.ANSWERED, first_answered_at__isnull=True).exists()
    # Only complaints that were answered have company messages.
    assert not Message.objects.filter(company__isnull=False, complaint__first_answered_at__isnull=True).exists()


def test_company_messages_are_written_by_the_company_representative(many):
    representatives = dict(Representative.objects.values_list("company_id", "user_id"))
    for company_id, author_id in Message.objects.filter(company__isnull=False).values_list("company_id", "author_id"):
        assert representatives[company_id] == author_id
    for complaint_author, message_author in Message.objects.filter(company__isnull=True).values_list(
        "complaint__author_id", "author_id"
    ):
        assert complaint_author == message_author


def test_waiting_on_agrees_with_the_status(many):
    for complaint in Complaint.objects.all():
        if complaint.status == S.PUBLISHED:
            assert complaint.waiting_on == Complaint.WaitingOn.COMPANY
            assert complaint.first_answered_at is None
        elif complaint.status == S.ANSWERED:
            assert complaint.waiting_on in (Complaint.WaitingOn.COMPANY, Complaint.WaitingOn.AUTHOR)
        elif complaint.status in TERMINAL_WITHOUT_WAITING:
            assert complaint.waiting_on == ""
        if complaint.status in (S.PENDING, S.REJECTED):
            assert complaint.published_at is None
        else:
            assert complaint.published_at is not None
        if complaint.status == S.HIDDEN:
            assert complaint.status_before_hidden in (S.PUBLISHED, S.ANSWERED, S.CLOSED)


def test_evaluations_match_resolved_and_unresolved(many):
    evaluated = dict(Evaluation.objects.values_list("complaint_id", "resolved"))
    statuses = dict(Complaint.objects.filter(status__in=[S.RESOLVED, S.UNRESOLVED]).values_list("pk", "status"))
    assert evaluated.keys() == statuses.keys()
    for pk, resolved in evaluated.items():
        assert resolved == (statuses[pk] == S.RESOLVED)
    assert all(1 <= rating <= 5 for rating in Evaluation.objects.values_list("rating", flat=True))


def test_offers_come_with_a_public_offer_message_of_their_company(many):
    assert Offer.objects.exists()
    for offer in Offer.objects.select_related("message", "complaint"):
        assert offer.message.kind == Message.Kind.OFFER
        assert offer.message.complaint_id == offer.complaint_id
        assert offer.company_id == offer.complaint.company_id == offer.message.company_id
        assert offer.status in Offer.Status.values


def test_texts_have_the_lengths_of_the_form(generated):
    for title, story in Complaint.objects.values_list("title", "story"):
        assert 0 < len(title) <= 150
        assert 200 <= len(story) <= 1500


def test_the_rare_word_is_in_a_handful_of_public_complaints_and_the_common_word_in_most(many):
    rare = Complaint.objects.filter(story__contains=RARE_WORD)
    assert rare.count() == RARE_COMPLAINTS
    assert rare.public().count() == RARE_COMPLAINTS
    english = Complaint.objects.filter(language="en")
    assert english.filter(story__contains=COMMON_WORDS["en"]).count() / english.count() > 0.75
    assert search_words()["rare"] == RARE_WORD


def test_company_keys_are_worked_out_as_save_does(generated):
    for company in Company.objects.all():
        assert company.name_key == normalise_company_name(company.name)
        assert Company.objects.matching_name(company.name).first() == company
        for alias in company.alias_list():
            assert f"\n{normalise_company_name(alias)}\n" in company.alias_keys


def test_scorecards_are_recomputed(generated):
    scored = Company.objects.filter(complaints__isnull=False).distinct()
    assert scored.exists()
    for company in scored:
        card = Scorecard.objects.get(company=company, window=Scorecard.Window.ALL_TIME)
        assert card.complaints == Complaint.objects.public().filter(company=company).count()
        assert Scorecard.objects.filter(company=company).count() == 3


def test_same_seed_gives_the_same_data(db):
    with transaction.atomic():
        generate(complaints=40, companies=4, seed=11)
        first = snapshot()
        transaction.set_rollback(True)
    assert Complaint.objects.count() == 0
    generate(complaints=40, companies=4, seed=11)
    assert snapshot() == first


def test_another_seed_gives_other_data(db):
    with transaction.atomic():
        generate(complaints=40, companies=4, seed=11)
        first = snapshot()
        transaction.set_rollback(True)
    generate(complaints=40, companies=4, seed=12)
    assert snapshot()[0] != first[0]


def test_a_second_run_adds_without_collisions(generated):
    out, _err = generate(complaints=60, companies=5, seed=7)
    assert "Run gen2 (seed 7)" in out
    assert Complaint.objects.count() == 120
    assert Company.objects.count() == 10
    assert get_user_model().objects.filter(username__startswith="gen2-member-").count() == 20
    names = list(Company.objects.values_list("name_key", flat=True))
    assert len(set(names)) == 10
    slugs = list(Company.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 10
    counted = Complaint.objects.annotate(rows=Count("me_toos")).values_list("me_too_count", "rows")
    assert all(stored == rows for stored, rows in counted)


def test_it_keeps_clear_of_a_company_that_exists(db, industry):
    with transaction.atomic():
        generate(complaints=10, companies=3, seed=5)
        name = Company.objects.order_by("pk").first().name
        transaction.set_rollback(True)
    existing = Company.objects.create(name=name, slug="existing", industry=industry)
    generate(complaints=10, companies=3, seed=5)
    assert Company.objects.count() == 4
    assert Company.objects.matching_name(name).get() == existing
    assert not existing.complaints.exists()


@pytest.mark.parametrize(
    "options",
    [
        {"complaints": 0, "companies": 5},
        {"complaints": 10, "companies": 0},
        {"complaints": -3, "companies": 5},
        {"complaints": 10, "companies": 5, "members": 0},
        {"complaints": 10, "companies": 5, "batch_size": 0},
    ],
)
def test_non_positive_numbers_are_refused_and_nothing_is_written(db, options):
    with pytest.raises(CommandError, match="must be positive"):
        generate(**options)
    assert not Complaint.objects.exists()
    assert not Company.objects.exists()
    assert not get_user_model().objects.exists()


def test_progress_is_reported_in_plain_lines_when_not_on_a_terminal(db):
    _out, err = generate(complaints=30, companies=3, seed=1, batch_size=10)
    lines = err.splitlines()
    assert "\r" not in err
    assert any(line.startswith("complaints: 30/30 (100%)") for line in lines)
    assert any(line.startswith("complaints: 10/30") for line in lines)
