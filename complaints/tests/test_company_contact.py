"""Companies that are not here yet: a moderator records their public complaint address, each new
complaint goes there once with a signed claim link, one mail a day at most (a digest for the rest),
and "stop" or a refusing mail server ends it."""

import smtplib
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, ContactState
from complaints.models import CompanyContactMail, ModerationAction
from complaints.services.company_contact import (
    claim_token,
    send_company_digests,
    stop_token,
)
from complaints.services.moderation import moderation_set_contact
from complaints.tests.factories import make_published, make_representative
from complaints.tests.test_notifications import client_for

pytestmark = pytest.mark.django_db
ADDRESS = "support@2kom.example"


class RefusingBackend(BaseEmailBackend):
    """A mail server that says the address does not exist."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"No such user")})


@pytest.fixture
def told(company, moderator):
    """2KOM with its public complaint address recorded."""
    return moderation_set_contact(company=company, moderator=moderator, email=" Support@2KOM.example ")


def publish(member, company, title, capture):
    with capture(execute=True):
        return make_published(author=member, company=company, title=title)


def to_company():
    return [m for m in mail.outbox if m.to == [ADDRESS]]


def test_a_moderator_records_the_address_and_bad_input_changes_nothing(company, moderator, member):
    page = reverse("complaints:moderation_company", args=[company.slug])
    bad = client_for(moderator).post(page, {"action": "contact", "contact-email": "not an address", "contact-note": ""})
    assert bad.status_code == 200 and 'id="id_contact-email_error"' in bad.content.decode()
    assert Company.objects.get(pk=company.pk).contact_email == ""
    client_for(moderator).post(page, {"action": "contact", "contact-email": ADDRESS, "contact-note": ""})
    company.refresh_from_db()
    assert (company.contact_email, company.contact_state) == (ADDRESS, ContactState.ACTIVE)
    assert ModerationAction.objects.filter(company=company, action="edit").exists()
    for someone in (member, None):
        client = client_for(someone) if someone else Client()
        response = client.post(page, {"action": "contact", "contact-email": "evil@example.com"})
        assert response.status_code in (302, 403)
    assert Company.objects.get(pk=company.pk).contact_email == ADDRESS


def test_a_new_complaint_goes_to_the_address_once_with_a_claim_link(told, member, django_capture_on_commit_callbacks):
    complaint = publish(member, told, "Router broken", django_capture_on_commit_callbacks)
    [sent] = to_company()
    assert "Router broken" in sent.body and complaint.get_absolute_url() in sent.body
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.alternatives[0][1] == "text/html"
    claim = next(word for word in sent.body.split() if "/company-mail/claim/" in word)
    response = Client().get(claim[claim.index("/company-mail/"):])
    assert response.status_code == 302 and response.url == reverse("companies:represent", args=[told.slug])
    assert send_company_digests.call() == 0  # nothing waits: sent once
    assert "asked us to stop" not in Client().get(told.get_absolute_url()).content.decode()
    assert "we e-mail each new complaint" in Client().get(told.get_absolute_url()).content.decode()


def test_one_mail_a_day_and_the_rest_in_a_digest(told, member, django_capture_on_commit_callbacks):
    publish(member, told, "First of the day", django_capture_on_commit_callbacks)
    publish(member, told, "Second", django_capture_on_commit_callbacks)
    publish(member, told, "Third", django_capture_on_commit_callbacks)
    assert len(to_company()) == 1
    assert send_company_digests.call() == 0  # still the same day
    Company.objects.filter(pk=told.pk).update(contact_mailed_at=timezone.now() - timedelta(days=1, minutes=1))
    assert send_company_digests.call() == 2
    digest = to_company()[-1]
    assert "Second" in digest.body and "Third" in digest.body and "First of the day" not in digest.body
    assert "2 жалобы на 2KOM" in digest.subject  # 2KOM is Russian: written in its likely language
    assert not CompanyContactMail.objects.filter(sent_at=None).exists()


def test_stop_ends_the_mail_and_the_page_says_so(told, member, client, django_capture_on_commit_callbacks):
    url = reverse("complaints:company_contact_stop", args=[stop_token(told)])
    assert "Stop these e-mails" in client.get(url).content.decode()
    assert Company.objects.get(pk=told.pk).contact_state == ContactState.ACTIVE  # a GET changes nothing
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    publish(member, told, "After the stop", django_capture_on_commit_callbacks)
    assert to_company() == []
    assert "asked us to stop e-mailing" in client.get(told.get_absolute_url()).content.decode()
    forged = signing.dumps({"c": told.pk, "e": ADDRESS}, salt="something else")
    assert client.post(reverse("complaints:company_contact_stop", args=[forged])).status_code == 404


def test_an_old_stop_link_does_not_stop_a_new_address(told, moderator, client):
    old_link = reverse("complaints:company_contact_stop", args=[stop_token(told)])
    moderation_set_contact(company=told, moderator=moderator, email="complaints@2kom.example")
    client.post(old_link)
    assert Company.objects.get(pk=told.pk).contact_state == ContactState.ACTIVE


def test_a_refusing_mail_server_ends_it(settings, told, member, django_capture_on_commit_callbacks):
    settings.MAILERS = {"default": {"BACKEND": "complaints.tests.test_company_contact.RefusingBackend"}}
    publish(member, told, "Router broken", django_capture_on_commit_callbacks)
    assert Company.objects.get(pk=told.pk).contact_state == ContactState.BOUNCED
    assert not CompanyContactMail.objects.filter(sent_at=None).exists()
    assert "did not accept our e-mail" in Client().get(told.get_absolute_url()).content.decode()


def test_a_represented_company_is_not_mailed(told, member, django_capture_on_commit_callbacks):
    make_representative(told)
    publish(member, told, "Router broken", django_capture_on_commit_callbacks)
    assert to_company() == []


def test_a_claim_link_expires_and_cannot_be_forged(told, client, monkeypatch):
    with monkeypatch.context() as patch:  # a link mailed 31 days ago
        patch.setattr(signing.TimestampSigner, "timestamp",
                      lambda self: signing.b62_encode(int(time.time()) - 31 * 86400))
        expired = claim_token(told)
    forged = signing.TimestampSigner(salt="another purpose").sign(str(told.pk))
    for token in ("nonsense", expired, forged, claim_token(told)[:-3] + "abc"):
        response = client.get(reverse("complaints:company_contact_claim", args=[token]))
        assert response.status_code == 410 and "This link has expired" in response.content.decode()
    assert client.get(reverse("complaints:company_contact_claim", args=[claim_token(told)])).status_code == 302


def test_the_mail_is_in_the_companys_likely_language(moderator, member, django_capture_on_commit_callbacks):
    from companies.tests.factories import CompanyFactory

    for country, words in (("", "A complaint about"), ("DE", "Eine Beschwerde über"), ("SE", "Ett klagomål om")):
        company = CompanyFactory(name=f"Firm {country or 'nowhere'}", country=country)
        moderation_set_contact(company=company, moderator=moderator, email=ADDRESS)
        mail.outbox = []
        publish(member, company, "Router broken", django_capture_on_commit_callbacks)
        assert words in to_company()[0].subject, country
