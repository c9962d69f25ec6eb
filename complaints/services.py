"""Every state change of a complaint, in one place.

Each service checks its preconditions, locks the complaint row, changes it,
records the timeline entry, all inside one transaction. Views, commands and
tests call these functions; none of them sees a request.
"""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.services import company_discard_if_orphan, company_list, company_propose
from complaints.evidence import Evidence
from complaints.models import Attachment, Complaint, StatusChange

logger = logging.getLogger(__name__)

COMPLAINT_FIELDS = [
    "title", "story", "desired_outcome", "amount", "currency", "happened_on", "language",
    "display_name", "is_anonymous", "account_number", "phone", "reachable_times",
]


class ComplaintError(Exception):
    """A refused action; the message is translated and safe to show to the person."""


def _move(complaint: Complaint, *, to, actor, note: str = "") -> None:
    """Change the status of a locked complaint and write the timeline row."""
    if not complaint.can_move_to(to):
        raise ComplaintError(
            _("This complaint is %(status)s; that action is not possible now.")
            % {"status": complaint.get_status_display().lower()}
        )
    StatusChange.objects.create(
        complaint=complaint, from_status=complaint.status, to_status=to, actor=actor, note=note[:300]
    )
    complaint.status = to


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def complaint_save_draft(
    *,
    author,
    fields: dict,
    company: Company | None,
    new_company: dict | None = None,
    new_evidence: list[Evidence] = (),
    remove_evidence: list[Attachment] = (),
    complaint: Complaint | None = None,
    submission_token=None,
) -> Complaint:
    """Create or update the author's draft; a repeated submission returns the first draft."""
    written: list[str] = []
    try:
        with transaction.atomic():
            if complaint is None:
                if submission_token is not None:
                    existing = Complaint.objects.filter(author=author, submission_token=submission_token).first()
                    if existing is not None:
                        return existing
                complaint = Complaint(author=author, submission_token=submission_token or uuid.uuid4())
                previous_company = None
            else:
                complaint = _locked(complaint)
                if not complaint.can_be_edited_by(author):
                    raise ComplaintError(_("Only drafts can be changed, and only by their author."))
                previous_company = complaint.company

            if company is None:
                company = company_propose(user=author, **new_company)
            complaint.company = company
            for name in COMPLAINT_FIELDS:
                setattr(complaint, name, fields[name])
            complaint.save()

            for attachment in remove_evidence:
                if attachment.complaint_id == complaint.pk:
                    storage, name = attachment.file.storage, attachment.file.name
                    attachment.delete()
                    transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            if complaint.attachments.count() + len(new_evidence) > settings.EVIDENCE_MAX_FILES:
                raise ComplaintError(_("A complaint can have at most %(n)s evidence files.") % {"n": settings.EVIDENCE_MAX_FILES})
            for evidence in new_evidence:
                attachment = Attachment(
                    complaint=complaint, original_name=evidence.original_name, content_type=evidence.content_type,
                    size=len(evidence.content), width=evidence.width, height=evidence.height,
                )
                attachment.file.save("evidence", ContentFile(evidence.content), save=False)
                written.append(attachment.file.name)
                attachment.save()

            if previous_company is not None and previous_company.pk != company.pk:
                company_discard_if_orphan(company=previous_company, user=author)
    except BaseException:
        # The rows are rolled back; the files written so far must go too.
        for name in written:
            Attachment.file.field.storage.delete(name)
        raise
    return complaint


def complaint_submit(*, complaint: Complaint, user) -> Complaint:
    """The author sends a previewed draft; without pre-moderation it is published at once."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can submit this complaint."))
        if not complaint.is_draft:
            raise ComplaintError(_("This complaint has already been submitted."))
        _move(complaint, to=Complaint.Status.PENDING, actor=user, note="")
        complaint.save(update_fields=["status", "updated_at"])
        # Pre-moderation arrives with the moderation issue; until then every
        # submitted complaint is published straight away.
        _publish(complaint, actor=None, note=_("Published automatically."))
    return complaint


def complaint_publish(*, complaint: Complaint, moderator, note: str = "") -> Complaint:
    """A moderator approves a complaint waiting for review."""
    with transaction.atomic():
        complaint = _locked(complaint)
        _publish(complaint, actor=moderator, note=note)
    return complaint


def _publish(complaint: Complaint, *, actor, note: str) -> None:
    _move(complaint, to=Complaint.Status.PUBLISHED, actor=actor, note=note)
    complaint.published_at = timezone.now()
    complaint.save(update_fields=["status", "published_at", "updated_at"])
    company_list(company=complaint.company)
