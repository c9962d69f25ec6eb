"""The api app: its webhook receivers connect at start-up."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Open data, the public API, the API for companies and their webhooks."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("Open data and API")

    def ready(self):
        from api import webhooks  # noqa: F401 (connects the receiver of company events)
