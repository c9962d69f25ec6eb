"""`{{ change|sentence }}`: a timeline row's sentence in the reader's language (complaints.timeline)."""

from django import template

from complaints import timeline

register = template.Library()
register.filter("sentence", timeline.sentence)
