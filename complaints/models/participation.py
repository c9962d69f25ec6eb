"""Taking part beside the author: "me too", following a complaint or a company, comments."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company
from complaints.models.complaint import Complaint


class MeToo(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="me_toos")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="one_me_too_per_member")]

    def __str__(self):
        return f"Me too on {self.complaint_id}"


class Follow(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="one_follow_per_member")]

    def __str__(self):
        return f"Follow of {self.complaint_id}"


class CompanyFollow(models.Model):
    """A member who hears of a company's new complaints, its public answers and its score label."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="one_company_follow_per_member")]

    def __str__(self):
        return f"Follow of company {self.company_id}"


class Comment(models.Model):
    """A public comment below the thread; comments never change a complaint's state."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    body = models.TextField(_("comment"), max_length=3000)
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    is_hidden = models.BooleanField(default=False, editable=False)
    text_held = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="comment_unique_submission"),
        ]
        # The moderation queue's held texts: a few rows, found without reading the table.
        indexes = [models.Index(fields=["id"], condition=Q(text_held=True), name="comment_text_held")]

    def __str__(self):
        return f"Comment on {self.complaint_id}"


# Moderation and trust.
