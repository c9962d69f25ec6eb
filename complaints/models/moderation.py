"""Keeping it clean and fair: flags, the moderators' append-only log, redactions, versions, suspensions."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from complaints.models.complaint import Complaint
from complaints.models.participation import Comment
from complaints.models.thread import Message


class Flag(models.Model):
    """A member's report about a complaint, a message or a comment (exactly one of them)."""

    class Reason(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Personal data")
        ABUSE = "abuse", _("Abuse or hate")
        SPAM = "spam", _("Spam or advertising")
        NOT_REAL = "not_real", _("Not a real experience")
        WRONG_COMPANY = "wrong_company", _("About another company")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.CharField(_("details"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(complaint__isnull=False, message__isnull=True, comment__isnull=True)
                    | Q(complaint__isnull=True, message__isnull=False, comment__isnull=True)
                    | Q(complaint__isnull=True, message__isnull=True, comment__isnull=False)
                ),
                name="flag_exactly_one_item",
            ),
            models.UniqueConstraint(fields=["reporter", "complaint"], condition=Q(complaint__isnull=False),
                                    name="one_flag_per_complaint"),
            models.UniqueConstraint(fields=["reporter", "message"], condition=Q(message__isnull=False),
                                    name="one_flag_per_message"),
            models.UniqueConstraint(fields=["reporter", "comment"], condition=Q(comment__isnull=False),
                                    name="one_flag_per_comment"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.get_status_display()})"

    @property
    def item(self):
        return self.complaint or self.message or self.comment


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes would bypass the per-object guard below, so they are refused too."""

    def update(self, **kwargs):
        raise ValueError("Moderation actions cannot be changed.")

    def delete(self):
        raise ValueError("Moderation actions cannot be deleted.")


class ModerationAction(models.Model):
    """An append-only record of one moderator decision: who, what, why, when."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        HIDE = "hide", _("Hidden")
        RESTORE = "restore", _("Restored")
        REDACT = "redact", _("Redacted")
        MOVE = "move", _("Moved to another company")
        MERGE = "merge", _("Companies merged")
        DISMISS_FLAG = "dismiss", _("Flag dismissed")
        RELEASE = "release", _("Held text released")
        SUSPEND = "suspend", _("Member suspended")
        UNSUSPEND = "unsuspend", _("Suspension lifted")
        APPROVE_COMPANY = "approve_company", _("Company approved")
        EDIT = "edit", _("Edited by a moderator")

    class ReasonCode(models.TextChoices):
        OK = "ok", _("Meets the rules")
        PERSONAL_DATA = "personal_data", _("Personal data")
        ABUSE = "abuse", _("Abuse or hate")
        SPAM = "spam", _("Spam or advertising")
        NOT_REAL = "not_real", _("Not a real experience")
        WRONG_COMPANY = "wrong_company", _("About another company")
        DUPLICATE = "duplicate", _("Duplicate")
        OTHER = "other", _("Other")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.CharField(max_length=20, choices=ReasonCode.choices)
    note = models.CharField(max_length=500, blank=True)
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor_id}"

    def save(self, *args, **kwargs):
        # Append-only: a record is written once and never changed.
        if self.pk is not None:
            raise ValueError("Moderation actions cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Moderation actions cannot be deleted.")


class Redaction(models.Model):
    """The original of a redacted text, for moderators only; purged after REDACTION_KEEP_DAYS."""

    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=20)
    original = models.TextField()
    removed = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Redaction {self.pk}"


class Version(models.Model):
    """An earlier text of an edited complaint or message; moderators see them."""

    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.CASCADE, related_name="versions")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Version {self.pk}"


class Suspension(models.Model):
    """A member who may not post; their pending content stays pending."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspension")
    reason = models.CharField(max_length=500)
    suspended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Suspension of {self.user_id}"
