import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from companies.models import Representative
from companies.tests.factories import CompanyFactory
from complaints.models import Complaint
from complaints.services.lifecycle import complaint_save_draft, complaint_submit

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    """A member; with verified=True (the default) their e-mail address is confirmed."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=obj, email=obj.email, primary=True, verified=True if extracted is None else extracted
            )


def sign_in(client, user):
    """force_login, then type the password again as allauth asks before sensitive changes."""
    from django.urls import reverse

    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, "the password was not accepted again"
    return client


def complaint_fields(**overrides) -> dict:
    fields = {
        "title": "Internet down for two weeks, nobody answers",
        "story": "I reported the outage on 3 March.\n\nNobody called back.",
        "desired_outcome": Complaint.Outcome.COMPENSATION,
        "amount": None,
        "currency": "",
        "happened_on": None,
        "language": "en",
        "display_name": "Ivan",
        "is_anonymous": False,
        "account_number": "ACC-12345",
        "phone": "+7 900 000 00 00",
        "reachable_times": "weekdays 9-12",
        "reachable_days": "",
        "reachable_from": None,
        "reachable_until": None,
    }
    fields.update(overrides)
    return fields


def make_draft(*, author=None, company=None, evidence=(), **fields) -> Complaint:
    """A draft reached through the service, as a person would reach it."""
    return complaint_save_draft(
        author=author or UserFactory(),
        fields=complaint_fields(**fields),
        company=company or CompanyFactory(),
        new_evidence=list(evidence),
    )


def make_published(*, author=None, company=None, **fields) -> Complaint:
    draft = make_draft(author=author, company=company, **fields)
    return complaint_submit(complaint=draft, user=draft.author)


def make_representative(company, **kwargs):
    """A member who represents the company (verified by its e-mail domain)."""
    user = UserFactory(**kwargs)
    Representative.objects.create(user=user, company=company, role="owner", verified_by="domain")
    return user
