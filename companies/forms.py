"""Forms of the representation request, a moderator's decision on it, and reply templates."""

from allauth.account.models import EmailAddress
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from companies.models import ReplyTemplate, RepresentationClaim


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


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
