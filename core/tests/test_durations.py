"""One unit for durations: hours under two days, days from then on, in every language."""

import pytest
from django.utils import translation

from core.templatetags.durations import hours_as_duration


@pytest.mark.parametrize("hours,shown", [
    (None, "—"), ("", "—"), (0.2, "less than an hour"), (1, "1 hour"), (1.4, "1 hour"), (5, "5 hours"),
    (47.4, "47 hours"), (48, "2 days"), (216, "9 days"), (216.0, "9 days"), (1000, "42 days"),
])
def test_hours_read_as_hours_then_days(hours, shown):
    with translation.override("en"):
        assert hours_as_duration(hours) == shown


@pytest.mark.parametrize("language,hours,shown", [
    ("ru", 1, "1 час"), ("ru", 5, "5 часов"), ("ru", 22, "22 часа"), ("ru", 216, "9 дней"), ("ru", 504, "21 день"),
    ("de", 1, "1 Stunde"), ("de", 216, "9 Tage"), ("sv", 1, "1 timme"), ("sv", 216, "9 dagar"),
])
def test_each_language_has_its_plural(language, hours, shown):
    with translation.override(language):
        assert hours_as_duration(hours) == shown
