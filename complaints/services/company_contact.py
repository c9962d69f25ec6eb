"""Companies that are not here yet are told anyway: a moderator records a company's public
complaint address, and while nobody represents the company on the portal, each newly published
complaint about it is mailed there once, with a signed link to claim the company and answer.

One mail a day at most to one address: a complaint published when the address had a mail in the
last day waits for the next run of the job after that day, which sends all that waited as one
digest. "Stop" (a signed one-click link) and a refusal by the receiving mail server end it:
nothing more is sent to that address until a moderator records it again.
"""

import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from companies.models import Company, ContactState, Representative
from complaints.models import CompanyContactMail, Complaint
from complaints.services.notifications import render_plain_text

DAILY = timedelta(days=1)
CLAIM_LINK_DAYS = 30
CLAIM_SALT = "company-contact.claim"
STOP_SALT = "company-contact.stop"
# The mail is written in the company's likely language, by its country; else the portal's.
COUNTRY_LANGUAGES = {"RU": "ru", "BY": "ru", "KZ": "ru", "DE": "de", "AT": "de", "CH": "de", "LI": "de",
                     "SE": "sv", "AX": "sv"}


def may_mail(company: Company) -> bool:
    return bool(company.contact_email) and company.contact_state == ContactState.ACTIVE


def complaint_published(complaint: Complaint) -> None:
    """Inside the publishing transaction: queue the complaint for its company's address, if any."""
    company = complaint.company
    if not may_mail(company) or Representative.objects.filter(company=company).exists():
        return
    CompanyContactMail.objects.get_or_create(complaint=complaint, defaults={"company": company})
    transaction.on_commit(lambda: send_company_mail.enqueue(company_id=company.pk))


def claim_token(company: Company) -> str:
    return signing.TimestampSigner(salt=CLAIM_SALT).sign(str(company.pk))


def claim_company(token: str) -> Company | None:
    """The company a claim link names, while it is valid (CLAIM_LINK_DAYS)."""
    try:
        pk = signing.TimestampSigner(salt=CLAIM_SALT).unsign(token, max_age=timedelta(days=CLAIM_LINK_DAYS))
    except signing.BadSignature:  # also SignatureExpired
        return None
    return Company.objects.listed().filter(pk=int(pk)).first() if pk.isdigit() else None


def stop_token(company: Company) -> str:
    # Names the address too: a link mailed to an address recorded before stops nothing new.
    return signing.dumps({"c": company.pk, "e": company.contact_email}, salt=STOP_SALT, compress=True)


def _stop_link(token: str) -> dict | None:
    try:
        data = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int) or not isinstance(data.get("e"), str):
        return None
    return data


def stop_link_company(token: str) -> Company | None:
    """The company a stop link was made for, or None for a link we did not make."""
    data = _stop_link(token)
    return Company.objects.filter(pk=data["c"]).first() if data else None


def stop_company(token: str) -> Company | None:
    """Stop mail to the address a stop link was sent to; the company, or None for a bad link."""
    data = _stop_link(token)
    if data is None:
        return None
    with transaction.atomic():
        company = Company.objects.select_for_update().filter(pk=data["c"]).first()
        if company is None:
            return None
        if company.contact_email == data.get("e") and company.contact_state == ContactState.ACTIVE:
            _end(company, ContactState.STOPPED)
    return company


def _end(company: Company, state: str) -> None:
    company.contact_state, company.contact_state_at = state, timezone.now()
    company.save(update_fields=["contact_state", "contact_state_at"])
    CompanyContactMail.objects.filter(company=company, sent_at=None).delete()


def _message(company: Company, complaints: list[Complaint]) -> EmailMultiAlternatives:
    language = COUNTRY_LANGUAGES.get(str(company.country or ""), settings.LANGUAGE_CODE)
    stop_url = settings.SITE_URL + reverse("complaints:company_contact_stop", args=[stop_token(company)])
    context = {
        "company": company.name, "site_name": settings.SITE_NAME, "language": language,
        "complaints": [{"title": c.title, "url": settings.SITE_URL + c.get_absolute_url()} for c in complaints],
        "company_url": settings.SITE_URL + company.get_absolute_url(),
        "claim_url": settings.SITE_URL + reverse("complaints:company_contact_claim", args=[claim_token(company)]),
        "claim_days": CLAIM_LINK_DAYS, "stop_url": stop_url,
    }
    with translation.override(language):
        subject = translation.ngettext(
            "A complaint about %(company)s on %(site)s", "%(count)d complaints about %(company)s on %(site)s",
            len(complaints)) % {"company": company.name, "site": settings.SITE_NAME, "count": len(complaints)}
        text = render_plain_text("emails/company_contact.txt", context)
        html = render_to_string("emails/company_contact.html", context)
    message = EmailMultiAlternatives(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, text, None,
                                     [company.contact_email])
    message.attach_alternative(html, "text/html")
    message.extra_headers = {"List-Unsubscribe": f"<{stop_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return message


@task
def send_company_mail(company_id: int) -> int:
    """Mail what waits for one company's address, unless it had a mail in the last day."""
    now = timezone.now()
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id)
        waiting = list(CompanyContactMail.objects.filter(company=company, sent_at=None)
                       .select_related("complaint").order_by("created_at", "pk"))
        if not waiting:
            return 0
        if not may_mail(company) or Representative.objects.filter(company=company).exists():
            # Someone answers here now (they get the new-complaint notification), or the address ended.
            CompanyContactMail.objects.filter(pk__in=[row.pk for row in waiting]).delete()
            return 0
        if company.contact_mailed_at and now - company.contact_mailed_at < DAILY:
            return 0  # the digest job sends them once the day is over
        complaints = [row.complaint for row in waiting if row.complaint.is_public]
        if complaints:
            try:
                mailers["default"].send_messages([_message(company, complaints)])
            except smtplib.SMTPRecipientsRefused:
                _end(company, ContactState.BOUNCED)  # the address does not exist or takes nothing from us
                return 0
            company.contact_mailed_at = now
            company.save(update_fields=["contact_mailed_at"])
        CompanyContactMail.objects.filter(pk__in=[row.pk for row in waiting]).update(sent_at=now)
        return len(complaints)


@task
def send_company_digests() -> int:
    """Every so often: each address whose day is over gets what waited for it (settings.SCHEDULED_JOBS)."""
    company_ids = (CompanyContactMail.objects.filter(sent_at=None).values_list("company_id", flat=True)
                   .distinct().order_by("company_id"))
    return sum(send_company_mail.call(company_id=company_id) for company_id in company_ids)
