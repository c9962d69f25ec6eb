"""What members are told, and how: their preferences by topic and the notifications themselves."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models.complaint import Complaint


class MemberPreferences(models.Model):
    """What a member chose for themselves: the language their e-mails are written in (issue 11)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    # The one they signed up in, then whichever they last switched to; not the complaint's language.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # Topic -> Delivery, for the topics the member changed; DEFAULT_DELIVERY for the others.
    delivery = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("member preferences")
        verbose_name_plural = _("member preferences")

    def __str__(self):
        return f"Preferences of {self.user_id}"

    @classmethod
    def language_of(cls, user) -> str | None:
        """The member's chosen interface language, or None when they never chose one."""
        if user is None or not getattr(user, "pk", None):
            return None
        return cls.objects.filter(user_id=user.pk).values_list("language", flat=True).first()


class Topic(models.TextChoices):
    """What a notification is about; each member chooses per topic how they hear of it."""

    MY_COMPLAINTS = "my_complaints", _("Answers and offers on my complaints")
    MY_COMPANIES = "my_companies", _("Complaints about the companies I represent")
    FOLLOWING = "following", _("Complaints and companies I follow")
    INCIDENTS = "incidents", _("Outages that affect me")
    MODERATION = "moderation", _("Moderators' decisions about what I wrote")
    ACCOUNT = "account", _("My requests to represent a company")


class Delivery(models.TextChoices):
    AT_ONCE = "at_once", _("E-mail at once")
    DIGEST = "digest", _("One e-mail a day")
    SITE = "site", _("On the site only")


DEFAULT_DELIVERY = {
    Topic.MY_COMPLAINTS: Delivery.AT_ONCE,
    Topic.MY_COMPANIES: Delivery.AT_ONCE,
    Topic.FOLLOWING: Delivery.DIGEST,  # many small changes: once a day is enough
    Topic.INCIDENTS: Delivery.AT_ONCE,
    Topic.MODERATION: Delivery.AT_ONCE,
    Topic.ACCOUNT: Delivery.AT_ONCE,
}


class Notification(models.Model):
    """One event told to one person: listed on their notifications page, and e-mailed at once, in
    the day's digest or not at all, as they chose for its topic. `values` holds what its text
    needs (names, a title, codes), never private words: the texts are written when shown, in the
    reader's language."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # The sending task's id: a task run again after a failure adds nobody twice.
    event = models.CharField(max_length=64)
    kind = models.CharField(max_length=40)  # the template under templates/emails/
    topic = models.CharField(max_length=20, choices=Topic.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    values = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once")]
        indexes = [
            # The notifications page, newest first, paged by key.
            models.Index(fields=["user", "-created_at", "-id"], name="notification_list"),
            models.Index(fields=["user"], condition=Q(read_at=None), name="notification_unread"),
            # What the next mail run has to send.
            models.Index(fields=["created_at"], condition=Q(mailed_at=None) & ~Q(delivery="site"),
                         name="notification_unmailed"),
        ]

    def __str__(self):
        return f"{self.kind} for {self.user_id}"
