import pytest
from django.urls import reverse

from companies.tests.factories import CompanyFactory, IndustryFactory
from complaints.tests.factories import make_draft, make_published
from complaints_site.tests.language_client import LanguageClient


@pytest.mark.django_db
def test_directory_lists_only_listed_companies_with_public_complaint_counts(
    client, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the scorecard refresh after each commit
        make_published(company=company)
        make_published(company=company)
        make_draft(company=company)
    CompanyFactory(name="Hidden Proposal", is_listed=False)
    response = client.get(reverse("companies:list"))
    assert response.status_code == 200
    listed = list(response.context["page"])
    assert [c.name for c in listed] == ["2KOM"]
    assert listed[0].complaint_count == 2


@pytest.mark.django_db
def test_directory_filters_by_name_alias_industry_and_country(client):
    isp = IndustryFactory(name="ISP", slug="isp")
    shops = IndustryFactory(name="Shops", slug="shops")
    telekom = CompanyFactory(name="Deutsche Telekom", aliases="T-Mobile", industry=isp, country="DE")
    CompanyFactory(name="Telia", industry=isp, country="SE")
    CompanyFactory(name="MediaMarkt", industry=shops, country="DE")

    def names(**params):
        return [c.name for c in client.get(reverse("companies:list"), params).context["page"]]

    assert names(q="mobile") == ["Deutsche Telekom"]
    assert names(industry="isp") == ["Deutsche Telekom", "Telia"]
    assert names(country="DE") == ["Deutsche Telekom", "MediaMarkt"]
    assert names(industry="isp", country="DE") == [telekom.name]


@pytest.mark.django_db
def test_directory_sorts_by_an_allow_list(client, django_capture_on_commit_callbacks):
    quiet = CompanyFactory(name="Aaa Quiet")
    loud = CompanyFactory(name="Zzz Loud")
    with django_capture_on_commit_callbacks(execute=True):
        make_published(company=loud)

    def names(sort):
        return [c.name for c in client.get(reverse("companies:list"), {"sort": sort}).context["page"]]

    assert names("name") == [quiet.name, loud.name]
    assert names("complaints") == [loud.name, quiet.name]
    assert names("newest") == [loud.name, quiet.name]


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"sort": "password"}, {"industry": "nope"}, {"country": "XX"}, {"page": "-1"}])
def test_directory_explains_invalid_filters_instead_of_failing(client, company, params):
    response = client.get(reverse("companies:list"), params)
    assert response.status_code == 200
    if "page" not in params:
        assert response.context["filter"].errors
        assert b"errorlist" in response.content


@pytest.mark.django_db
def test_directory_query_count_does_not_grow_with_companies(client, django_assert_num_queries):
    for n in range(3):
        make_published(company=CompanyFactory(name=f"Company {n}"))
    # the countries (with how many companies each: their sum is the total) and the
    # industries for the filter, the page of companies with their industry and complaint count
    with django_assert_num_queries(3):
        client.get(reverse("companies:list"))
    for n in range(3, 15):
        make_published(company=CompanyFactory(name=f"Company {n}"))
    with django_assert_num_queries(3):
        client.get(reverse("companies:list"))
    # A filtered directory counts its own companies.
    with django_assert_num_queries(4):
        client.get(reverse("companies:list"), {"q": "Company 1"})


@pytest.mark.django_db
def test_directory_totals_and_country_choices_count_listed_companies_only(client):
    for country, n in (("DE", 3), ("SE", 1), ("", 2)):
        for i in range(n):
            CompanyFactory(name=f"{country or 'Nowhere'} {i}", country=country)
    CompanyFactory(name="Hidden Proposal", country="SE", is_listed=False)
    response = client.get(reverse("companies:list"))
    assert response.context["count"] == 6
    assert "6 companies" in response.content.decode()
    choices = dict(response.context["filter"].form.fields["country"].choices)
    # Companies without a country count in the total, not as a choice.
    assert choices == {"": "Any country", "DE": "Germany (3)", "SE": "Sweden (1)"}
    filtered = client.get(reverse("companies:list"), {"country": "SE"})
    assert filtered.context["count"] == 1
    client = LanguageClient(client, "de")
    german = client.get(reverse("companies:list")).content.decode()
    assert "Deutschland (3)" in german and "6 Unternehmen" in german


@pytest.mark.django_db
def test_company_page_shows_public_complaints_newest_first_paged(client, company):
    older = make_published(company=company, title="Older complaint")
    newer = make_published(company=company, title="Newer complaint")
    draft = make_draft(company=company, title="Secret draft")
    response = client.get(company.get_absolute_url())
    body = response.content.decode()
    assert body.index(newer.title) < body.index(older.title)
    assert draft.title not in body
    for _ in range(20):
        make_published(company=company)
    first = client.get(company.get_absolute_url())
    assert len(first.context["page"]) == 20 and first.context["page"].has_next
    second = client.get(company.get_absolute_url(), {"after": first.context["page"].next_cursor})
    assert len(second.context["page"]) == 2 and not second.context["page"].has_next
    assert {c.pk for c in second.context["page"]}.isdisjoint({c.pk for c in first.context["page"]})
    assert older.pk in {c.pk for c in second.context["page"]}
    assert client.get(company.get_absolute_url(), {"after": "bogus"}).context["bad_cursor"]


@pytest.mark.django_db
def test_company_page_query_count_does_not_grow_with_complaints(
    client, company, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            make_published(company=company)
    # the company (with its stored scorecard and whether it has representatives), the page
    # of complaints (no count: keyset paging) and the capped count of overdue complaints (by
    # its own index), the last incidents: charts come from the stored figures
    with django_assert_num_queries(4):
        response = client.get(company.get_absolute_url())
    assert response.context["card"].complaints == 3
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(12):
            make_published(company=company)
    with django_assert_num_queries(4):
        response = client.get(company.get_absolute_url())
    assert response.context["card"].complaints == 15


@pytest.mark.django_db
def test_unlisted_company_page_is_not_found(client):
    company = CompanyFactory(is_listed=False)
    assert client.get(company.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_company_page_offers_to_file_with_the_company_preselected(client, member_client, company):
    response = client.get(company.get_absolute_url())
    link = reverse("complaints:new") + f"?company={company.slug}"
    assert link in response.content.decode()
    form = member_client.get(link).context["form"]
    assert form.initial["company_name"] == "2KOM"


@pytest.mark.django_db
def test_country_filter_offers_only_countries_with_listed_companies(client):
    CompanyFactory(name="Telia", country="SE")
    CompanyFactory(name="Hidden", country="DE", is_listed=False)
    choices = dict(client.get(reverse("companies:list")).context["filter"].form.fields["country"].choices)
    assert "SE" in choices and "DE" not in choices


@pytest.mark.django_db
def test_only_the_companys_own_people_get_the_inbox_link_on_its_page(client, company, member, other_member):
    from companies.models import Representative

    Representative.objects.create(company=company, user=member)
    inbox = "Open the business inbox"
    assert inbox not in client.get(company.get_absolute_url()).content.decode()
    client.force_login(other_member)
    assert inbox not in client.get(company.get_absolute_url()).content.decode()
    client.force_login(member)
    page = client.get(company.get_absolute_url()).content.decode()
    assert inbox in page and "Verified company" in page
