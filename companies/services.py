"""Writes with rules for companies and their representatives."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from companies.models import Company, CompanyDomain, ReplyTemplate, RepresentationClaim, Representative
from companies.signals import claim_decided
from companies.text import company_slug, domain_of, normalise_company_name
from core.roles import is_moderator


def unique_company_slug(name: str) -> str:
    base = company_slug(name)
    slug, n = base, 2
    while Company.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def company_propose(*, name: str, website: str, user) -> Company:
    """A company named by a complainant; it is listed once a complaint about it is published.

    If a company with the same normalised name already exists (perhaps created a
    moment ago by someone else), that one is returned instead of a duplicate.
    """
    name = " ".join(name.split())
    existing = Company.objects.filter(name_key=normalise_company_name(name)).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            company = Company.objects.create(
                name=name, slug=unique_company_slug(name), website=website, is_listed=False, created_by=user,
                checked_at=None,  # waits in the moderators' list until one of them checks it
            )
            domain = domain_of(website)
            if domain and not CompanyDomain.objects.filter(domain=domain).exists():
                CompanyDomain.objects.create(company=company, domain=domain)
    except IntegrityError:
        # Lost a race with an identical proposal: use the winner's row.
        return Company.objects.get(name_key=normalise_company_name(name))
    return company


def company_list(*, company: Company) -> None:
    """Make a proposed company visible (its first complaint was published)."""
    if not company.is_listed:
        Company.objects.filter(pk=company.pk).update(is_listed=True)
        company.is_listed = True


def company_discard_if_orphan(*, company: Company, user) -> None:
    """Remove a proposed company that a person's draft no longer names."""
    if company.is_listed or company.created_by_id != user.pk:
        return
    if not company.complaints.exists():
        company.delete()


# Representatives: who speaks for a company.

class RepresentationError(Exception):
    """A refused representation action; the message is translated and safe to show."""


def _email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower().strip(".") if "@" in email else ""


def email_matches_company(email: str, company: Company) -> bool:
    """An address at one of the company's domains, or at a subdomain of one."""
    # A company proposed by a complainant has only the website that person typed,
    # perhaps their own domain: that proves nothing, so a moderator decides.
    if company.created_by_id is not None:
        return False
    domain = _email_domain(email)
    if not domain or domain in settings.FREE_MAIL_DOMAINS:
        return False
    for known in company.domains.values_list("domain", flat=True):
        if domain == known or domain.endswith("." + known):
            return True
    return False


def claim_submit(*, user, company: Company, work_email: str, job_title: str, evidence: str) -> RepresentationClaim:
    """Ask to represent a company.

    With an address at the company's domain the claim waits only for that
    address to be confirmed through a link mailed to it; already confirmed on
    the account, it is approved at once. Otherwise a moderator decides. The
    address stays on the claim: nothing is added to the account, so an
    unconfirmed claim blocks nobody from signing up or claiming with it.
    """
    with transaction.atomic():
        Company.objects.select_for_update().get(pk=company.pk)
        if Representative.objects.filter(user=user, company=company).exists():
            raise RepresentationError(_("You already represent this company."))
        if RepresentationClaim.objects.filter(
            user=user, company=company, status__in=RepresentationClaim.OPEN_STATUSES
        ).exists():
            raise RepresentationError(_("You have already asked to represent this company."))
        work_email = work_email.strip().lower()
        by_domain = email_matches_company(work_email, company)
        claim = RepresentationClaim.objects.create(
            user=user, company=company, work_email=work_email, job_title=job_title, evidence=evidence,
            status=RepresentationClaim.Status.AWAITING_EMAIL if by_domain else RepresentationClaim.Status.PENDING,
        )
        if by_domain and EmailAddress.objects.filter(user=user, email__iexact=work_email, verified=True).exists():
            _approve(claim, decided_by=None, verified_by=Representative.Verification.DOMAIN)
        elif by_domain:
            token = claim_confirmation_token(claim)
            language = get_language() or settings.LANGUAGE_CODE  # the claimant reads it
            transaction.on_commit(lambda: send_claim_confirmation.enqueue(
                claim_id=claim.pk, token=token, language=language
            ))
    return claim


# The link mailed to a claim's work address: signed, naming the claim and the address.
CLAIM_CONFIRMATION_SALT = "companies.claim-confirmation"
CLAIM_CONFIRMATION_DAYS = 7


def claim_confirmation_token(claim: RepresentationClaim) -> str:
    return signing.dumps({"claim": claim.pk, "email": claim.work_email}, salt=CLAIM_CONFIRMATION_SALT)


@task
def send_claim_confirmation(*, claim_id: int, token: str, language: str) -> None:
    """Mail the confirmation link to the work address; it names the company, never the person who asked."""
    claim = RepresentationClaim.objects.select_related("company").filter(pk=claim_id).first()
    if claim is None or claim.status != RepresentationClaim.Status.AWAITING_EMAIL:
        return
    context = {
        "company": claim.company.name, "site_name": settings.SITE_NAME, "days": CLAIM_CONFIRMATION_DAYS,
        "url": settings.SITE_URL + reverse("companies:claim_confirm", args=[token]),
    }
    with translation.override(language):
        subject = " ".join(_render_text("emails/claim_confirm_subject.txt", context).split())
        body = _render_text("emails/claim_confirm.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [claim.work_email])


def _render_text(name: str, context: dict) -> str:
    # Plain-text mail is not HTML: escaping would turn "AT&T" into "AT&amp;T".
    return get_template(name).template.render(Context(context, autoescape=False))


def claim_confirm(*, token: str, user) -> RepresentationClaim:
    """The person who asked opened the link sent to the work address: the claim is approved."""
    try:
        data = signing.loads(token, salt=CLAIM_CONFIRMATION_SALT, max_age=timedelta(days=CLAIM_CONFIRMATION_DAYS))
    except signing.SignatureExpired:
        raise RepresentationError(_("This confirmation link has expired. Ask again from the company's page.")) from None
    except signing.BadSignature:
        raise RepresentationError(_("This confirmation link is not valid.")) from None
    with transaction.atomic():
        claim = (RepresentationClaim.objects.select_for_update().select_related("company")
                 .filter(pk=data.get("claim"), work_email=data.get("email")).first())
        # Only the account that asked: the link proves access to the address, not who clicked it.
        if claim is None or claim.user_id != user.pk:
            raise RepresentationError(_("This link confirms a request made from another account."))
        if claim.status != RepresentationClaim.Status.AWAITING_EMAIL or not email_matches_company(
            claim.work_email, claim.company
        ):
            raise RepresentationError(_("This request no longer waits for its address to be confirmed."))
        _approve(claim, decided_by=None, verified_by=Representative.Verification.DOMAIN)
    return claim


def claims_confirm_email(*, user, email: str) -> list[RepresentationClaim]:
    """The person confirmed an address on their account: approve their claims that were waiting for it."""
    approved = []
    with transaction.atomic():
        claims = RepresentationClaim.objects.select_for_update().filter(
            user=user, work_email__iexact=email, status=RepresentationClaim.Status.AWAITING_EMAIL
        )
        for claim in claims.select_related("company"):
            if email_matches_company(claim.work_email, claim.company):
                _approve(claim, decided_by=None, verified_by=Representative.Verification.DOMAIN)
                approved.append(claim)
    return approved


def approve_claims_for_confirmed_address(sender, request, email_address, **kwargs):
    """allauth's email_confirmed: a claim waiting for this address is approved."""
    claims_confirm_email(user=email_address.user, email=email_address.email)


def claim_decide(*, claim: RepresentationClaim, moderator, approve: bool, reason: str = "") -> RepresentationClaim:
    """A moderator approves or refuses a claim; the person is told why."""
    if not is_moderator(moderator):
        raise RepresentationError(_("Only moderators can decide on representation requests."))
    if not approve and not reason.strip():
        raise RepresentationError(_("Say why the request is refused: the person is told."))
    with transaction.atomic():
        claim = RepresentationClaim.objects.select_for_update().select_related("company").get(pk=claim.pk)
        if not claim.is_open:
            raise RepresentationError(_("This request has already been decided."))
        if approve:
            _approve(claim, decided_by=moderator, verified_by=Representative.Verification.MODERATOR, reason=reason)
        else:
            claim.status = RepresentationClaim.Status.REFUSED
            claim.decided_by, claim.decided_at, claim.reason = moderator, timezone.now(), reason[:500]
            claim.save()
        _notify_claimant(claim)
    return claim


def claim_withdraw(*, claim: RepresentationClaim, user) -> RepresentationClaim:
    with transaction.atomic():
        claim = RepresentationClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.user_id != user.pk or not claim.is_open:
            raise RepresentationError(_("This request cannot be withdrawn."))
        claim.status = RepresentationClaim.Status.WITHDRAWN
        claim.decided_at = timezone.now()
        claim.save()
    return claim


def _approve(claim, *, decided_by, verified_by, reason: str = "") -> Representative:
    claim.status = RepresentationClaim.Status.APPROVED
    claim.decided_by, claim.decided_at, claim.reason = decided_by, timezone.now(), reason[:500]
    claim.save()
    has_owner = Representative.objects.filter(company=claim.company, role=Representative.Role.OWNER).exists()
    representative, _created = Representative.objects.get_or_create(
        user=claim.user, company=claim.company,
        defaults={
            "role": Representative.Role.MEMBER if has_owner else Representative.Role.OWNER,
            "verified_by": verified_by, "work_email": claim.work_email,
        },
    )
    return representative


def _notify_claimant(claim: RepresentationClaim) -> None:
    # Notifications belong to complaints, which builds on companies: it listens (complaints.services.notifications).
    claim_decided.send(sender=RepresentationClaim, claim=claim)


def representative_remove(*, representative: Representative, by_user) -> None:
    """A representative leaves, or an owner removes another; the oldest left becomes owner if none is."""
    with transaction.atomic():
        representative = Representative.objects.select_for_update().get(pk=representative.pk)
        company = representative.company
        leaving_self = representative.user_id == by_user.pk
        is_owner = Representative.objects.filter(
            company=company, user=by_user, role=Representative.Role.OWNER
        ).exists()
        if not (leaving_self or is_owner):
            raise RepresentationError(_("Only an owner can remove other representatives."))
        representative.delete()
        remaining = Representative.objects.filter(company=company)
        if remaining.exists() and not remaining.filter(role=Representative.Role.OWNER).exists():
            successor = remaining.order_by("created_at", "pk").first()
            successor.role = Representative.Role.OWNER
            successor.save(update_fields=["role"])


def reply_template_save(*, company: Company, user, title: str, body: str, template: ReplyTemplate | None = None,
                        **offer):
    """Keep a reply template; `offer` holds its offer fields (offer_kind and the rest), blank for words only."""
    if not Representative.objects.filter(company=company, user=user).exists():
        raise RepresentationError(_("Only the company's representatives can keep its reply templates."))
    if template is not None and template.company_id != company.pk:
        raise RepresentationError(_("This template belongs to another company."))
    if ReplyTemplate.objects.filter(company=company, title=title).exclude(pk=getattr(template, "pk", None)).exists():
        raise RepresentationError(_("There is already a template with this name."))
    template = template or ReplyTemplate(company=company)
    template.title, template.body = title, body
    for name, value in offer.items():
        setattr(template, name, value)
    template.save()
    return template


def reply_template_delete(*, template: ReplyTemplate, user) -> None:
    if not Representative.objects.filter(company=template.company_id, user=user).exists():
        raise RepresentationError(_("Only the company's representatives can keep its reply templates."))
    template.delete()
