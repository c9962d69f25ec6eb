"""The public conversation: messages, the company's offers, the author's evaluation, and mail to a company not yet on the site."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company, OfferKind
from complaints.models.complaint import CURRENCIES, Complaint


class MessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_private=False)

    def visible_to(self, viewer):
        """Public messages for everyone; private ones only for the complaint's parties (a complaints.access.Viewer)."""
        return self if viewer.can_see_private else self.public()


class Message(models.Model):
    """One message in the public thread between the author and the company."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        APOLOGY = "apology", _("Apology")
        DETAILS = "details", _("Request for details")
        OFFER = "offer", _("Offer")
        REPLY = "reply", _("Reply from the author")

    COMPANY_KINDS = (Kind.ANSWER, Kind.APOLOGY, Kind.DETAILS, Kind.OFFER)

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaint_messages")
    # Set when written for a company by one of its representatives.
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("message"), max_length=5000)
    is_private = models.BooleanField(
        _("private"), default=False,
        help_text=_("Only the author, the company's representatives and the moderators see a private message."),
    )
    callback_at = models.DateTimeField(_("proposed call-back"), null=True, blank=True)
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_hidden = models.BooleanField(default=False, editable=False)
    text_held = models.BooleanField(default=False, editable=False)
    # False while a text sent anyway with personal data waits for a moderator: the other side and the
    # followers are told once it may be read, not before.
    announced = models.BooleanField(default=True, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="message_unique_submission"),
        ]
        # The moderation queue's held texts: a few rows, found without reading the table.
        indexes = [models.Index(fields=["id"], condition=Q(text_held=True), name="message_text_held")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.complaint_id}"

    @property
    def is_from_company(self) -> bool:
        return self.company_id is not None

    @property
    def callback_passed(self) -> bool:
        return self.callback_at is not None and self.callback_at <= timezone.now()


class CallbackAnswer(models.Model):
    """The author's answer to a call-back time the company proposed in a message."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, primary_key=True, related_name="callback_answer")
    accepted = models.BooleanField(_("accepted"))
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("answer to a call-back time")
        verbose_name_plural = _("answers to call-back times")

    def __str__(self):
        return f"{'accepted' if self.accepted else 'declined'} call-back {self.message_id}"


class Offer(models.Model):
    """What a company offers to settle a complaint, and what became of it."""

    Kind = OfferKind  # defined with companies, so that a reply template can hold an offer

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the author")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        DELIVERED = "delivered", _("Delivered, waiting for the author to confirm")
        CONFIRMED = "confirmed", _("Delivered and confirmed")
        DISPUTED = "disputed", _("The author says it was not delivered")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="offers")
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="offer")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("what is offered"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, blank=True)
    days = models.PositiveIntegerField(_("number of days"), null=True, blank=True)
    description = models.CharField(_("short description"), max_length=300)
    expires_on = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response_reason = models.CharField(_("reason"), max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [
            # The inbox's "offers pending" view starts from a company's open offers (a few),
            # not from its complaints (possibly tens of thousands).
            models.Index(fields=["company", "expires_on"], condition=Q(status="open"), name="offer_open_by_company"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_on < timezone.localdate()

    @property
    def status_label(self) -> str:
        return str(_("Expired")) if self.is_expired else self.get_status_display()


def _rating_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class Evaluation(models.Model):
    """The author's verdict on how the company handled the complaint."""

    FACTORS = ["waiting_time", "treatment", "knowledge", "willingness", "compensation_fairness"]

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="evaluation")
    resolved = models.BooleanField(_("was it resolved?"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    would_return = models.BooleanField(_("would you do business with them again?"))
    waiting_time = _rating_field(_("waiting time"))
    treatment = _rating_field(_("treatment"))
    knowledge = _rating_field(_("knowledge"))
    willingness = _rating_field(_("willingness to solve the problem"))
    compensation_fairness = _rating_field(_("fairness of the compensation"))
    comment = models.TextField(_("closing comment"), max_length=3000, blank=True)
    change_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # The token of the form that last wrote it: the same form sent again is not a change.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="evaluation_rating_1_to_5"),
        ]

    def __str__(self):
        return f"{self.rating}★ on {self.complaint_id}"

    def factors(self):
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in self.FACTORS]


class CompanyContactMail(models.Model):
    """A published complaint to be mailed, once, to the public complaint address of a company that
    nobody represents here; sent alone, or in the next day's digest when that address had a mail
    in the last day."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "created_at"], condition=Q(sent_at=None),
                                name="contact_mail_waiting")]

    def __str__(self):
        return f"Complaint {self.complaint_id} to company {self.company_id}"
