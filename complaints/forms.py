import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies.models import Company, http_url_validator
from companies.text import domain_of
from complaints.evidence import inspect_upload
from complaints.models import Attachment, Complaint
from complaints.services import COMPLAINT_FIELDS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.ModelForm):
    """The complaint, the company it is about, and its evidence.

    The company is named in a text field: a name (or alias) that matches a
    listed company chooses it; an unknown name proposes a new company, which
    needs a website, and a website already used by a known company offers
    that company instead of a duplicate.
    """

    company_name = forms.CharField(label=_("Company"), max_length=200)
    company_website = forms.CharField(
        label=_("Company website"), max_length=200, required=False,
        help_text=_("Needed only for a company that is not listed yet, e.g. https://example.com"),
    )
    evidence = MultipleFileField(
        label=_("Evidence"), required=False,
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"}),
        help_text=_("Photos, screenshots or documents: up to 5 files, JPEG, PNG, WebP or PDF, at most 10 MB each."),
    )
    remove_evidence = forms.ModelMultipleChoiceField(
        label=_("Remove these files"), queryset=Attachment.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Complaint
        fields = COMPLAINT_FIELDS
        widgets = {
            "story": forms.Textarea(attrs={"rows": 12}),
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        help_texts = {
            "title": _("One line that says what went wrong."),
            "story": _("What happened, in order, with dates. Do not include phone numbers, "
                       "e-mail addresses or account numbers here: use the private fields below."),
            "display_name": _("Shown with the complaint. Leave empty, or tick the box, to appear as “Anonymous”."),
            "account_number": _("Private: only you and the moderators see it."),
            "phone": _("Private: only you and the moderators see it."),
            "reachable_times": _("Private, e.g. “weekdays 9–12”, so a call-back finds you."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = None
        self.new_company = None
        self.suggested_company = None
        self.evidence_files = []
        self.fields["title"].widget.attrs["maxlength"] = 150
        self.fields["language"].initial = (get_language() or "en").split("-")[0]
        if self.instance.pk:
            self.fields["company_name"].initial = self.instance.company.name
            self.fields["company_website"].initial = (
                "" if self.instance.company.is_listed else self.instance.company.website
            )
            self.fields["remove_evidence"].queryset = self.instance.attachments.all()
        else:
            self.fields["submission_token"].initial = uuid.uuid4()
            del self.fields["remove_evidence"]

    def clean_happened_on(self):
        day = self.cleaned_data.get("happened_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return day

    def clean_company_website(self):
        url = self.cleaned_data["company_website"].strip()
        if not url:
            return ""
        if "://" not in url:
            url = "https://" + url
        try:
            http_url_validator(url)
        except ValidationError:
            raise ValidationError(_("Enter a web address starting with http:// or https://.")) from None
        return url

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(_("Choose at most %(n)s files.") % {"n": settings.EVIDENCE_MAX_FILES})
        errors, checked = [], []
        for upload in files:
            try:
                checked.append(inspect_upload(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        self.evidence_files = checked
        return files

    def clean(self):
        cleaned = super().clean()
        amount, currency = cleaned.get("amount"), cleaned.get("currency")
        if amount is not None and not currency:
            self.add_error("currency", _("Choose the currency of the amount."))
        if currency and amount is None and "amount" not in self.errors:
            cleaned["currency"] = ""
        self._clean_company(cleaned)
        self._clean_evidence_count(cleaned)
        return cleaned

    def _clean_company(self, cleaned):
        name = " ".join(cleaned.get("company_name", "").split())
        if not name:
            return
        # A known name chooses that company, even one proposed by someone
        # else whose complaint is not published yet: one company, one row.
        match = Company.objects.matching_name(name).first()
        if match is not None:
            self.company = match
            return
        website = cleaned.get("company_website", "")
        if not website:
            if "company_website" not in self.errors:
                self.add_error(
                    "company_website",
                    _("“%(name)s” is not listed yet. Add its website so that it can be told apart from others.")
                    % {"name": name},
                )
            return
        same_domain = Company.objects.listed().with_domain(domain_of(website)).first()
        if same_domain is not None:
            self.suggested_company = same_domain
            self.add_error(
                "company_name",
                _("“%(existing)s” already uses %(domain)s. If you mean that company, type “%(existing)s” as its name.")
                % {"existing": same_domain.name, "domain": domain_of(website)},
            )
            return
        self.new_company = {"name": name, "website": website}

    def _clean_evidence_count(self, cleaned):
        if not self.instance.pk:
            return
        kept = self.instance.attachments.exclude(pk__in=[a.pk for a in cleaned.get("remove_evidence") or []]).count()
        if kept + len(self.evidence_files) > settings.EVIDENCE_MAX_FILES:
            self.add_error(
                "evidence",
                _("A complaint can have at most %(n)s evidence files; remove some first.")
                % {"n": settings.EVIDENCE_MAX_FILES},
            )

    def complaint_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in COMPLAINT_FIELDS}
