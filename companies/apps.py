"""The companies app: a confirmed e-mail address approves the representation claims waiting for it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from companies.services import approve_claims_for_confirmed_address

        email_confirmed.connect(approve_claims_for_confirmed_address, dispatch_uid="companies_claims_on_confirm")
