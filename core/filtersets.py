"""What the portal's filter sets (the directory's and the complaint list's) share."""

import django_filters


class SortableFilterSet(django_filters.FilterSet):
    """A filter set with a "sort" field that orders the rows without narrowing them."""

    # Fields that the "Filters (n)" toggle does not count: the sort, and a search box shown outside the panel.
    uncounted = ("sort",)

    @property
    def narrows(self) -> bool:
        """Whether a valid filter narrows the rows (the sort does not)."""
        if not self.is_bound:
            return False
        self.errors  # noqa: B018 (validates the form)
        return any(value not in (None, "") for name, value in self.form.cleaned_data.items() if name != "sort")

    @property
    def active_count(self) -> int:
        """How many filters the address sets, valid or not, for the "Filters (n)" toggle."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.form.fields if name not in self.uncounted and self.data.get(name, "").strip())
