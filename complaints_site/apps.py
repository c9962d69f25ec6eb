"""The site app: its deploy checks register at start-up."""

from django.apps import AppConfig
from django.db.models import fields
from django.utils.translation import gettext_lazy as _


class ComplaintsSiteConfig(AppConfig):
    name = "complaints_site"

    def ready(self):
        from complaints_site import checks  # noqa: F401  (registers the deploy checks)

        # Django's blank choice ("- Select an option -") has no Russian, German or Swedish in
        # Django's own catalogues yet; marked here, it is translated in ours.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
