"""`{{ hours|hours_as_duration }}`: one way to say how long something took, everywhere ("5 hours", "9 days")."""

from django import template
from django.utils.translation import gettext, ngettext

register = template.Library()

# Up to two days a time reads best in hours; beyond, in days.
HOURS_SHOWN_UP_TO = 48


@register.filter
def hours_as_duration(hours) -> str:
    """A number of hours in words, rounded: hours under two days, days from then on; "—" when unknown."""
    if hours is None or hours == "":
        return "—"
    hours = float(hours)
    if hours < 1:
        return gettext("less than an hour")
    if hours < HOURS_SHOWN_UP_TO:
        count = round(hours)
        return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}
    count = round(hours / 24)
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}
