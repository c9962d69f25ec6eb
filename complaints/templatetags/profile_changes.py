"""`{{ change|field_label }}`: the name of the profile field a logged change is about, in the reader's language."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from companies.models import Company, CompanyProfile

register = template.Library()


@register.filter
def field_label(change) -> str:
    # The description is the company's own column; the logo, channels and hours are its profile's.
    for model in (CompanyProfile, Company):
        try:
            return capfirst(model._meta.get_field(change.field).verbose_name)
        except FieldDoesNotExist:
            continue
    return change.field  # a field since removed: its name is still better than nothing
