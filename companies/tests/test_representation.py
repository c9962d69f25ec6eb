"""Who speaks for a company: representation claims, the team, reply templates."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.signals import email_confirmed
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone

from companies.models import ReplyTemplate, RepresentationClaim, Representative
from companies.services import (
    RepresentationError,
    claim_decide,
    claim_submit,
    claim_withdraw,
    email_matches_company,
    reply_template_delete,
    reply_template_save,
    representative_remove,
)
from companies.tests.factories import CompanyFactory
from complaints.models import Message, Offer
from complaints.services.lifecycle import ComplaintError, complaint_save_draft, complaint_submit
from complaints.services.thread import message_post, offer_mark_delivered, offer_respond
from complaints.tests.factories import UserFactory, complaint_fields, make_published

C = RepresentationClaim.Status
OWNER, MEMBER = Representative.Role.OWNER, Representative.Role.MEMBER


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Deltacom", slug="deltacom", website="https://deltacom.example")


def claim(user, company, work_email, **extra) -> RepresentationClaim:
    return claim_submit(user=user, company=company, work_email=work_email, job_title="Head of customer care",
                        evidence=extra.get("evidence", "Staff page: https://2kom.ru/team"))


def confirm(user, email) -> EmailAddress:
    """What allauth does when the person opens the confirmation link: mark the address verified, say so."""
    address, _created = EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": False})
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    return address


def representative(company, email) -> Representative:
    """A person with a confirmed address at the company's domain, approved at once."""
    user = UserFactory(email=email)
    claim(user, company, email)
    return Representative.objects.get(user=user, company=company)


def roles(company) -> list[tuple[str, str]]:
    return list(Representative.objects.filter(company=company).order_by("created_at", "pk")
                .values_list("user__email", "role"))


@pytest.fixture
def team(company):
    """2KOM's representatives: Anna (owner), Boris, Carl, joined in that order."""
    return [representative(company, f"{name}@2kom.ru") for name in ("anna", "boris", "carl")]


@pytest.fixture
def refuses(django_capture_on_commit_callbacks, mailoutbox):
    """`with refuses():` the action is refused with RepresentationError; no claim, representative or mail changes."""

    @contextmanager
    def check(match=None):
        def snapshot():
            return (
                list(RepresentationClaim.objects.order_by("pk").values()),
                list(Representative.objects.order_by("pk").values()),
                list(ReplyTemplate.objects.order_by("pk").values("pk", "company", "title", "body")),
            )

        before, mail_count = snapshot(), len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RepresentationError, match=match):
            yield
        assert snapshot() == before
        assert len(mailoutbox) == mail_count

    return check


# Matching an address to the company.

@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "matches"),
    [
        ("anna@2kom.ru", True),
        ("Anna@2KOM.RU", True),
        ("anna@support.2kom.ru", True),
        ("anna@2kom.ru.", True),
        ("anna@evil2kom.ru", False),
        ("anna@2kom.ru.evil.example", False),
        ("anna@2kom.com", False),
        ("anna@gmail.com", False),
        ("2kom.ru", False),
        ("", False),
    ],
)
def test_an_address_matches_the_companys_domain_or_a_subdomain(company, email, matches):
    assert email_matches_company(email, company) is matches


# Claims by work address.

@pytest.mark.django_db
def test_a_work_address_at_the_companys_domain_waits_for_confirmation(member, company):
    pending = claim(member, company, "Anna.Ivanova@2KOM.ru")
    assert (pending.status, pending.work_email) == (C.AWAITING_EMAIL, "anna.ivanova@2kom.ru")
    assert not Representative.objects.exists()


@pytest.mark.django_db
def test_confirming_the_work_address_makes_the_first_representative_the_owner(member, company):
    pending = claim(member, company, "anna@2kom.ru")
    confirm(member, "anna@2kom.ru")
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by, pending.decided_at is not None) == (C.APPROVED, None, True)
    rep = Representative.objects.get(user=member, company=company)
    assert (rep.role, rep.verified_by, rep.work_email) == (OWNER, Representative.Verification.DOMAIN, "anna@2kom.ru")


@pytest.mark.django_db
def test_the_next_representative_confirmed_by_domain_is_not_an_owner(member, company, team):
    claim(member, company, "dmitri@support.2kom.ru")
    confirm(member, "dmitri@support.2kom.ru")
    assert Representative.objects.get(user=member, company=company).role == MEMBER
    assert roles(company)[0] == ("anna@2kom.ru", OWNER)


@pytest.mark.django_db
def test_confirming_the_work_address_through_allauth_keeps_the_personal_address(rf, member, company):
    from allauth.core import context

    pending = claim(member, company, "anna@2kom.ru")
    request = rf.post("/")
    SessionMiddleware(lambda request: None).process_request(request)
    request._messages = FallbackStorage(request)
    request.user = member
    with context.request_context(request):  # what companies.views._after_claim and the link do
        address = EmailAddress.objects.add_email(request, member, "anna@2kom.ru", confirm=True)
        EmailConfirmationHMAC(address).confirm(request)
    pending.refresh_from_db()
    assert pending.status == C.APPROVED
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert EmailAddress.objects.filter(user=member, email="member@example.com", primary=True).exists()


@pytest.mark.django_db
def test_confirming_another_address_approves_nothing(member, company):
    pending = claim(member, company, "anna@2kom.ru")
    confirm(member, "anna.private@example.org")
    pending.refresh_from_db()
    assert pending.status == C.AWAITING_EMAIL
    assert not Representative.objects.exists()


@pytest.mark.django_db
def test_an_already_confirmed_work_address_is_approved_at_once(company):
    user = UserFactory(email="anna@2kom.ru")
    approved = claim(user, company, "ANNA@2kom.ru")
    assert approved.status == C.APPROVED
    rep = Representative.objects.get(user=user, company=company)
    assert (rep.role, rep.verified_by) == (OWNER, Representative.Verification.DOMAIN)


@pytest.mark.django_db
def test_someone_elses_confirmed_address_does_not_count(member, company):
    UserFactory(email="anna@2kom.ru")  # Anna's confirmed address, not the member's
    assert claim(member, company, "anna@2kom.ru").status == C.AWAITING_EMAIL


@pytest.mark.django_db
def test_a_domain_typed_by_a_complainant_proves_nothing(member):
    """Whoever proposes a new company chooses its website, perhaps their own domain."""
    draft = complaint_save_draft(
        author=member, fields=complaint_fields(), company=None,
        new_company={"name": "Nordic Fibre", "website": "https://nordic-fibre.example"},
    )
    complaint_submit(complaint=draft, user=member)  # publishing lists the company
    company = draft.company
    assert company.domains.get().domain == "nordic-fibre.example"

    UserFactory(email="boss@nordic-fibre.example")
    impostor = UserFactory(email="me@nordic-fibre.example")
    assert claim(impostor, company, "me@nordic-fibre.example").status == C.PENDING
    assert not Representative.objects.exists()


# Claims a moderator decides.

@pytest.mark.django_db
def test_an_address_elsewhere_waits_for_a_moderator(member, company):
    pending = claim(member, company, "member@example.com")  # confirmed, but not at 2kom.ru
    assert pending.status == C.PENDING
    confirm(member, "member@example.com")
    pending.refresh_from_db()
    assert pending.status == C.PENDING
    assert not Representative.objects.exists()


@pytest.mark.django_db
def test_a_moderator_approves_a_claim_and_the_person_is_told(member, moderator, company, committed, sent):
    pending = claim(member, company, "member@example.com")
    with committed():
        decided = claim_decide(claim=pending, moderator=moderator, approve=True, reason="Called the switchboard.")
    assert (decided.status, decided.decided_by, decided.reason) == (C.APPROVED, moderator, "Called the switchboard.")
    rep = Representative.objects.get(user=member, company=company)
    assert (rep.role, rep.verified_by) == (OWNER, Representative.Verification.MODERATOR)
    assert sent() == [("member@example.com", "You now represent 2KOM")]


@pytest.mark.django_db
def test_a_refusal_says_why(member, moderator, company, committed, mailoutbox, sent):
    pending = claim(member, company, "member@example.com")
    with committed():
        decided = claim_decide(claim=pending, moderator=moderator, approve=False, reason="Nobody at 2KOM knows you.")
    decided.refresh_from_db()
    assert (decided.status, decided.decided_by, decided.reason) == (C.REFUSED, moderator, "Nobody at 2KOM knows you.")
    assert not Representative.objects.exists()
    assert sent() == [("member@example.com", "Your request to represent 2KOM was refused")]
    assert "Nobody at 2KOM knows you." in mailoutbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refusal_needs_a_reason(member, moderator, company, refuses, reason):
    pending = claim(member, company, "member@example.com")
    with refuses(match="Say why"):
        claim_decide(claim=pending, moderator=moderator, approve=False, reason=reason)


@pytest.mark.django_db
def test_only_a_moderator_decides(member, other_member, company, team, refuses):
    pending = claim(member, company, "member@example.com")
    owner = team[0].user  # even the company's owner does not decide who joins through a moderator
    for user in (member, other_member, owner, AnonymousUser()):
        for approve in (True, False):
            with refuses(match="Only moderators"):
                claim_decide(claim=pending, moderator=user, approve=approve, reason="Looks fine.")


@pytest.mark.django_db
def test_a_claim_is_decided_once(member, moderator, company, committed, mailoutbox, refuses):
    pending = claim(member, company, "member@example.com")
    with committed():
        claim_decide(claim=pending, moderator=moderator, approve=True)
    for approve in (True, False):
        with refuses(match="already been decided"):
            claim_decide(claim=pending, moderator=moderator, approve=approve, reason="Changed my mind.")
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_domain_claim_can_also_be_approved_by_a_moderator(member, moderator, company):
    pending = claim(member, company, "anna@2kom.ru")  # e.g. the confirmation mail never arrived
    claim_decide(claim=pending, moderator=moderator, approve=True)
    assert Representative.objects.get(user=member).verified_by == Representative.Verification.MODERATOR
    confirm(member, "anna@2kom.ru")  # a late confirmation changes nothing
    assert Representative.objects.count() == 1


# One open claim per person and company.

@pytest.mark.django_db
@pytest.mark.parametrize("first_email", ["anna@2kom.ru", "member@example.com"], ids=["awaiting-email", "pending"])
def test_one_open_claim_per_person_and_company(member, company, other_company, refuses, first_email):
    claim(member, company, first_email)
    with refuses(match="already asked"):
        claim(member, company, "member@example.com")
    assert claim(member, other_company, "member@example.com").status == C.PENDING


@pytest.mark.django_db
def test_a_new_claim_is_possible_after_a_refusal_or_withdrawal(member, moderator, company):
    refused = claim(member, company, "member@example.com")
    claim_decide(claim=refused, moderator=moderator, approve=False, reason="No evidence.")
    withdrawn = claim(member, company, "member@example.com")
    claim_withdraw(claim=withdrawn, user=member)
    assert claim(member, company, "member@example.com").status == C.PENDING
    assert RepresentationClaim.objects.filter(user=member, company=company).count() == 3


@pytest.mark.django_db
def test_a_representative_cannot_claim_the_company_again(company, team, refuses):
    with refuses(match="already represent"):
        claim(team[1].user, company, "boris@2kom.ru")


# Withdrawing a claim.

@pytest.mark.django_db
def test_the_person_withdraws_their_claim(member, company):
    pending = claim(member, company, "anna@2kom.ru")
    withdrawn = claim_withdraw(claim=pending, user=member)
    assert (withdrawn.status, withdrawn.decided_at is not None) == (C.WITHDRAWN, True)
    confirm(member, "anna@2kom.ru")  # confirming afterwards does not revive it
    assert not Representative.objects.exists()


@pytest.mark.django_db
def test_only_the_person_withdraws_an_open_claim(member, other_member, moderator, company, refuses):
    pending = claim(member, company, "member@example.com")
    for user in (other_member, moderator):
        with refuses(match="cannot be withdrawn"):
            claim_withdraw(claim=pending, user=user)
    claim_decide(claim=pending, moderator=moderator, approve=False, reason="No evidence.")
    with refuses(match="cannot be withdrawn"):
        claim_withdraw(claim=pending, user=member)


@pytest.mark.django_db
def test_a_withdrawn_claim_cannot_be_decided(member, moderator, company, refuses):
    pending = claim(member, company, "member@example.com")
    claim_withdraw(claim=pending, user=member)
    with refuses(match="already been decided"):
        claim_decide(claim=pending, moderator=moderator, approve=True)


# The team.

@pytest.mark.django_db
def test_a_representative_leaves(company, team):
    anna, boris, carl = team
    representative_remove(representative=boris, by_user=boris.user)
    assert roles(company) == [("anna@2kom.ru", OWNER), ("carl@2kom.ru", MEMBER)]


@pytest.mark.django_db
def test_the_owner_removes_another_representative(company, team):
    anna, boris, carl = team
    representative_remove(representative=carl, by_user=anna.user)
    assert roles(company) == [("anna@2kom.ru", OWNER), ("boris@2kom.ru", MEMBER)]


@pytest.mark.django_db
def test_only_the_owner_removes_others(company, other_company, team, member, refuses):
    anna, boris, carl = team
    other_owner = representative(other_company, "dina@deltacom.example")
    for target, by in [(carl, boris.user), (anna, boris.user), (carl, member), (carl, other_owner.user)]:
        with refuses(match="Only an owner"):
            representative_remove(representative=target, by_user=by)


@pytest.mark.django_db
def test_when_the_owner_leaves_the_oldest_remaining_becomes_owner(company, team):
    anna, boris, carl = team
    representative_remove(representative=anna, by_user=anna.user)
    assert roles(company) == [("boris@2kom.ru", OWNER), ("carl@2kom.ru", MEMBER)]


@pytest.mark.django_db
def test_when_the_last_representative_leaves_the_next_one_is_owner_again(member, moderator, company):
    anna = representative(company, "anna@2kom.ru")
    representative_remove(representative=anna, by_user=anna.user)
    assert roles(company) == []
    claim_decide(claim=claim(member, company, "member@example.com"), moderator=moderator, approve=True)
    assert roles(company) == [("member@example.com", OWNER)]


@pytest.mark.django_db
def test_a_removed_representative_can_no_longer_act_for_the_company(member, company, team):
    anna, boris, carl = team
    complaint = make_published(author=member, company=company)
    message_post(complaint=complaint, user=boris.user, kind=Message.Kind.OFFER, body="Three free days.",
                 offer={"kind": Offer.Kind.FREE_DAYS, "days": 3, "description": "Three free days",
                        "expires_on": timezone.localdate() + timedelta(days=14)})
    offer = offer_respond(offer=complaint.offers.get(), user=member, accept=True)

    representative_remove(representative=boris, by_user=anna.user)

    # Every service call checks again, so the removal counts from the next request on.
    with pytest.raises(ComplaintError, match="representatives"):
        message_post(complaint=complaint, user=boris.user, kind=Message.Kind.ANSWER, body="Still here?")
    with pytest.raises(ComplaintError, match="representatives"):
        offer_mark_delivered(offer=offer, user=boris.user)
    with pytest.raises(RepresentationError):
        reply_template_save(company=company, user=boris.user, title="Outage", body="We are sorry.")
    assert complaint.messages.count() == 1


# Reply templates.

@pytest.mark.django_db
def test_a_representative_keeps_reply_templates(company, team):
    anna, boris, _carl = team
    template = reply_template_save(company=company, user=anna.user, title="Outage", body="We are sorry for the outage.")
    changed = reply_template_save(company=company, user=boris.user, title="Outage", body="Sorry.", template=template)
    assert changed.pk == template.pk
    assert list(ReplyTemplate.objects.values_list("company", "title", "body")) == [(company.pk, "Outage", "Sorry.")]
    reply_template_delete(template=template, user=boris.user)
    assert not ReplyTemplate.objects.exists()


@pytest.mark.django_db
def test_only_the_companys_representatives_keep_its_templates(company, other_company, team, member, moderator, refuses):
    other_rep = representative(other_company, "dina@deltacom.example")
    template = reply_template_save(company=company, user=team[0].user, title="Outage", body="We are sorry.")
    for user in (member, moderator, other_rep.user):
        with refuses(match="Only the company's representatives"):
            reply_template_save(company=company, user=user, title="Billing", body="Let us check.")
        with refuses(match="Only the company's representatives"):
            reply_template_save(company=company, user=user, title="Outage", body="Hijacked.", template=template)
        with refuses(match="Only the company's representatives"):
            reply_template_delete(template=template, user=user)


@pytest.mark.django_db
def test_a_template_of_another_company_cannot_be_edited_through_ones_own(company, other_company, team, refuses):
    other_rep = representative(other_company, "dina@deltacom.example")
    template = reply_template_save(company=company, user=team[0].user, title="Outage", body="We are sorry.")
    with refuses(match="another company"):
        reply_template_save(company=other_company, user=other_rep.user, title="Outage", body="Hijacked.",
                            template=template)


@pytest.mark.django_db
def test_template_titles_are_unique_per_company(company, other_company, team, refuses):
    other_rep = representative(other_company, "dina@deltacom.example")
    reply_template_save(company=company, user=team[0].user, title="Outage", body="We are sorry.")
    billing = reply_template_save(company=company, user=team[0].user, title="Billing", body="Let us check.")
    with refuses(match="already a template"):
        reply_template_save(company=company, user=team[1].user, title="Outage", body="Again.")
    with refuses(match="already a template"):
        reply_template_save(company=company, user=team[1].user, title="Outage", body="Renamed.", template=billing)
    # Another company may use the same name.
    reply_template_save(company=other_company, user=other_rep.user, title="Outage", body="Deltacom is sorry.")
    assert ReplyTemplate.objects.filter(title="Outage").count() == 2


# Claims through the represent page: the work address stays on the claim (issue 11, item 11).

def represent(client, company, work_email="support@deltacom.example"):
    from django.urls import reverse

    data = {"work_email": work_email, "job_title": "Support lead", "evidence": ""}
    return client.post(reverse("companies:represent", args=[company.slug]), data)


def claim_link(mail) -> str:
    import re

    return re.search(r"https?://\S+/business/requests/confirm/\S+/", mail.body).group(0)


@pytest.mark.django_db
def test_a_claim_keeps_the_work_address_off_the_account_and_mails_a_link_naming_nobody(
    member, other_company, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from django.test import Client

    from complaints.tests.factories import sign_in

    settings.SITE_URL = "http://127.0.0.1:8201"
    client = sign_in(Client(), member)
    with django_capture_on_commit_callbacks(execute=True):
        response = represent(client, other_company)
    assert response.status_code == 302
    assert RepresentationClaim.objects.get().status == C.AWAITING_EMAIL
    assert not EmailAddress.objects.filter(email="support@deltacom.example").exists()
    [mail] = mailoutbox
    assert mail.to == ["support@deltacom.example"]
    assert claim_link(mail).startswith("http://127.0.0.1:8201/")
    for named in (member.email, member.username):
        assert named not in mail.body and named not in mail.subject
    assert "Deltacom" in mail.subject


@pytest.mark.django_db
def test_an_unconfirmed_claim_blocks_neither_sign_up_nor_another_claim(
    member, other_company, mailoutbox, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django.urls import reverse

    from complaints.tests.factories import sign_in

    with django_capture_on_commit_callbacks(execute=True):
        represent(sign_in(Client(), member), other_company)
    # The real employee signs up with the address...
    visitor = Client()
    response = visitor.post(reverse("account_signup"), {
        "email": "support@deltacom.example", "password1": "a-long-new-password-1", "password2": "a-long-new-password-1",
    })
    assert response.status_code == 302
    employee = EmailAddress.objects.get(email="support@deltacom.example").user
    assert employee != member
    # ...and, once confirmed, claims with it and is not told it belongs to someone else.
    EmailAddress.objects.filter(user=employee).update(verified=True)
    employee.set_password("a-long-new-password-1")
    employee.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = represent(sign_in_with(visitor, employee, "a-long-new-password-1"), other_company)
    assert response.status_code == 302
    assert Representative.objects.filter(user=employee, company=other_company).exists()  # confirmed: at once
    assert not Representative.objects.filter(user=member).exists()


def sign_in_with(client, user, password):
    from django.urls import reverse

    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": password}).status_code == 302
    return client


@pytest.mark.django_db
def test_the_claim_link_works_for_the_account_that_asked_only(
    member, other_member, other_company, mailoutbox, django_capture_on_commit_callbacks
):
    from urllib.parse import urlsplit

    from django.test import Client

    from complaints.tests.factories import sign_in

    with django_capture_on_commit_callbacks(execute=True):
        represent(sign_in(Client(), member), other_company)
    link = urlsplit(claim_link(mailoutbox[0])).path

    stranger = Client()
    stranger.force_login(other_member)
    response = stranger.post(link, follow=True)
    assert "This link confirms a request made from another account." in response.content.decode()
    assert not Representative.objects.exists()

    owner = Client()
    owner.force_login(member)
    assert owner.get(link).status_code == 200  # a mail scanner's GET changes nothing
    assert not Representative.objects.exists()
    response = owner.post(link, follow=True)
    assert "You now represent Deltacom." in response.content.decode()
    assert Representative.objects.get().user == member
    assert not EmailAddress.objects.filter(email="support@deltacom.example").exists()

    response = owner.post(link[:-3] + "xx/", follow=True)
    assert "This confirmation link is not valid." in response.content.decode()


@pytest.mark.django_db
def test_a_claim_asks_for_the_password_again_and_a_confirmed_address(member, unconfirmed_member, other_company):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(member)  # signed in a while ago: no recent password
    assert client.get(reverse("companies:represent", args=[other_company.slug])).status_code == 200
    response = represent(client, other_company)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not RepresentationClaim.objects.exists()

    client = sign_in_with(Client(), unconfirmed_member, "a-long-test-password-42")
    response = represent(client, other_company)
    assert response.status_code == 200
    assert "account/verified_email_required.html" in [t.name for t in response.templates]
    assert not RepresentationClaim.objects.exists()


@pytest.mark.django_db
def test_an_address_confirmed_on_another_account_is_still_refused_at_the_field(member, other_company):
    from django.test import Client

    from complaints.tests.factories import sign_in

    UserFactory(email="support@deltacom.example")
    response = represent(sign_in(Client(), member), other_company)
    assert response.status_code == 200
    assert response.context["form"].errors["work_email"] == ["This address belongs to another account."]
    assert not RepresentationClaim.objects.exists()
