"""The complaints app's forms: filing, the thread's messages and offers, evaluation, comments, moderation."""

import datetime
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from companies.forms import OfferRules
from companies.models import Company, CompanyProfile, http_url_validator
from companies.text import domain_of
from complaints.evidence import inspect_upload
from complaints.models import (
    CURRENCIES,
    Attachment,
    Complaint,
    Delivery,
    Evaluation,
    Flag,
    Incident,
    Message,
    ModerationAction,
    Offer,
    Topic,
)
from complaints.services.lifecycle import COMPLAINT_FIELDS, new_personal_data, title_personal_data_message
from core.abuse import HumanCheckMixin
from core.forms import SubmissionTokenField, TokenMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def checked_uploads(files: list, limit: int) -> list:
    """Each upload checked as evidence (complaints/evidence.py), at most `limit` of them; every refusal is
    reported at once, so a person fixes all their files in one go."""
    if len(files) > limit:
        raise ValidationError(_("Choose at most %(n)s files.") % {"n": limit})
    errors, checked = [], []
    for upload in files:
        try:
            checked.append(inspect_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


class ComplaintForm(HumanCheckMixin, forms.ModelForm):
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
    submission_token = SubmissionTokenField()
    reachable_days = forms.TypedMultipleChoiceField(
        label=_("Days you can be reached"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(str(n), day) for n, day in enumerate(
            [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
        )],
    )

    class Meta:
        model = Complaint
        fields = COMPLAINT_FIELDS
        widgets = {
            "story": forms.Textarea(attrs={"rows": 12}),
            "happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "reachable_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "reachable_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "title": _("One line that says what went wrong."),
            "story": _("What happened, in order, with dates. Do not include phone numbers, "
                       "e-mail addresses or account numbers here: use the private fields below."),
            "display_name": _("Shown with the complaint. Leave empty, or tick the box, to appear as “Anonymous”."),
            "account_number": _("Private: only you, the company's representatives and the moderators see it."),
            "phone": _("Private: only you, the company's representatives and the moderators see it."),
            "reachable_times": _("Private: anything else about reaching you, e.g. “not during lunch”."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = None
        self.new_company = None
        self.suggested_company = None
        self.evidence_files = []
        self.fields["title"].widget.attrs["maxlength"] = 150
        # Suggestions from the listed companies, without JavaScript.
        self.fields["company_name"].widget.attrs.update({"list": "company-names", "autocomplete": "off"})
        self.fields["language"].initial = (get_language() or "en").split("-")[0]
        # The names are translated, so they are sorted as the reader sees them.
        blank, *languages = self.fields["language"].choices
        self.fields["language"].choices = [blank, *sorted(languages, key=lambda choice: str(choice[1]).casefold())]
        if self.instance.pk:
            self.fields["company_name"].initial = self.instance.company.name
            self.fields["company_website"].initial = (
                "" if self.instance.company.is_listed else self.instance.company.website
            )
            self.fields["remove_evidence"].queryset = self.instance.attachments.filter(message=None)
            self.initial["reachable_days"] = list(self.instance.reachable_days)
        else:
            self.fields["submission_token"].initial = uuid.uuid4()
            del self.fields["remove_evidence"]

    def clean_happened_on(self):
        day = self.cleaned_data.get("happened_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("This date is in the future."))
        return day

    def clean_reachable_days(self):
        return "".join(sorted(set(self.cleaned_data["reachable_days"])))

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
        self.evidence_files = checked_uploads(files, settings.EVIDENCE_MAX_FILES)
        return files

    def clean(self):
        cleaned = super().clean()
        amount, currency = cleaned.get("amount"), cleaned.get("currency")
        if amount is not None and not currency:
            self.add_error("currency", _("Choose the currency of the amount."))
        if currency and amount is None and "amount" not in self.errors:
            # A currency alone would be dropped without a word.
            self.add_error("amount", _("Give the amount, or leave the currency empty."))
        if cleaned.get("is_anonymous") and cleaned.get("display_name"):
            self.add_error("display_name", _("You asked to appear as “Anonymous”: clear the name, or untick the box."))
        start, end = cleaned.get("reachable_from"), cleaned.get("reachable_until")
        if (start is None) != (end is None):
            self.add_error("reachable_until" if end is None else "reachable_from", _("Give both times, or neither."))
        elif start and end and start >= end:
            self.add_error("reachable_until", _("This must be later than the start time."))
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
        kept = self.instance.attachments.filter(message=None).exclude(pk__in=[a.pk for a in cleaned.get("remove_evidence") or []]).count()
        if kept + len(self.evidence_files) > settings.EVIDENCE_MAX_FILES:
            self.add_error(
                "evidence",
                _("A complaint can have at most %(n)s evidence files; remove some first.")
                % {"n": settings.EVIDENCE_MAX_FILES},
            )

    def complaint_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in COMPLAINT_FIELDS}


class SendAnywayMixin(forms.Form):
    """Public words that seem to hold personal data come back with a warning at the text and this box;
    ticked, they are sent and wait for a moderator (services.lifecycle.hold_for_personal_data)."""

    send_anyway = forms.BooleanField(
        label=_("Send anyway: a moderator checks it before others can read it"), required=False,
    )
    text_field = "body"

    def warn_personal_data(self, error) -> None:
        self.add_error(self.text_field, str(error))
        self.personal_data_warned = True

    @property
    def asks_send_anyway(self) -> bool:
        return getattr(self, "personal_data_warned", False) or bool(self["send_anyway"].value())


class MessageFilesMixin(forms.Form):
    """Up to MESSAGE_MAX_FILES files on a message, each checked like evidence (complaints/evidence.py)."""

    files = MultipleFileField(
        label=_("Attach files (optional)"), required=False,
        help_text=_("Up to 3 photos (JPEG, PNG, WebP) or PDFs, 10 MB each. A private message's files are private too."),
        widget=MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"}),
    )
    checked_files = ()

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        self.checked_files = checked_uploads(files, settings.MESSAGE_MAX_FILES)
        return files


class AuthorReplyForm(MessageFilesMixin, SendAnywayMixin, TokenMixin):
    id_format = "id_reply_%s"
    body = forms.CharField(label=_("Your reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    is_private = forms.BooleanField(
        label=_("Private: only the company and the moderators see it"), required=False,
    )


class CompanyMessageForm(MessageFilesMixin, OfferRules, SendAnywayMixin, TokenMixin):
    id_format = "id_company_%s"
    OFFER_FIELDS = ["offer_kind", "offer_amount", "offer_currency", "offer_days", "offer_description", "offer_expires_on"]
    kind = forms.ChoiceField(
        label=_("Kind of message"), choices=[(k, Message.Kind(k).label) for k in Message.COMPANY_KINDS],
    )
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    is_private = forms.BooleanField(
        label=_("Private message: only the author and the moderators see it (for account details)"), required=False,
    )
    callback_at = forms.DateTimeField(
        label=_("Propose a call-back time"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Optional; it must fall inside the times the author gave."),
    )
    offer_kind = forms.ChoiceField(label=_("What is offered"), choices=[("", "—"), *Offer.Kind.choices], required=False)
    offer_amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0, required=False)
    offer_currency = forms.ChoiceField(label=_("Currency"), choices=[("", "—"), *CURRENCIES], required=False)
    offer_days = forms.IntegerField(label=_("Number of days"), min_value=1, max_value=3650, required=False)
    offer_description = forms.CharField(label=_("Short description of the offer"), max_length=300, required=False)
    offer_expires_on = forms.DateField(
        label=_("Offer valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != Message.Kind.OFFER:
            if "kind" in cleaned:
                # Nothing typed is dropped without a word: offer details go with an offer only.
                for name in self.OFFER_FIELDS:
                    if self._filled(name):
                        self.add_error(name, _("This is for an offer only: choose the kind “Offer”, or clear it."))
            return cleaned
        if cleaned.get("is_private"):
            self.add_error("is_private", _("Offers are made in public."))
        kind = cleaned.get("offer_kind")
        if not kind:
            self.add_error("offer_kind", _("Say what is offered."))
        self.check_offer_fields(kind)
        expires = cleaned.get("offer_expires_on")
        if expires is None and "offer_expires_on" not in self.errors:
            self.add_error("offer_expires_on", _("Give the date until which the offer is valid."))
        elif expires is not None and expires < timezone.localdate():
            self.add_error("offer_expires_on", _("This date has passed."))
        return cleaned

    def offer_details(self) -> dict | None:
        data = self.cleaned_data
        if data["kind"] != Message.Kind.OFFER:
            return None
        kind = data["offer_kind"]
        return {
            "kind": kind,
            "amount": data.get("offer_amount") if kind in (Offer.Kind.REFUND, Offer.Kind.CREDIT, Offer.Kind.OTHER) else None,
            "currency": data.get("offer_currency") or "" if data.get("offer_amount") is not None else "",
            "days": data.get("offer_days") if kind == Offer.Kind.FREE_DAYS else None,
            "description": data["offer_description"],
            "expires_on": data["offer_expires_on"],
        }


class OfferReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class EvaluationForm(forms.ModelForm):
    # Each star's own label, read by screen readers: the inputs are drawn as stars (includes/_star_field.html).
    RATING_CHOICES = [(n, ngettext_lazy("%(count)d star", "%(count)d stars", n) % {"count": n}) for n in range(1, 6)]
    resolved = forms.TypedChoiceField(
        label=_("Was your complaint resolved?"), choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )
    would_return = forms.TypedChoiceField(
        label=_("Would you do business with the company again?"), choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Your rating, 1 to 5 stars"), choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect,
    )
    submission_token = SubmissionTokenField()

    class Meta:
        model = Evaluation
        fields = ["resolved", "rating", "would_return", *Evaluation.FACTORS, "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Evaluation.FACTORS:
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label, choices=[("", _("No answer")), *self.RATING_CHOICES],
                coerce=int, empty_value=None, required=False, widget=forms.RadioSelect,
            )
        if not self.is_bound:
            self.fields["submission_token"].initial = uuid.uuid4()
        if self.instance.pk:
            self.initial["resolved"] = "yes" if self.instance.resolved else "no"
            self.initial["would_return"] = "yes" if self.instance.would_return else "no"

    def evaluation_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommentForm(HumanCheckMixin, SendAnywayMixin, TokenMixin):
    id_format = "id_comment_%s"
    body = forms.CharField(label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why are you withdrawing it? (optional, shown publicly)"), max_length=300,
                             required=False)


class ModerationForm(forms.Form):
    """A moderator's decision: a reason from the list, plus free text."""

    reason = forms.ChoiceField(label=_("Reason"), choices=ModerationAction.ReasonCode.choices)
    note = forms.CharField(label=_("Note (told to the author where they are told)"), max_length=500, required=False)


class RedactForm(ModerationForm):
    field = forms.ChoiceField(label=_("Text"), choices=[("title", _("Title")), ("story", _("Story")),
                                                         ("body", _("Message"))])
    selection = forms.CharField(
        label=_("Exact text to remove"), max_length=2000, strip=False,
        help_text=_("Copy the part to remove exactly as it appears; it is replaced with “[removed: personal data]”."),
    )


class CompanyChoiceForm(ModerationForm):
    company_name = forms.CharField(label=_("Company (name or alias)"), max_length=200)

    def clean_company_name(self):
        company = Company.objects.listed().matching_name(self.cleaned_data["company_name"]).first()
        if company is None:
            raise ValidationError(_("No listed company has this name."))
        self.company = company
        return self.cleaned_data["company_name"]


class CompanyEditForm(forms.Form):
    """A moderator corrects a company's details; a proposed company counts as checked then."""

    name = forms.CharField(label=_("Name"), max_length=200)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, validators=[http_url_validator])
    aliases = forms.CharField(label=_("Other names, one per line"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note for the moderators"), max_length=500, required=False)


class CompanyContactForm(forms.Form):
    """A moderator records a company's public complaint address (empty: none)."""

    email = forms.EmailField(label=_("Public complaint address"), max_length=254, required=False,
                             help_text=_("Its support or complaints e-mail, as the company publishes it. While "
                                         "nobody represents the company here, each new complaint is mailed there."))
    note = forms.CharField(label=_("Note for the moderators"), max_length=500, required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Flag.Reason.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Details (needed for “Other”)"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("text", "").strip():
            self.add_error("text", _("Say what is wrong."))
        return cleaned


class EditComplaintForm(SendAnywayMixin):
    text_field = "story"
    title = forms.CharField(label=_("Title"), max_length=150)
    story = forms.CharField(label=_("What happened"), max_length=10000, widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, checks_title: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks_title = checks_title  # a moderator's edit is not checked

    def clean_title(self):
        title = self.cleaned_data["title"]
        if self.checks_title and new_personal_data(title, was=self.initial.get("title", "")):
            raise ValidationError(title_personal_data_message())
        return title


class EditMessageForm(SendAnywayMixin):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))


class DeliveryForm(forms.Form):
    """How a member hears of each topic: e-mail at once, a daily digest, or the site only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for topic in Topic:
            self.fields[topic.value] = forms.ChoiceField(label=topic.label, choices=Delivery.choices,
                                                         widget=forms.RadioSelect)


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time field. A value it cannot hold (sent by a script, not a browser)
    comes back empty, with its error beside it, rather than as invalid HTML."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                datetime.datetime.fromisoformat(value)
            except ValueError:
                return None
            return value
        return super().format_value(value)


class IncidentForm(forms.Form):
    """A representative or moderator opens an incident."""

    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("What happened, in a few words: “Internet down in Vasastan”."))
    affected = forms.CharField(label=_("What is affected"), max_length=300)
    area = forms.CharField(label=_("Where"), max_length=200, required=False)
    started_at = forms.DateTimeField(label=_("Started"), widget=LocalDateTimeInput())
    body = forms.CharField(label=_("First update"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("What you know and what you are doing; everyone affected reads it."))

    def clean_started_at(self):
        started = self.cleaned_data["started_at"]
        if started > timezone.now():
            raise forms.ValidationError(_("An incident cannot start in the future."))
        return started


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Incident.Status.choices)
    body = forms.CharField(label=_("Update"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class IncidentLinkForm(forms.Form):
    """The company or a moderator links a complaint by its number."""

    complaint = forms.IntegerField(label=_("Complaint number"), min_value=1, max_value=2**62)


class GroupOfferForm(CompanyMessageForm):
    """One offer to everyone affected by a resolved incident: the offer fields of a company message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "is_private", "callback_at", "send_anyway", "submission_token", "files"):
            del self.fields[name]
        self.fields["body"].label = _("Message to everyone affected")

    def clean(self):
        self.cleaned_data["kind"] = Message.Kind.OFFER
        return super().clean()


class CompanyProfileForm(forms.ModelForm):
    """What a company's representatives tell the public about it: the logo, a short description,
    hours and support channels. The logo is checked like evidence, and must be an image."""

    logo_upload = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("A JPEG, PNG or WebP image, square if you can. It is shown small, beside your name."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo (the initials are shown instead)"), required=False)
    description = forms.CharField(
        label=_("About the company"), max_length=1000, required=False,
        help_text=_("A few sentences: what the company does, and where it does it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    support_phone = forms.RegexField(
        label=_("Support phone"), max_length=30, required=False, regex=r"^\+?[0-9][0-9 ()./-]{3,28}$",
        error_messages={"invalid": _("Enter a phone number of digits, spaces and ( ) - . /, with + in front if "
                                     "it is international.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    class Meta:
        model = CompanyProfile
        fields = ["support_phone", "support_email", "support_url", "opening_hours", "answering_hours"]
        labels = {
            "opening_hours": _("Opening hours"),
            "answering_hours": _("When you answer complaints here"),
            "support_email": _("Support e-mail"),
            "support_url": _("Support page"),
        }
        help_texts = {
            "opening_hours": _("For example: Mon–Fri 8–18, Sat 10–14."),
            "answering_hours": _("For example: weekdays 9–17; we answer within one working day."),
            "support_url": _("An address that starts with https://"),
        }

    logo_evidence = None  # the checked upload, once valid

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            evidence = inspect_upload(upload)
            if not evidence.content_type.startswith("image/"):
                raise ValidationError(_("A logo must be a JPEG, PNG or WebP image."))
            self.logo_evidence = evidence
        return upload

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ["description", *self.Meta.fields]}
