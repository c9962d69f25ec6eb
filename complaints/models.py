import uuid

from django.conf import settings
from django.conf.global_settings import LANGUAGES as ALL_LANGUAGES
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from companies.models import Company

CURRENCIES = [
    ("EUR", "EUR"), ("USD", "USD"), ("RUB", "RUB"), ("SEK", "SEK"), ("GBP", "GBP"),
    ("NOK", "NOK"), ("DKK", "DKK"), ("CHF", "CHF"), ("PLN", "PLN"), ("UAH", "UAH"),
    ("KZT", "KZT"), ("BRL", "BRL"), ("CAD", "CAD"), ("AUD", "AUD"), ("JPY", "JPY"),
]


class ComplaintQuerySet(models.QuerySet):
    def public(self):
        """Complaints anyone may see. Every public page starts here."""
        return self.filter(status__in=Complaint.PUBLIC_STATUSES)

    def by_author(self, user):
        return self.filter(author=user)

    def for_company(self, company):
        return self.filter(company=company)

    def with_list_related(self):
        return self.select_related("company")

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class Complaint(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        ANSWERED = "answered", _("Answered")
        RESOLVED = "resolved", _("Resolved")
        UNRESOLVED = "unresolved", _("Unresolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        HIDDEN = "hidden", _("Hidden")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        REFUND = "refund", _("Refund")
        REPAIR = "repair", _("Repair or replacement")
        APOLOGY = "apology", _("Apology")
        EXPLANATION = "explanation", _("Explanation")
        COMPENSATION = "compensation", _("Compensation")
        CANCEL = "cancel", _("Cancel the contract")
        OTHER = "other", _("Other")

    PUBLIC_STATUSES = (
        Status.PUBLISHED, Status.ANSWERED, Status.RESOLVED, Status.UNRESOLVED, Status.CLOSED,
    )

    # The one table of allowed status changes. Later issues add the company's
    # answer, evaluation, moderation and withdrawal transitions here.
    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING},
        Status.PENDING: {Status.PUBLISHED, Status.REJECTED},
    }

    company = models.ForeignKey(Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="complaints")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    title = models.CharField(_("title"), max_length=150)
    story = models.TextField(_("what happened"), max_length=10000)
    desired_outcome = models.CharField(_("what you want"), max_length=20, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount in dispute"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, blank=True)
    happened_on = models.DateField(_("when it happened"), null=True, blank=True)
    language = models.CharField(_("language of the complaint"), max_length=10, choices=ALL_LANGUAGES)
    display_name = models.CharField(_("name shown"), max_length=60, blank=True)
    is_anonymous = models.BooleanField(_("post anonymously"), default=False)

    # Private: shown only to the author and moderators (and, later, the company).
    account_number = models.CharField(_("account or contract number"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reachable_times = models.CharField(_("when you can be reached"), max_length=200, blank=True)

    # A random token from the form: a resubmitted form finds its complaint
    # instead of creating a second one.
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="complaint_unique_submission"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="complaint_public_list"),
            models.Index(fields=["company", "status", "-published_at"], name="complaint_company_list"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("complaints:detail", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title, allow_unicode=True)[:60].strip("-") or "complaint"

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def can_move_to(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def is_visible_to(self, user) -> bool:
        return self.is_public or self.can_see_private_fields(user)

    def can_see_private_fields(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return user.pk == self.author_id or is_moderator(user)

    def can_be_edited_by(self, user) -> bool:
        return self.is_draft and user.is_authenticated and user.pk == self.author_id

    @property
    def shown_author(self) -> str:
        if self.is_anonymous or not self.display_name:
            return str(_("Anonymous"))
        return self.display_name


def is_moderator(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=settings.MODERATORS_GROUP).exists()


def evidence_path(instance, filename):
    # Stored names are generated; the name the person gave is kept only as text.
    return f"evidence/{instance.pk.hex[:2]}/{instance.pk.hex}.{instance.extension}"


class Attachment(models.Model):
    """A piece of evidence, addressed by a random id rather than a sequence."""

    KINDS = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/webp": "webp",
        "application/pdf": "pdf",
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=100)
    content_type = models.CharField(max_length=40, choices=[(k, k) for k in KINDS])
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("complaints:evidence", kwargs={"pk": self.pk})

    @property
    def extension(self) -> str:
        return self.KINDS[self.content_type]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class StatusChange(models.Model):
    """One row of a complaint's public timeline: who moved it, from what, to what, why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Complaint.Status.choices)
    to_status = models.CharField(max_length=20, choices=Complaint.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"
