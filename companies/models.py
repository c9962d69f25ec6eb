"""Industries, companies and their domains and profiles, representatives and their claims, reply templates,
scorecards."""

import os
import re
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import connections, models
from django.db.models import F, FilteredRelation, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from companies.scoring import LABEL_CHOICES
from companies.text import domain_of, normalise_company_name
from core.stemming import Casefold, casefold

# Money and offers, as complaints and offers use them (complaints.models re-uses these), here so that
# a company's reply templates can hold an offer without this app knowing of complaints.
CURRENCIES = [
    ("EUR", "EUR"), ("USD", "USD"), ("RUB", "RUB"), ("SEK", "SEK"), ("GBP", "GBP"),
    ("NOK", "NOK"), ("DKK", "DKK"), ("CHF", "CHF"), ("PLN", "PLN"), ("UAH", "UAH"),
    ("KZT", "KZT"), ("BRL", "BRL"), ("CAD", "CAD"), ("AUD", "AUD"), ("JPY", "JPY"),
]


class OfferKind(models.TextChoices):
    REFUND = "refund", _("Refund")
    CREDIT = "credit", _("Credit on the account")
    FREE_DAYS = "free_days", _("Free days of service")
    REPLACEMENT = "replacement", _("Replacement")
    OTHER = "other", _("Other")


# Company websites come from users: only http and https are allowed.
http_url_validator = URLValidator(schemes=["http", "https"])


# Industries are data an administrator adds, so their translations live in the row:
# one column per interface language besides the default (English, in `name`).
INDUSTRY_LANGUAGES = ("ru", "de", "sv")


def _active_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


class IndustryQuerySet(models.QuerySet):
    def in_display_order(self):
        """Sorted by the name shown in the active language (an untranslated one sorts by `name`)."""
        language = _active_language()
        if language not in INDUSTRY_LANGUAGES:
            return self.order_by("name")
        shown = Coalesce(NullIf(F(f"name_{language}"), Value("")), F("name"))
        return self.alias(shown_name=shown).order_by("shown_name", "name")


class Industry(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_ru = models.CharField(_("name in Russian"), max_length=100, blank=True)
    name_de = models.CharField(_("name in German"), max_length=100, blank=True)
    name_sv = models.CharField(_("name in Swedish"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description in Russian"), blank=True)
    description_de = models.TextField(_("description in German"), blank=True)
    description_sv = models.TextField(_("description in Swedish"), blank=True)

    objects = IndustryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("companies:industry", kwargs={"slug": self.slug})

    def _translated(self, field: str) -> str:
        language = _active_language()
        value = getattr(self, f"{field}_{language}", "") if language in INDUSTRY_LANGUAGES else ""
        return value or getattr(self, field)

    @property
    def display_name(self) -> str:
        """The name in the active language, or the default one when it has no translation."""
        return self._translated("name")

    @property
    def display_description(self) -> str:
        return self._translated("description")


class CompanyQuerySet(models.QuerySet):
    def listed(self):
        """Companies anyone may see: not those proposed with an unpublished complaint."""
        return self.filter(is_listed=True)

    def with_complaint_counts(self):
        """Public complaints per company as the all-time scorecard holds them; it is refreshed
        after every change, and a company without one has none."""
        return self.annotate(
            all_card=FilteredRelation("scorecards", condition=Q(scorecards__window="all")),
            complaint_count=Coalesce(F("all_card__complaints"), 0),
        )

    def with_scorecard(self, window: str = "12m"):
        """Join the stored scorecard of one window as `card` (for sorting and filtering by score)."""
        return self.annotate(
            card=FilteredRelation("scorecards", condition=Q(scorecards__window=window)),
            card_score=F("card__score"), card_label=F("card__label"),
            card_low=F("card__score_low"), card_high=F("card__score_high"),
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        if connections[self.db].vendor == "sqlite":
            # SQLite's LIKE folds ASCII only: compare Unicode-case-folded text ("ростелеком" finds "Ростелеком").
            folded = casefold(text)
            return self.alias(name_folded=Casefold("name"), aliases_folded=Casefold("aliases")).filter(
                Q(name_folded__contains=folded) | Q(aliases_folded__contains=folded)
            )
        return self.filter(Q(name__icontains=text) | Q(aliases__icontains=text))

    def matching_name(self, name: str):
        """Companies whose name, or one of whose aliases, normalises to the same key."""
        key = normalise_company_name(name)
        if not key:
            return self.none()
        return self.filter(Q(name_key=key) | Q(alias_keys__contains=f"\n{key}\n")).order_by("-is_listed", "name")

    def with_domain(self, domain: str):
        return self.filter(domains__domain=domain) if domain else self.none()


class ContactState(models.TextChoices):
    """Whether the company's public complaint address may be mailed."""

    ACTIVE = "active", _("told by e-mail")
    STOPPED = "stopped", _("asked us to stop")
    BOUNCED = "bounced", _("the address refused our e-mail")


def logo_path(company, filename: str) -> str:
    """A new random name for every logo: an old one stays readable for its change log entry."""
    extension = os.path.splitext(filename)[1].lower()
    return f"logos/{uuid.uuid4().hex}{extension}"


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    # Normalised name: one company per key, so "2KOM" and "2kom LLC" are one row.
    name_key = models.CharField(max_length=200, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=True)
    aliases = models.TextField(
        _("other names"), blank=True, help_text=_("Other names the company is known by, one per line.")
    )
    # The aliases' normalised keys, each on its own line between newlines, so
    # an exact alias match is one "contains" lookup.
    alias_keys = models.TextField(blank=True, editable=False)
    website = models.URLField(_("website"), blank=True, validators=[http_url_validator])
    country = CountryField(_("country"), blank=True)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.SET_NULL, related_name="companies"
    )
    description = models.TextField(_("short description"), blank=True, max_length=2000)
    # A company named by a complainant is listed once that complaint is published.
    is_listed = models.BooleanField(_("listed"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # Empty for a company a complainant proposed, until a moderator confirms, edits or merges it;
    # companies added any other way are checked when created.
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True, default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Its public complaint address (a support e-mail), recorded by a moderator: while nobody
    # represents the company here, its new complaints are mailed there (complaints/services/company_contact.py).
    contact_email = models.EmailField(_("public complaint address"), blank=True)
    contact_state = models.CharField(max_length=10, choices=ContactState.choices, blank=True)
    contact_state_at = models.DateTimeField(null=True, blank=True)
    contact_mailed_at = models.DateTimeField(null=True, blank=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["is_listed", "name"]),
            # The directory's country filter lists the countries of listed companies from this index alone.
            models.Index(fields=["country"], condition=Q(is_listed=True), name="company_listed_country"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.fill_keys()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("complaints:company", kwargs={"slug": self.slug})

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def fill_keys(self) -> None:
        """Work out name_key and alias_keys from the name and aliases (bulk_create does not call save())."""
        self.name_key = normalise_company_name(self.name)
        keys = {normalise_company_name(alias) for alias in self.alias_list()} - {""}
        self.alias_keys = "\n" + "\n".join(sorted(keys)) + "\n" if keys else ""

    @property
    def website_domain(self) -> str:
        return domain_of(self.website)

    @property
    def is_unchecked(self) -> bool:
        """Proposed by a complainant and not yet checked by a moderator."""
        return self.checked_at is None

    @property
    def initials(self) -> str:
        """Two letters for the avatar of a company without a logo: "Nordnät Bredband" → "NB", "2KOM" → "2K"."""
        words = [word for word in re.split(r"[\W_]+", self.name) if word]
        letters = words[0][:2] if len(words) == 1 else "".join(word[0] for word in words[:2])
        return (letters or self.name[:1] or "?").upper()

    AVATAR_COLOURS = 8  # .avatar-0 to .avatar-7 in the stylesheet

    @property
    def avatar_colour(self) -> int:
        """One of the avatar colours for a company without a logo, from its slug: the same on every page."""
        return sum(self.slug.encode()) % self.AVATAR_COLOURS



class CompanyProfile(models.Model):
    """What a company's representatives tell the public besides its description (which is the
    company's own column): a logo, hours and support channels. Its own table, so that adding to it
    never rebuilds the companies table (SQLite rebuilds a table to add a column with a default).
    complaints/services/company_profile.py logs each change."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    logo = models.FileField(_("logo"), upload_to=logo_path, max_length=200, blank=True)
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    answering_hours = models.CharField(_("when we answer complaints"), max_length=200, blank=True)
    support_phone = models.CharField(_("support phone"), max_length=30, blank=True)
    support_email = models.EmailField(_("support e-mail"), blank=True)
    support_url = models.URLField(_("support page"), blank=True, validators=[http_url_validator])

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profiles")

    def __str__(self):
        return f"profile of {self.company_id}"

    @property
    def logo_url(self) -> str:
        """The logo's address; a new logo gets a new one, so browsers may keep each for a day."""
        if not self.logo:
            return ""
        version = os.path.splitext(os.path.basename(self.logo.name))[0][:12]
        return reverse("complaints:company_logo", kwargs={"slug": self.company.slug}) + f"?v={version}"

    @property
    def support_phone_uri(self) -> str:
        """The support phone as a tel: address (digits and a leading +)."""
        digits = re.sub(r"[^\d+]", "", self.support_phone)
        return f"tel:{digits}" if digits else ""

    @property
    def has_contact_details(self) -> bool:
        return bool(self.opening_hours or self.answering_hours or self.support_phone or self.support_email
                    or self.support_url)


class ProfileChange(models.Model):
    """One change to a company's public profile: who made it, what it was before, and whether a
    moderator put it back."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="profile_changes")
    field = models.CharField(_("field"), max_length=30)
    old_value = models.TextField(_("before"), blank=True)
    new_value = models.TextField(_("after"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    # Made by a moderator putting an earlier change back: shown as "a moderator", never by name.
    is_revert = models.BooleanField(default=False)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")

    def __str__(self):
        return f"{self.company_id}.{self.field} at {self.changed_at:%Y-%m-%d %H:%M}"


class CompanyDomain(models.Model):
    """A web domain the company uses; one domain belongs to one company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("web domain")
        verbose_name_plural = _("web domains")

    def __str__(self):
        return self.domain


class RepresentativeQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()


class Representative(models.Model):
    """A person who speaks for a company on the portal."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Representative")

    class Verification(models.TextChoices):
        DOMAIN = "domain", _("Confirmed a work e-mail address at the company's domain")
        MODERATOR = "moderator", _("Checked by a moderator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="representatives")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    verified_by = models.CharField(_("verified by"), max_length=10, choices=Verification.choices)
    work_email = models.EmailField(_("work e-mail"), blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        ordering = ["company", "created_at"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_representation_per_company")]

    def __str__(self):
        return f"{self.user} @ {self.company}"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class RepresentationClaim(models.Model):
    """A member's request to represent a company, decided by e-mail domain or by a moderator."""

    class Status(models.TextChoices):
        AWAITING_EMAIL = "awaiting_email", _("Waiting for the work e-mail to be confirmed")
        PENDING = "pending", _("Waiting for a moderator")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.AWAITING_EMAIL, Status.PENDING)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representation_claims")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="representation_claims")
    work_email = models.EmailField(_("work e-mail"), blank=True)
    job_title = models.CharField(_("your role at the company"), max_length=100)
    evidence = models.TextField(
        _("how we can check"), max_length=2000, blank=True,
        help_text=_("Anything that shows you work there: a link to a staff page, your work phone, who can confirm."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("representation request")
        verbose_name_plural = _("representation requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "company"], condition=Q(status__in=["awaiting_email", "pending"]),
                name="one_open_claim_per_company",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.company} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReplyTemplate(models.Model):
    """A reusable answer a company's representatives start from."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reply_templates")
    title = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"), max_length=5000)
    # An offer the template fills in as well (the answer form's kind becomes "Offer"); the representative
    # sets its validity date each time. Blank: a template for words only.
    offer_kind = models.CharField(_("offer"), max_length=20, choices=OfferKind.choices, blank=True)
    offer_amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    offer_currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, blank=True)
    offer_days = models.PositiveIntegerField(_("number of days"), null=True, blank=True)
    offer_description = models.CharField(_("short description of the offer"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [models.UniqueConstraint(fields=["company", "title"], name="unique_template_title")]

    def __str__(self):
        return self.title


class Scorecard(models.Model):
    """A company's stored figures for one window, refreshed when its complaints change.

    Counts are kept raw, so that they can be checked against a full recompute;
    the score is derived from them and the portal-wide priors.
    """

    class Window(models.TextChoices):
        LAST_12_MONTHS = "12m", _("Last 12 months")
        LAST_6_MONTHS = "6m", _("Last 6 months")
        ALL_TIME = "all", _("All time")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="scorecards")
    window = models.CharField(max_length=3, choices=Window.choices)
    computed_at = models.DateTimeField(default=timezone.now)

    complaints = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_in_7_days = models.PositiveIntegerField(default=0)
    median_answer_hours = models.FloatField(null=True, blank=True)
    evaluated = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    would_return = models.PositiveIntegerField(default=0)
    ratings_sum = models.PositiveIntegerField(default=0)
    ratings_sq_sum = models.PositiveIntegerField(default=0)
    # Service factors: {"waiting_time": [sum, n], ...}
    factors = models.JSONField(default=dict)
    offers_made = models.PositiveIntegerField(default=0)
    offers_accepted = models.PositiveIntegerField(default=0)
    offers_delivered = models.PositiveIntegerField(default=0)
    # What was credited in accepted offers: {"RUB": "1500.00", ...} and free days.
    credited = models.JSONField(default=dict)
    free_days = models.PositiveIntegerField(default=0)
    me_too = models.PositiveIntegerField(default=0)
    # Per month, oldest first: [{"month": "2026-11", "complaints": n, "answered": n}, ...]
    monthly = models.JSONField(default=list)
    # The last of those months again, in columns the home page can sort and index (12-month window only).
    month = models.CharField(max_length=7, blank=True)
    month_complaints = models.PositiveIntegerField(default=0)
    month_answered = models.PositiveIntegerField(default=0)

    score = models.FloatField(null=True, blank=True, db_index=True)
    score_low = models.FloatField(null=True, blank=True)
    score_high = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=20, blank=True, db_index=True, choices=LABEL_CHOICES)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["company", "window"], name="one_scorecard_per_window")]
        indexes = [
            models.Index(fields=["window", "-score"], name="scorecard_ranking"),
            models.Index(fields=["window", "month", "-month_complaints"], name="scorecard_this_month"),
        ]

    def __str__(self):
        return f"{self.company} ({self.window})"

    @property
    def has_score(self) -> bool:
        return self.score is not None

    def rate(self, part: str, whole: str) -> float | None:
        total = getattr(self, whole)
        return getattr(self, part) / total if total else None

    @property
    def answered_share(self):
        return self.rate("answered", "complaints")

    @property
    def answered_in_7_days_share(self):
        return self.rate("answered_in_7_days", "complaints")

    @property
    def resolved_share(self):
        return self.rate("resolved", "evaluated")

    @property
    def would_return_share(self):
        return self.rate("would_return", "evaluated")

    @property
    def average_rating(self):
        return self.ratings_sum / self.evaluated if self.evaluated else None

    def factor_averages(self) -> dict[str, tuple[float, int]]:
        return {name: (total / n, n) for name, (total, n) in self.factors.items() if n}


class CompanySlugRedirect(models.Model):
    """An old company address that points at the company it was merged into."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self):
        return f"{self.old_slug} → {self.company_id}"


class PendingScorecardRefresh(models.Model):
    """A refresh of the company's scorecard waits in the task queue. While it waits, further changes
    to the company join it instead of queueing their own (complaints.services.scorecards.request_refresh)."""

    company = models.OneToOneField(Company, primary_key=True, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"scorecard refresh of company {self.company_id}"
