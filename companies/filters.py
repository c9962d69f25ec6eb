"""The directory's filters and sorts (country, industry, label, score)."""

from functools import cached_property

import django_filters
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from companies.models import Company, Industry
from companies.scoring import LABEL_CHOICES
from core.filtersets import SortableFilterSet
from core.paging import Sort

# Sorting only by an allow-list: the public name maps to an order the pager walks by key
# (core.paging), never by OFFSET. Companies without a score come last either way:
# their score is taken as below 0 (best first) or above 10 (lowest first).
COMPANY_SORTS = {
    "name": Sort(("name", "id"), descending=False, texts=frozenset({"name"})),
    "complaints": Sort(("complaint_count", "name", "id"), descending=True, texts=frozenset({"name"}),
                       against=frozenset({"name", "id"})),
    "newest": Sort(("created_at", "name", "id"), descending=True, texts=frozenset({"name"}),
                   against=frozenset({"name", "id"})),
    "best": Sort(("score_order", "name", "id"), descending=True, texts=frozenset({"name"}),
                 floats=frozenset({"score_order"}), against=frozenset({"name", "id"}),
                 expressions=(("score_order", Coalesce(F("card__score"), Value(-1.0))),)),
    "worst": Sort(("score_order", "name", "id"), descending=False, texts=frozenset({"name"}),
                  floats=frozenset({"score_order"}),
                  expressions=(("score_order", Coalesce(F("card__score"), Value(11.0))),)),
}


def listed_country_counts() -> dict[str, int]:
    """Listed companies per country code ("" for those without one), in one pass over an index."""
    return dict(Company.objects.listed().order_by().values_list("country").annotate(n=Count("*")))  # COUNT(*): read from the index alone


class CompanyFilter(SortableFilterSet):
    uncounted = ("sort", "q")  # the name box stands above the filters
    q = django_filters.CharFilter(label=_("Name"), method="filter_name", max_length=100)
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=lambda request: Industry.objects.in_display_order(), to_field_name="slug",
        empty_label=_("Any industry"),
    )
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
        self.filters["country"].extra["choices"] = self.country_choices  # read only when validated or shown

    @cached_property
    def country_counts(self) -> dict[str, int]:
        return listed_country_counts()

    def country_choices(self) -> list[tuple[str, str]]:
        """Only countries that have listed companies (a short list: rendering all 250 was most of
        this page's time), each with its number of companies."""
        counts = self.country_counts
        listed = sorted(((code, name) for code, name in countries if counts.get(code)), key=lambda item: item[1])
        return [(code, gettext("%(country)s (%(count)s)") % {"country": name, "count": number_format(counts[code])})
                for code, name in listed]

    def listed_total(self) -> int:
        """Every listed company: the sum of the country filter's counts, read for the form anyway."""
        return sum(self.country_counts.values())

    def filter_name(self, queryset, name, value):
        return queryset.search(value)

    def sort_by(self, queryset, name, value):
        return queryset  # the order is the pager's (chosen_sort)

    @property
    def chosen_sort(self):
        if self.is_bound and not self.errors.get("sort"):
            return COMPANY_SORTS.get(self.form.cleaned_data.get("sort") or "name", COMPANY_SORTS["name"])
        return COMPANY_SORTS["name"]
