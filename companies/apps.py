from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self):
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(_approve_claims_for_confirmed_address, dispatch_uid="companies_claims_on_confirm")


def _approve_claims_for_confirmed_address(sender, request, email_address, **kwargs):
    # allauth tells us an address was confirmed; a claim waiting for it is approved.
    from companies.services import claims_confirm_email

    claims_confirm_email(user=email_address.user, email=email_address.email)
