import factory

from companies.models import Company, CompanyDomain, Industry
from companies.text import company_slug, domain_of


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Industry {n}")
    slug = factory.LazyAttribute(lambda o: company_slug(o.name))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.LazyAttribute(lambda o: company_slug(o.name))
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example")
    country = "SE"
    industry = factory.SubFactory(IndustryFactory)
    description = "A company that sells things."

    @factory.post_generation
    def with_domain(obj, create, extracted, **kwargs):
        if create and obj.website:
            CompanyDomain.objects.get_or_create(domain=domain_of(obj.website), defaults={"company": obj})
