import pytest
from django.db import connection

from companies.models import Company
from companies.tests.factories import CompanyFactory
from complaints.access import Viewer
from complaints.models import Complaint, StatusChange
from complaints.services.lifecycle import ComplaintError, complaint_publish, complaint_save_draft, complaint_submit
from complaints.tests.factories import UserFactory, complaint_fields, make_draft, make_published


@pytest.mark.django_db
def test_a_new_complaint_starts_as_a_private_draft(member, company):
    draft = make_draft(author=member, company=company)
    assert draft.status == Complaint.Status.DRAFT
    assert not Complaint.objects.public().exists()
    assert not draft.status_changes.exists()


@pytest.mark.django_db
def test_submitting_publishes_and_writes_the_timeline(member, company):
    complaint = complaint_submit(complaint=make_draft(author=member, company=company), user=member)
    assert complaint.status == Complaint.Status.PUBLISHED
    assert complaint.published_at is not None
    # Never reviewed: one row, no "waiting for review" in its history.
    rows = list(complaint.status_changes.values_list("from_status", "to_status", "actor", "event"))
    assert rows == [("draft", "published", member.pk, "published_automatically")]


@pytest.mark.django_db
def test_only_the_author_can_submit(member, other_member, company):
    draft = make_draft(author=member, company=company)
    with pytest.raises(ComplaintError):
        complaint_submit(complaint=draft, user=other_member)
    draft.refresh_from_db()
    assert draft.status == Complaint.Status.DRAFT
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_submitting_twice_is_refused_and_changes_nothing(member, company):
    draft = make_draft(author=member, company=company)
    complaint_submit(complaint=draft, user=member)
    with pytest.raises(ComplaintError):
        complaint_submit(complaint=draft, user=member)
    assert StatusChange.objects.count() == 1


@pytest.mark.django_db
def test_publishing_a_published_complaint_is_refused(moderator):
    complaint = make_published()
    with pytest.raises(ComplaintError):
        complaint_publish(complaint=complaint, moderator=moderator)


@pytest.mark.django_db
def test_a_resubmitted_form_returns_the_first_draft(member, company):
    token = "0b3f2f8e-4d0c-4f7b-9d44-3c1d2b0a9e11"
    kwargs = {"author": member, "fields": complaint_fields(), "company": company, "submission_token": token}
    first = complaint_save_draft(**kwargs)
    second = complaint_save_draft(**kwargs)
    assert first.pk == second.pk
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_complaint_about_a_new_company_lists_it_only_when_published(member):
    draft = complaint_save_draft(
        author=member, fields=complaint_fields(), company=None,
        new_company={"name": "Nya Bredband AB", "website": "https://nyabredband.se"},
    )
    assert not Company.objects.listed().filter(pk=draft.company_id).exists()
    complaint_submit(complaint=draft, user=member)
    assert Company.objects.listed().filter(pk=draft.company_id).exists()


@pytest.mark.django_db
def test_changing_a_drafts_company_removes_the_abandoned_proposal(member, company):
    draft = complaint_save_draft(
        author=member, fields=complaint_fields(), company=None,
        new_company={"name": "Typo Telecom", "website": "https://typo.example"},
    )
    complaint_save_draft(author=member, complaint=draft, fields=complaint_fields(), company=company)
    assert not Company.objects.filter(name="Typo Telecom").exists()


@pytest.mark.django_db
def test_someone_else_cannot_edit_a_draft(member, other_member, company):
    draft = make_draft(author=member, company=company)
    with pytest.raises(ComplaintError):
        complaint_save_draft(
            author=other_member, complaint=draft, fields=complaint_fields(title="Hijacked"), company=company
        )
    draft.refresh_from_db()
    assert draft.title != "Hijacked"


@pytest.mark.django_db
def test_a_submitted_complaint_cannot_be_edited_as_a_draft(member, company):
    complaint = make_published(author=member, company=company)
    with pytest.raises(ComplaintError):
        complaint_save_draft(author=member, complaint=complaint, fields=complaint_fields(title="Changed"), company=company)


@pytest.mark.django_db
def test_visibility_rules(member, other_member, moderator, company):
    from django.contrib.auth.models import AnonymousUser

    draft = make_draft(author=member, company=company)
    assert Viewer(member, draft).can_see
    assert not Viewer(moderator, draft).can_see  # not submitted yet: the author's alone
    assert not Viewer(other_member, draft).can_see
    assert not Viewer(AnonymousUser(), draft).can_see
    published = complaint_submit(complaint=draft, user=member)
    assert Viewer(AnonymousUser(), published).can_see
    assert not Viewer(other_member, published).can_see_private
    assert Viewer(moderator, published).can_see_private


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_publish_once(row_lock_race):
    """A double click sends two requests at once: the row lock lets only one through."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real only on PostgreSQL; SQLite serialises all writes anyway")
    author = UserFactory()
    draft = make_draft(author=author, company=CompanyFactory())

    def submit():
        complaint_submit(complaint=draft, user=author)

    # The first submit holds the draft's lock; the second waits for it, then finds the complaint published.
    outcomes = row_lock_race(complaint_submit, "locked", submit, submit, refusal=ComplaintError)

    assert outcomes == ["ok", "refused"]
    draft.refresh_from_db()
    assert draft.status == Complaint.Status.PUBLISHED
    # Published once, no review row.
    assert list(StatusChange.objects.filter(complaint=draft).values_list("from_status", "to_status")) == [
        ("draft", "published")
    ]
