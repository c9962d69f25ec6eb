"""Outages a company declares, their updates, and the members affected."""


from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from companies.models import Company


class Incident(models.Model):
    """One outage that hits many people: the company tells all of them at once, in public, with
    status updates, and may make one offer to every author whose complaint is linked to it."""

    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating")
        IDENTIFIED = "identified", _("Identified")
        MONITORING = "monitoring", _("Monitoring")
        RESOLVED = "resolved", _("Resolved")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="incidents")
    title = models.CharField(_("title"), max_length=200)
    affected = models.CharField(_("what is affected"), max_length=300)
    area = models.CharField(_("where"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.INVESTIGATING)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The one offer to everyone affected, once resolved: an Offer on each linked complaint.
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_description = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["company", "-created_at"], name="incident_company_newest")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("complaints:incident", args=[self.pk])

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED


class IncidentUpdate(models.Model):
    """A status update the company posts on an incident; it reaches everyone affected."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("status"), max_length=15, choices=Incident.Status.choices)
    body = models.TextField(_("update"), max_length=3000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.incident_id}: {self.status}"


class IncidentAffected(models.Model):
    """A member hit by the incident without a complaint of their own ("affected me too")."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "user"], name="one_affected_per_member")]

    def __str__(self):
        return f"{self.user_id} affected by {self.incident_id}"
