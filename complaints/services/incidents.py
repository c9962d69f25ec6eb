"""Incidents: when one outage hits many people, the company talks to all of them at once.

A company's representative (or a moderator) opens an incident, posts status updates and
resolves it; complaints are linked to it by the company, a moderator or their own author
("this is my problem too"), and members without a complaint join with "affected me too".
Each update reaches every linked author and affected member (topic "Outages that affect me")
and the company's followers (topic "Complaints and companies I follow") in one go. Once it is
resolved, the company may make one offer to everyone affected: an ordinary offer on each
linked complaint, which each author accepts, declines and confirms on their own.

Every function checks who may do it, as the views do, and changes nothing when it refuses.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.access import CONVERSATION_STATUSES, represents
from complaints.models import Complaint, Incident, IncidentAffected, IncidentUpdate, Message
from complaints.services.lifecycle import ComplaintError
from complaints.services.notifications import company_follower_ids, notify_users
from complaints.services.thread import message_post
from core.roles import is_moderator


def may_manage(user, company) -> bool:
    """The company's representatives and the moderators run its incidents."""
    return user.is_authenticated and (represents(user, company.pk) or is_moderator(user))


def _require_manager(user, company) -> None:
    if not may_manage(user, company):
        raise ComplaintError(_("Only the company's representatives and the moderators can do this."))


def affected_ids(incident: Incident) -> set[int]:
    """Everyone the incident hit: the authors of its public complaints and the members who joined."""
    authors = incident.complaints.filter(status__in=Complaint.PUBLIC_STATUSES).values_list("author_id", flat=True)
    joined = incident.affected_members.values_list("user_id", flat=True)
    return set(authors) | set(joined)


def _tell(incident: Incident, update: IncidentUpdate, *, actor) -> None:
    context = {
        "incident": incident.title, "company": incident.company.name,
        "status_code": update.status, "url": settings.SITE_URL + incident.get_absolute_url(),
        "site_name": settings.SITE_NAME,
    }
    affected = affected_ids(incident) - {actor.pk}
    followers = set(company_follower_ids(incident.company_id)) - affected - {actor.pk}
    event = f"incident-update-{update.pk}"
    notify_users(template="incident_update", user_ids=sorted(affected), context=context, event=event)
    notify_users(template="incident_news", user_ids=sorted(followers), context=context, event=f"{event}-news")


def incident_open(*, company, user, title: str, affected: str, area: str, started_at, body: str) -> Incident:
    """Open an incident with its first update ("investigating")."""
    _require_manager(user, company)
    if started_at > timezone.now():
        raise ComplaintError(_("An incident cannot start in the future."))
    with transaction.atomic():
        incident = Incident.objects.create(company=company, title=title.strip(), affected=affected.strip(),
                                           area=area.strip(), started_at=started_at, opened_by=user)
        update = IncidentUpdate.objects.create(incident=incident, status=incident.status, body=body.strip(),
                                               author=user)
        _tell(incident, update, actor=user)
    return incident


def incident_update(*, incident: Incident, user, status: str, body: str) -> IncidentUpdate:
    """Post a status update; "resolved" ends the incident (nothing is posted after that)."""
    _require_manager(user, incident.company)
    if status not in Incident.Status.values:
        raise ComplaintError(_("Choose a status."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().select_related("company").get(pk=incident.pk)
        if incident.is_resolved:
            raise ComplaintError(_("This incident is resolved: nothing more is posted on it."))
        now = timezone.now()
        incident.status = status
        incident.resolved_at = now if status == Incident.Status.RESOLVED else None
        incident.save(update_fields=["status", "resolved_at"])
        update = IncidentUpdate.objects.create(incident=incident, status=status, body=body.strip(), author=user,
                                               created_at=now)
        _tell(incident, update, actor=user)
    return update


def incident_link(*, incident: Incident, complaint: Complaint, user) -> None:
    """Link a public complaint about the incident's company: by the company, a moderator, or its author."""
    if not (complaint.author_id == user.pk or may_manage(user, incident.company)):
        raise ComplaintError(_("Only the complaint's author, the company and the moderators can link it."))
    if complaint.company_id != incident.company_id:
        raise ComplaintError(_("This complaint is about another company."))
    if not complaint.is_public:
        raise ComplaintError(_("Only a public complaint can be linked."))
    Complaint.objects.filter(pk=complaint.pk).update(incident=incident)


def incident_unlink(*, complaint: Complaint, user) -> None:
    incident = complaint.incident
    if incident is None:
        return
    if not (complaint.author_id == user.pk or may_manage(user, incident.company)):
        raise ComplaintError(_("Only the complaint's author, the company and the moderators can unlink it."))
    Complaint.objects.filter(pk=complaint.pk).update(incident=None)


def incident_join_toggle(*, incident: Incident, user) -> bool:
    """"Affected me too" for a member, or take it back. Returns whether they are counted now."""
    if not user.is_authenticated:
        raise ComplaintError(_("Only members can say they are affected."))
    deleted, _rows = IncidentAffected.objects.filter(incident=incident, user=user).delete()
    if deleted:
        return False
    if represents(user, incident.company_id):
        raise ComplaintError(_("You represent the company: you are not among the affected."))
    IncidentAffected.objects.get_or_create(incident=incident, user=user)
    return True


def incident_group_offer(*, incident: Incident, user, body: str, offer: dict) -> int:
    """Once resolved, one offer to everyone affected: an offer on each linked complaint whose thread
    is open. Returns how many were made. Made once."""
    _require_manager(user, incident.company)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incident.is_resolved:
            raise ComplaintError(_("Make the offer once the incident is resolved."))
        if incident.offered_at is not None:
            raise ComplaintError(_("An offer has already been made to everyone affected."))
        if not represents(user, incident.company_id):
            raise ComplaintError(_("Only the company's representatives can make an offer."))
        complaints = list(incident.complaints.filter(status__in=CONVERSATION_STATUSES).order_by("pk"))
        for complaint in complaints:
            # Personal data in the text is refused (PersonalDataError) before anything is made.
            message_post(complaint=complaint, user=user, kind=Message.Kind.OFFER, body=body, offer=offer)
        incident.offered_at, incident.offer_description = timezone.now(), offer["description"]
        incident.save(update_fields=["offered_at", "offer_description"])
    return len(complaints)
