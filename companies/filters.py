import django_filters
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from companies.models import Company, Industry
from companies.scoring import LABEL_CHOICES

# Sorting only by an allow-list: the public name maps to the real ordering.
COMPANY_SORTS = {
    "name": ["name"],
    "complaints": ["-complaint_count", "name"],
    "newest": ["-created_at", "name"],
    "best": [F("card__score").desc(nulls_last=True), "name"],
    "worst": [F("card__score").asc(nulls_last=True), "name"],
}


def listed_countries() -> list[tuple[str, str]]:
    codes = set(Company.objects.listed().exclude(country="").order_by().values_list("country", flat=True).distinct())
    return sorted(((code, name) for code, name in countries if code in codes), key=lambda item: item[1])


class CompanyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name", max_length=100)
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=Industry.objects.all(), to_field_name="slug", empty_label=_("Any industry")
    )
    # Only countries that have listed companies: a short list, and rendering
    # all 250 countries was most of this page's time.
    country = django_filters.ChoiceFilter(label=_("Country"), choices=[], empty_label=_("Any country"))
    label = django_filters.ChoiceFilter(
        label=_("Reputation"), choices=LABEL_CHOICES, field_name="card__label", empty_label=_("Any"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[("name", _("Name")), ("complaints", _("Most complaints")), ("newest", _("Newest")),
                 ("best", _("Best score")), ("worst", _("Lowest score"))],
        method="sort_by",
        empty_label=None,
    )

    class Meta:
        model = Company
        fields = ["q", "industry", "country", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["country"].extra["choices"] = listed_countries  # read only when validated or shown

    def filter_name(self, queryset, name, value):
        return queryset.search(value)

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*COMPANY_SORTS.get(value, COMPANY_SORTS["name"]))
