"""Forms of the representation request, a moderator's decision on it, and reply templates."""

from allauth.account.models import EmailAddress
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from companies.models import CURRENCIES, OfferKind, ReplyTemplate, RepresentationClaim


class ClaimForm(forms.ModelForm):
    class Meta:
        model = RepresentationClaim
        fields = ["work_email", "job_title", "evidence"]
        help_texts = {
            "work_email": _(
                "An address at the company's own domain makes you a representative as soon as you confirm it. "
                "Without one, a moderator checks your request."
            ),
        }
        widgets = {"evidence": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_work_email(self):
        email = self.cleaned_data["work_email"].strip().lower()
        # Only a confirmed address is someone's: an unconfirmed one (a claim, a sign-up) blocks nobody.
        if email and EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user=self.user).exists():
            raise ValidationError(_("This address belongs to another account."))
        return email


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason (the person is told)"), max_length=500, required=False)


class OfferRules(forms.Form):
    """The rules of an offer's fields (offer_kind, offer_amount, offer_currency, offer_days,
    offer_description), shared by the company's answer form and its reply templates: each field
    that does not apply to the kind is an error at that field, never silently dropped."""

    # The offers that have an amount (only free days have a number of days).
    AMOUNT_KINDS = (OfferKind.REFUND, OfferKind.CREDIT, OfferKind.OTHER)

    def _filled(self, name) -> bool:
        """Whether the field holds a value (one that could not be read already has its own error)."""
        return name not in self.errors and self.cleaned_data.get(name) not in (None, "")

    def check_offer_fields(self, kind: str) -> None:
        cleaned = self.cleaned_data
        if kind and kind not in self.AMOUNT_KINDS:
            for name in ("offer_amount", "offer_currency"):
                if self._filled(name):
                    self.add_error(name, _("This offer has no amount: clear this field, or choose another kind of offer."))
        if kind and kind != OfferKind.FREE_DAYS and self._filled("offer_days"):
            self.add_error("offer_days", _("Days go with free days of service only: clear this field."))
        if kind == OfferKind.OTHER and self._filled("offer_currency") and cleaned.get("offer_amount") is None \
                and "offer_amount" not in self.errors:
            self.add_error("offer_amount", _("Give the amount, or clear the currency."))
        if kind in (OfferKind.REFUND, OfferKind.CREDIT):
            if cleaned.get("offer_amount") is None and "offer_amount" not in self.errors:
                self.add_error("offer_amount", _("Give the amount."))
            if not cleaned.get("offer_currency"):
                self.add_error("offer_currency", _("Choose the currency."))
        if kind == OfferKind.OTHER and cleaned.get("offer_amount") is not None and not cleaned.get("offer_currency"):
            self.add_error("offer_currency", _("Choose the currency."))
        if kind == OfferKind.FREE_DAYS and not cleaned.get("offer_days") and "offer_days" not in self.errors:
            self.add_error("offer_days", _("Give the number of days."))
        if not cleaned.get("offer_description"):
            self.add_error("offer_description", _("Describe the offer in a few words."))


class ReplyTemplateForm(OfferRules, forms.ModelForm):
    """A reply template: its words, and perhaps an offer it fills in (checked by the answer form's rules)."""

    OFFER_FIELDS = ["offer_kind", "offer_amount", "offer_currency", "offer_days", "offer_description"]

    class Meta:
        model = ReplyTemplate
        fields = ["title", "body", "offer_kind", "offer_amount", "offer_currency", "offer_days", "offer_description"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        labels = {"offer_kind": _("What is offered")}  # the fieldset's legend says it is optional
        help_texts = {"offer_kind": _("The answer form then starts as an offer; you set its validity date each time.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_kind"].choices = [("", _("No offer, words only")), *OfferKind.choices]
        self.fields["offer_currency"].choices = [("", "—"), *CURRENCIES]  # as in the answer form
        self.fields["offer_amount"].min_value = 0
        self.fields["offer_amount"].validators.append(MinValueValidator(0))
        self.fields["offer_days"].validators.append(MaxValueValidator(3650))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("offer_kind")
        if not kind:
            for name in self.OFFER_FIELDS[1:]:
                if self._filled(name):
                    self.add_error(name, _("This goes with an offer only: choose what is offered, or clear it."))
            return cleaned
        self.check_offer_fields(kind)
        return cleaned

    def template_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
