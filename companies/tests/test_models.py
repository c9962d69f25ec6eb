import pytest

from companies.models import Company, CompanyDomain
from companies.services import company_propose
from companies.tests.factories import CompanyFactory
from companies.text import company_slug, domain_of, normalise_company_name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("2KOM", "2kom"),
        ("2kom LLC", "2kom"),
        ("ООО «2КОМ»", "2ком"),
        ("Telia Company AB", "telia"),
        ("Media-Markt GmbH", "mediamarkt"),
        ("  Comcast,  Inc. ", "comcast"),
        ("AB", "ab"),
    ],
)
def test_normalised_names_ignore_case_punctuation_and_legal_forms(name, key):
    assert normalise_company_name(name) == key


@pytest.mark.parametrize(
    ("url", "domain"),
    [("https://www.2kom.ru/", "2kom.ru"), ("http://Shop.Example.DE/path?q=1", "shop.example.de"), ("", "")],
)
def test_domain_of_a_website(url, domain):
    assert domain_of(url) == domain


@pytest.mark.django_db
def test_cyrillic_company_gets_a_cyrillic_slug_and_page(client):
    company = company_propose(name="Ростелеком", website="https://rt.ru", user=None)
    assert company.slug == "ростелеком"
    company.is_listed = True
    company.save()
    assert client.get(company.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_proposing_a_known_name_returns_the_existing_company():
    existing = CompanyFactory(name="Deltacom")
    assert company_propose(name="DELTACOM Inc.", website="https://other.example", user=None) == existing
    assert Company.objects.count() == 1


@pytest.mark.django_db
def test_proposed_company_is_unlisted_with_its_domain(member):
    company = company_propose(name="Nya Bredband", website="https://www.nyabredband.se", user=member)
    assert not company.is_listed
    assert company.created_by == member
    assert list(CompanyDomain.objects.filter(company=company).values_list("domain", flat=True)) == ["nyabredband.se"]


@pytest.mark.django_db
def test_two_companies_with_one_slug_base_get_distinct_slugs():
    # A slug is cut at 80 characters: two long names that differ only after that
    # are two companies (their normalised names differ) with one slug base.
    shared = "Regional Fibre and Cable Television Network Operator of the Northern Coastal District"
    east, west = f"{shared} East", f"{shared} West"
    assert company_slug(east) == company_slug(west)
    assert normalise_company_name(east) != normalise_company_name(west)

    first = company_propose(name=east, website="", user=None)
    second = company_propose(name=west, website="", user=None)

    assert first.pk != second.pk
    assert first.slug == company_slug(east)
    assert second.slug == f"{company_slug(east)}-2"


@pytest.mark.django_db
def test_matching_name_finds_aliases():
    company = CompanyFactory(name="Deutsche Telekom", aliases="Telekom\nT-Mobile")
    assert list(Company.objects.matching_name("t mobile")) == [company]
    assert list(Company.objects.matching_name("Unknown")) == []


@pytest.mark.django_db
def test_search_matches_name_and_alias():
    company = CompanyFactory(name="Deutsche Telekom", aliases="T-Mobile")
    CompanyFactory(name="Other")
    assert list(Company.objects.search("mobile")) == [company]
