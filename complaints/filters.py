"""The complaint list's search, filters and sort, all held in the address."""

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Industry
from complaints.models import Complaint, Offer
from complaints.search import search_filter
from core.filtersets import SortableFilterSet
from core.paging import OneOf

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest")),
    ("oldest", _("Oldest")),
    ("me_too", _("Most “me too”")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class ComplaintFilterForm(forms.Form):
    company = None  # the listed company the "company" field names, once valid

    def clean_company(self):
        value = self.cleaned_data["company"].strip()
        if value:
            listed = Company.objects.listed()
            self.company = listed.filter(slug=value).first() or listed.matching_name(value).first()
            if self.company is None:
                raise forms.ValidationError(_("No company by this name is listed here."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("This date is before the first one."))
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("This amount is below the smallest one."))
        return cleaned


class ComplaintFilter(SortableFilterSet):
    """Filters over public complaints; the sort is read here and applied by the pager.

    An invalid value drops only its own filter and is explained next to its
    field; the other filters still apply.
    """

    uncounted = ("sort", "q")  # the search box stands above the filters

    q = django_filters.CharFilter(label=_("Words"), method="filter_words", max_length=200)
    company = django_filters.CharFilter(
        label=_("Company"), method="filter_company", max_length=200,
        help_text=_("Its name, an alias, or its address on this site."),
    )
    industry = django_filters.ModelChoiceFilter(
        label=_("Industry"), queryset=lambda request: Industry.objects.in_display_order(), to_field_name="slug",
        field_name="company__industry", empty_label=_("Any industry"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=_("Any status"), method="filter_status",
        choices=[(status.value, status.label) for status in Complaint.PUBLIC_STATUSES],
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=settings.LANGUAGES, empty_label=_("Any language"),
    )
    published_from = django_filters.DateFilter(
        label=_("Published from"), method="filter_published_from", widget=DateInput,
    )
    published_to = django_filters.DateFilter(label=_("Published until"), method="filter_published_to", widget=DateInput)
    has_offer = django_filters.ChoiceFilter(
        label=_("Offer"), method="filter_has_offer", empty_label=_("Any"),
        choices=[("yes", _("The company made an offer")), ("no", _("No offer"))],
    )
    resolved = django_filters.ChoiceFilter(
        label=_("Outcome"), method="filter_resolved", empty_label=_("Any"),
        choices=[("yes", _("Resolved, says the author")), ("no", _("Not resolved, says the author"))],
    )
    amount_min = django_filters.NumberFilter(
        label=_("Amount from"), field_name="amount", lookup_expr="gte", min_value=0, max_digits=12, decimal_places=2,
    )
    amount_max = django_filters.NumberFilter(
        label=_("Amount up to"), field_name="amount", lookup_expr="lte", min_value=0, max_digits=12, decimal_places=2,
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, method="keep", empty_label=None)

    class Meta:
        model = Complaint
        fields = []
        form = ComplaintFilterForm

    def filter_words(self, queryset, name, value):
        value = value.strip()
        return search_filter(queryset, value) if value else queryset

    def filter_company(self, queryset, name, value):
        return queryset.filter(company=self.form.company) if value else queryset

    def filter_published_from(self, queryset, name, value):
        return queryset.filter(published_at__gte=_start_of(value))

    def filter_published_to(self, queryset, name, value):
        if value == datetime.date.max:
            return queryset
        return queryset.filter(published_at__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_has_offer(self, queryset, name, value):
        offered = Exists(Offer.objects.filter(complaint=OuterRef("pk")))
        return queryset.filter(offered if value == "yes" else ~offered)

    # A status is read through the list's status index (paging.OneOf, search.results_page).
    def filter_status(self, queryset, name, value):
        return queryset.filter(OneOf(F("status"), [value]))

    def filter_resolved(self, queryset, name, value):
        status = Complaint.Status.RESOLVED if value == "yes" else Complaint.Status.UNRESOLVED
        return queryset.filter(OneOf(F("status"), [status]))

    def keep(self, queryset, name, value):
        return queryset  # the order is the pager's (core/paging.py)

    def cleaned(self, name: str):
        """A field's valid value, or None (validating the form first)."""
        if not self.is_bound:
            return None
        self.errors  # noqa: B018 (validates the form)
        return self.form.cleaned_data.get(name)

    @property
    def words(self) -> str:
        return (self.cleaned("q") or "").strip()

    @property
    def holds_one_status(self) -> bool:
        return bool(self.cleaned("status") or self.cleaned("resolved"))

    @property
    def chosen_sort(self) -> str:
        """The chosen order; relevance only applies to a search, which it is by default."""
        chosen = self.cleaned("sort")
        if not chosen or (chosen == "relevance" and not self.words):
            return "relevance" if self.words else "newest"
        return chosen


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
