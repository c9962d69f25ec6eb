"""The forms of a company's API page and webhooks page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.services import TOKEN_LIFETIMES


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, help_text=_("What it is for, such as “help desk”."))
    scope = forms.ChoiceField(label=_("It may"), choices=ApiToken.Scope.choices, widget=forms.RadioSelect,
                              initial=ApiToken.Scope.READ)
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int, initial=90, choices=[
        (days, _("%(days)s days") % {"days": days}) for days in TOKEN_LIFETIMES])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("Address"), max_length=500, assume_scheme="https",
                         help_text=_("An https:// address on the public internet."))
