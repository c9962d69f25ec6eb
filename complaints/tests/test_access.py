"""A member's standing with a complaint, read in one query, and the Viewer built on it."""

import pytest
from django.contrib.auth.models import Group

from companies.models import Representative
from complaints.access import Standing, Viewer, standing_of
from complaints.models import Comment, Follow, MeToo
from complaints.tests.factories import UserFactory, make_published

pytestmark = pytest.mark.django_db


def test_a_member_with_nothing_to_do_with_the_complaint_is_a_bystander(member):
    complaint = make_published()
    assert standing_of(member, complaint.pk) == Standing(
        is_author=False, said_me_too=False, follows=False, commented=False, represents=False, moderates=False,
    )
    assert standing_of(member, complaint.pk).is_bystander


def test_each_relation_is_read_for_this_member_and_this_complaint_only(member, other_member):
    complaint, elsewhere = make_published(), make_published()
    MeToo.objects.create(complaint=complaint, user=member)
    Follow.objects.create(complaint=complaint, user=member)
    Comment.objects.create(complaint=complaint, author=member, body="Same here.")
    # The other member's and the other complaint's rows count for nothing here.
    MeToo.objects.create(complaint=elsewhere, user=other_member)
    Follow.objects.create(complaint=complaint, user=other_member)

    mine = standing_of(member, complaint.pk)
    assert (mine.said_me_too, mine.follows, mine.commented) == (True, True, True)
    assert mine.is_bystander  # taking part is not a role
    theirs = standing_of(other_member, complaint.pk)
    assert (theirs.said_me_too, theirs.follows, theirs.commented) == (False, True, False)
    assert standing_of(member, elsewhere.pk) == standing_of(UserFactory(), elsewhere.pk)


@pytest.mark.parametrize("role", ["author", "representative", "moderator", "superuser"])
def test_a_role_in_the_complaint_is_read_and_is_not_a_bystanders(member, role):
    complaint = make_published(author=member if role == "author" else None)
    user = member
    if role == "representative":
        Representative.objects.create(company=complaint.company, user=member)
    elif role == "moderator":
        member.groups.add(Group.objects.get_or_create(name="moderators")[0])
    elif role == "superuser":
        user = UserFactory(is_superuser=True)
    standing = standing_of(user, complaint.pk)
    assert not standing.is_bystander
    assert standing.is_author == (role == "author")
    assert standing.represents == (role == "representative")
    assert standing.moderates == (role in ("moderator", "superuser"))


def test_representing_another_company_or_being_in_another_group_is_no_role(member):
    complaint = make_published()
    Representative.objects.create(company=make_published().company, user=member)
    member.groups.add(Group.objects.get_or_create(name="translators")[0])
    assert standing_of(member, complaint.pk).is_bystander


def test_no_standing_with_a_complaint_that_does_not_exist(member):
    assert standing_of(member, 987654) is None


def test_the_viewer_takes_its_roles_from_the_standing_without_asking_again(
    member, django_assert_num_queries
):
    complaint = make_published()
    Representative.objects.create(company=complaint.company, user=member)
    MeToo.objects.create(complaint=complaint, user=member)
    viewer = Viewer(member, complaint, standing_of(member, complaint.pk))
    with django_assert_num_queries(0):
        assert viewer.is_representative and not viewer.is_moderator
        assert viewer.said_me_too and not viewer.follows
    assert not Viewer(member, complaint).said_me_too  # without a standing, nothing is assumed


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["complaints:me_too", "complaints:follow"])
def test_an_unconfirmed_member_cannot_say_me_too_or_follow(client, unconfirmed_member, company, action, mailoutbox):
    from django.urls import reverse

    complaint = make_published(company=company)
    client.force_login(unconfirmed_member)
    response = client.post(reverse(action, args=[complaint.pk]))
    assert response.status_code == 200
    assert "account/verified_email_required.html" in [t.name for t in response.templates]
    assert not MeToo.objects.exists() and not Follow.objects.exists()
    assert mailoutbox[-1].to == [unconfirmed_member.email]  # a fresh confirmation link, as for filing
