"""Writes with rules for companies."""

from django.db import IntegrityError, transaction

from companies.models import Company, CompanyDomain
from companies.text import company_slug, domain_of, normalise_company_name


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
                name=name, slug=unique_company_slug(name), website=website, is_listed=False, created_by=user
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
