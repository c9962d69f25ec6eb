"""What the portal's filter sets (the directory's and the complaint list's) share."""

import django_filters


class SortableFilterSet(django_filters.FilterSet):
    """A filter set with a "sort" field that orders the rows without narrowing them."""

    @property
    def narrows(self) -> bool:
        """Whether a valid filter narrows the rows (the sort does not)."""
        if not self.is_bound:
            return False
        self.errors  # noqa: B018 (validates the form)
        return any(value not in (None, "") for name, value in self.form.cleaned_data.items() if name != "sort")
