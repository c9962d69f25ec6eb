"""The complaint and its lifecycle: statuses and their transitions, evidence files, the timeline of changes."""

import uuid

from django.conf import settings
from django.conf.global_settings import LANGUAGES as ALL_LANGUAGES
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from companies.models import CURRENCIES, Company

# Complaint.PUBLIC_STATUSES as plain values, for the partial indexes in its
# Meta (which cannot see the class's own attributes); a test keeps them equal.
PUBLIC_STATUS_VALUES = ("published", "answered", "resolved", "unresolved", "closed")
# The fields of includes/_complaint_card.html and of the list sorts (complaints/sorts.py).
# Every language a complaint may be written in. Django marks these names with gettext_noop, so
# they are translated here, when shown (its catalogues hold them): "Ryska" on a Swedish page.
LANGUAGE_CHOICES = [(code, _(name)) for code, name in ALL_LANGUAGES]
CARD_FIELDS = ("status", "title", "story", "text_held", "language", "published_at", "first_answered_at", "me_too_count")

# The business inbox's order, "waiting on someone first, the longest waiting first, finished
# ones last", as two values an index can hold (complaints/sorts.py INBOX_SORT), so each
# inbox view reads one page of its index instead of sorting all of a company's complaints.
# Expressions, not stored columns: nothing has to keep them in step with waiting_on.
# Finished: waiting on nobody (False sorts first). Waited: since when; a complaint that
# never had waiting_since written (old rows, direct inserts) falls back to its publication
# and then its creation, so the key is never NULL (NULLs would break the row comparison).
INBOX_FINISHED = models.ExpressionWrapper(Q(waiting_on=""), output_field=models.BooleanField())
INBOX_WAITED = Coalesce("waiting_since", "published_at", "created_at")


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

    def for_cards(self, show_company=True):
        """Only what a complaint card shows and the lists sort by: a list page then reads
        about a third of the bytes (no contact details, outcomes or company texts). The
        author's stars come in the same query (card_rating, None until evaluated)."""
        cards = self.annotate(card_rating=models.F("evaluation__rating"))
        if not show_company:
            return cards.only(*CARD_FIELDS)
        return cards.select_related("company").only(*CARD_FIELDS, "company__name", "company__slug")

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


def _choice_label(choices, value) -> str:
    """The label of one choice, translated once; the value itself if it is no choice."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Complaint(models.Model):
    class Source(models.TextChoices):
        PORTAL = "portal", _("This portal")
        CFPB = "cfpb", _("US CFPB consumer complaint database")

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
    # Nobody deletes a complaint: these leave a short public notice in its place.
    TOMBSTONE_STATUSES = (Status.WITHDRAWN, Status.HIDDEN)

    # The one table of allowed status changes (DESIGN.md, "Complaint lifecycle").
    TRANSITIONS = {
        # Straight to published when no review is needed (services.lifecycle.complaint_submit).
        Status.DRAFT: {Status.PENDING, Status.PUBLISHED},
        Status.PENDING: {Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN},
        # The author takes a rejected complaint back to edit it, once (services.moderation).
        Status.REJECTED: {Status.DRAFT},
        Status.PUBLISHED: {Status.ANSWERED, Status.RESOLVED, Status.UNRESOLVED, Status.HIDDEN, Status.WITHDRAWN},
        Status.ANSWERED: {Status.RESOLVED, Status.UNRESOLVED, Status.CLOSED, Status.HIDDEN, Status.WITHDRAWN},
        Status.RESOLVED: {Status.ANSWERED, Status.PUBLISHED, Status.UNRESOLVED, Status.HIDDEN, Status.WITHDRAWN},
        Status.UNRESOLVED: {Status.RESOLVED, Status.HIDDEN, Status.WITHDRAWN},
        Status.CLOSED: {Status.HIDDEN, Status.WITHDRAWN},
        Status.HIDDEN: {
            Status.PUBLISHED, Status.ANSWERED, Status.RESOLVED, Status.UNRESOLVED, Status.CLOSED,
        },
    }

    class WaitingOn(models.TextChoices):
        COMPANY = "company", _("the company")
        AUTHOR = "author", _("the author")
        NOBODY = "", _("nobody")

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
    language = models.CharField(_("language of the complaint"), max_length=10, choices=LANGUAGE_CHOICES)
    display_name = models.CharField(_("name shown"), max_length=60, blank=True)
    is_anonymous = models.BooleanField(_("post anonymously"), default=False)
    category = models.CharField(_("category"), max_length=200, blank=True)
    # Where the complaint came from; an imported one keeps its id in the source.
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    external_id = models.CharField(_("id in the source"), max_length=40, blank=True)

    # Private: shown only to the author and moderators (and, later, the company).
    account_number = models.CharField(_("account or contract number"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    reachable_times = models.CharField(_("when you can be reached"), max_length=200, blank=True)
    # The same, in a form a call-back proposal can be checked against.
    reachable_days = models.CharField(_("days you can be reached"), max_length=7, blank=True)
    reachable_from = models.TimeField(_("from"), null=True, blank=True)
    reachable_until = models.TimeField(_("until"), null=True, blank=True)

    # Kept by the services for the business inbox: whose move it is, since when.
    waiting_on = models.CharField(max_length=10, choices=WaitingOn.choices, blank=True, editable=False)
    waiting_since = models.DateTimeField(null=True, blank=True, editable=False)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True, editable=False)
    # The outage it is part of, linked by the company, a moderator or its author (complaints/services/incidents.py).
    incident = models.ForeignKey("Incident", on_delete=models.SET_NULL, null=True, blank=True, editable=False,
                                 related_name="complaints")
    reopened_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_before_hidden = models.CharField(max_length=20, blank=True, editable=False)
    # Moderation: the text held back after several personal-data flags, the
    # one resubmission a rejected author gets, the time of the last edit.
    text_held = models.BooleanField(default=False, editable=False)
    resubmitted = models.BooleanField(default=False, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    # A random token from the form: a resubmitted form finds its complaint
    # instead of creating a second one.
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Kept equal to the MeToo rows by the service, so lists can sort by it.
    me_too_count = models.PositiveIntegerField(default=0, editable=False)
    # PostgreSQL only: the full-text document, kept by a database trigger
    # (migration 0005) in the complaint's own language; NULL on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="complaint_unique_submission"),
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~Q(external_id=""), name="complaint_unique_external_id"
            ),
        ]
        indexes = [
            # A status filter reads its own rows in the list's order. Statuses follow age (new
            # complaints wait, old ones are closed), so walking all public complaints by date
            # to pick out the closed ones read 100,000 rows for a page at a million.
            models.Index(fields=["status", "-published_at", "-id"], name="complaint_public_list"),
            models.Index(fields=["company", "status", "-published_at"], name="complaint_company_list"),
            # The public lists read these in order and stop after one page
            # (keyset paging, core/paging.py): no sort of a million rows.
            models.Index(
                fields=["-published_at", "-id"], condition=Q(status__in=PUBLIC_STATUS_VALUES), name="complaint_public_newest"
            ),
            # Also carries what a company's scorecard counts, so its refresh reads the index alone
            # rather than one table page per complaint (4 s for a company with 70k complaints).
            models.Index(
                fields=["company", "-published_at", "-id"], condition=Q(status__in=PUBLIC_STATUS_VALUES),
                include=["first_answered_at", "me_too_count"], name="complaint_public_company",
            ),
            models.Index(
                fields=["-me_too_count", "-published_at", "-id"], condition=Q(status__in=PUBLIC_STATUS_VALUES),
                name="complaint_public_me_too",
            ),
            # The amount filter: the only filter column with no other index to narrow it.
            models.Index(fields=["amount"], condition=Q(status__in=PUBLIC_STATUS_VALUES), name="complaint_public_amount"),
            # The business inbox (complaints/inbox.py): one index per view, each holding its
            # rows in the inbox order, so a page or a capped count reads about a page of entries.
            models.Index(F("company"), INBOX_FINISHED, INBOX_WAITED, F("id"),
                         condition=Q(status__in=PUBLIC_STATUS_VALUES), name="complaint_inbox_all"),
            models.Index(F("company"), INBOX_FINISHED, INBOX_WAITED, F("id"),
                         condition=Q(status="published", first_answered_at__isnull=True),
                         name="complaint_inbox_awaiting"),
            # Overdue is awaiting and published before a cutoff: its count reads this one by date.
            models.Index(fields=["company", "published_at"],
                         condition=Q(status="published", first_answered_at__isnull=True),
                         name="complaint_inbox_overdue"),
            models.Index(F("company"), INBOX_FINISHED, INBOX_WAITED, F("id"),
                         condition=Q(status__in=PUBLIC_STATUS_VALUES, waiting_on="author"),
                         name="complaint_inbox_author"),
            # Resolved and unresolved: one index, the status right after the company.
            models.Index(F("company"), F("status"), INBOX_FINISHED, INBOX_WAITED, F("id"),
                         condition=Q(status__in=["resolved", "unresolved"]), name="complaint_inbox_evaluated"),
            models.Index(fields=["id"], condition=Q(text_held=True), name="complaint_text_held"),
            # The moderation queue's complaints waiting for review, oldest first (sorts.PENDING_SORT).
            models.Index(fields=["created_at", "id"], condition=Q(status="pending"), name="complaint_pending_oldest"),
            # "My complaints", newest first (complaints/views/complaint.py).
            models.Index(fields=["author", "-created_at", "-id"], name="complaint_author_newest"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("complaints:detail", kwargs={"pk": self.pk, "slug": self.slug})

    # Django's get_FOO_display hashes every choice's label to look one up, and each hash
    # translates the label: nine translations per status shown, 240 per inbox page.
    def get_status_display(self) -> str:
        return _choice_label(self.Status, self.status)

    def get_waiting_on_display(self) -> str:
        return _choice_label(self.WaitingOn, self.waiting_on)

    # Action words after /complaints/<id>/ that a slug must never equal.
    RESERVED_SLUGS = {
        "edit", "preview", "submit", "messages", "evaluate", "reopen", "withdraw", "me-too", "follow",
        "comments", "change", "resubmit",
    }

    @property
    def slug(self) -> str:
        slug = slugify(self.title, allow_unicode=True)[:60].strip("-") or "complaint"
        return f"{slug}-complaint" if slug in self.RESERVED_SLUGS else slug

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def days_without_answer(self) -> int | None:
        """Whole days a published complaint has waited for the company's first answer; None once
        answered (or when it is not published)."""
        if self.status != self.Status.PUBLISHED or self.first_answered_at or not self.published_at:
            return None
        return (timezone.now() - self.published_at).days

    @property
    def hours_to_first_answer(self) -> float | None:
        """How long the company took to answer first, in hours; None before its first answer."""
        if not self.first_answered_at or not self.published_at:
            return None
        return max((self.first_answered_at - self.published_at).total_seconds() / 3600, 0)

    @property
    def is_overdue(self) -> bool:
        """No first answer after ANSWER_OVERDUE_DAYS: marked in the business inbox, counted in public."""
        days = self.days_without_answer
        return days is not None and days >= settings.ANSWER_OVERDUE_DAYS

    def can_move_to(self, status) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def reachable_day_names(self) -> list[str]:
        from django.utils.dates import WEEKDAYS

        return [str(WEEKDAYS[int(day)]) for day in self.reachable_days if day.isdigit() and int(day) in WEEKDAYS]

    def can_be_edited_by(self, user) -> bool:
        return self.is_draft and user.is_authenticated and user.pk == self.author_id

    @property
    def shown_author(self) -> str:
        if self.is_anonymous or not self.display_name:
            # A deleted account's complaints are anonymised and its user deactivated;
            # imported public records have an inactive importing account as author.
            if self.source == self.Source.PORTAL and self.author_id and not self.author.is_active:
                return str(_("Former member"))
            return str(_("Anonymous"))
        return self.display_name


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
    # Set for a file attached to a message in the thread: it is seen by whoever may read the message
    # (a private message's files stay private). Unset: the complaint's own evidence.
    message = models.ForeignKey("complaints.Message", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="files")
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
    """One row of a complaint's public timeline: who moved it, from what, to what, why.

    What happened is stored as an event code with its parameters and put into words in the
    reader's language when shown (complaints.timeline); only free text (a moderator's or the
    author's own words) is kept in `note`, as written. Events that leave the status as it was
    (offers, moderation of a message) have from_status == to_status.
    """

    class Event(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        PUBLISHED_AUTOMATICALLY = "published_automatically", _("Published automatically")
        PUBLISHED_AFTER_REVIEW = "published_after_review", _("Approved by the moderators")
        REJECTED = "rejected", _("Rejected by the moderators")
        TAKEN_BACK = "taken_back", _("Taken back to edit")
        ANSWERED = "answered", _("The company answered")
        OFFER_MADE = "offer_made", _("Offer made")
        OFFER_ACCEPTED = "offer_accepted", _("Offer accepted")
        OFFER_DECLINED = "offer_declined", _("Offer declined")
        OFFER_DELIVERED = "offer_delivered", _("Offer delivered")
        OFFER_CONFIRMED = "offer_confirmed", _("Offer confirmed")
        OFFER_DISPUTED = "offer_disputed", _("Offer disputed")
        CALLBACK_ACCEPTED = "callback_accepted", _("Call-back time accepted")
        CALLBACK_DECLINED = "callback_declined", _("Call-back time declined")
        EVALUATED_RESOLVED = "evaluated_resolved", _("Resolved")
        EVALUATED_UNRESOLVED = "evaluated_unresolved", _("Not resolved")
        REOPENED = "reopened", _("Reopened")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED_WITHOUT_EVALUATION = "closed_without_evaluation", _("Closed without an evaluation")
        HIDDEN = "hidden", _("Hidden")
        RESTORED = "restored", _("Restored")
        ITEM_HIDDEN = "item_hidden", _("Message or comment hidden")
        ITEM_RESTORED = "item_restored", _("Message or comment restored")
        REDACTED = "redacted", _("Personal data removed")
        EDITED_BY_MODERATOR = "edited_by_moderator", _("Edited by the moderators")
        MOVED = "moved", _("Moved to another company")
        IMPORTED = "imported", _("Imported")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Complaint.Status.choices)
    to_status = models.CharField(max_length=20, choices=Complaint.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Blank only for an old row whose note could not be recognised (the note then says what happened).
    event = models.CharField(max_length=30, choices=Event.choices, blank=True)
    params = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"

    @property
    def changes_status(self) -> bool:
        return self.from_status != self.to_status
