"""`{{ change|field_label }}`: the name of the profile field a logged change is about, in the reader's language."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from companies.models import Company

register = template.Library()


@register.filter
def field_label(change) -> str:
    try:
        return capfirst(Company._meta.get_field(change.field).verbose_name)
    except FieldDoesNotExist:  # a field since removed: its name is still better than nothing
        return change.field
