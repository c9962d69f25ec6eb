"""The complaint's lifecycle: the one way its status changes, and filing, publishing, reopening, withdrawing.

Every service in complaints.services takes the same steps, inside one transaction:
lock the complaint row (`locked`), check the move against Complaint.TRANSITIONS and
record it in the timeline (`move`; `record_event` for a step that keeps the status),
then notify. The thread, participation and moderation services call these; nothing
else writes a complaint's status. Views, commands and tests call the services; none
of them sees a request.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.services import company_discard_if_orphan, company_list, company_propose
from complaints.evidence import Evidence
from complaints.models import (
    Attachment,
    Complaint,
    Evaluation,
    ModerationAction,
    StatusChange,
    Suspension,
)
from complaints.pii import find_personal_data, has_personal_data
from complaints.services.company_contact import complaint_published
from complaints.services.notifications import company_follower_ids, notify, representative_ids
from complaints.services.scorecards import schedule_scorecard_refresh
from complaints.signals import company_event
from core.public_content import public_content_changed
from core.roles import is_moderator

Event = StatusChange.Event

COMPLAINT_FIELDS = [
    "title", "story", "desired_outcome", "amount", "currency", "happened_on", "language",
    "display_name", "is_anonymous", "account_number", "phone", "reachable_times",
    "reachable_days", "reachable_from", "reachable_until",
]


# A change into or out of these states changes the company's figures.
FIGURES_STATUSES = set(Complaint.PUBLIC_STATUSES) | set(Complaint.TOMBSTONE_STATUSES)


class ComplaintError(Exception):
    """A refused action; the message is translated and safe to show to the person."""


class CallbackTimeError(ComplaintError):
    """A refused call-back time: the form shows it at that field."""


class PersonalDataError(ComplaintError):
    """Public words that seem to hold personal data, sent without "send anyway": the form shows the
    warning at the text, with that box to tick."""

    def __init__(self, findings):
        self.findings = findings
        found = ", ".join(_("%(kind)s “%(text)s”") % {"kind": finding.label, "text": finding.text}
                          for finding in findings)
        super().__init__(
            _("This seems to contain personal data: %(found)s. Everyone can read it. Take it out, or tick "
              "“Send anyway”: then only you and the moderators see it until a moderator has checked it.")
            % {"found": found}
        )


def title_personal_data_message() -> str:
    # A title is shown in every list, card and search result: personal data never goes there, held or not.
    return _("A title is shown in every list and search result: take the personal data out of it.")


def new_personal_data(text: str, *, was: str = "") -> list:
    """The personal data in a text that was not already in its earlier version."""
    return [finding for finding in find_personal_data(text) if finding.text not in was]


def hold_for_personal_data(text: str, *, send_anyway: bool, was: str = "") -> bool:
    """The rule for public words, as for the story: personal data in them is refused with a warning;
    sent anyway, the text is held until a moderator has looked. Whatever `was` already there
    (an edit's earlier text, as a moderator let it stand) does not count again."""
    findings = new_personal_data(text, was=was)
    if findings and not send_anyway:
        raise PersonalDataError(findings)
    return bool(findings)


def move(complaint: Complaint, *, to, actor, event: str, params: dict | None = None, note: str = "") -> None:
    """Change the status of a locked complaint, if Complaint.TRANSITIONS allows it, and write the timeline row
    (event code, free note as written); the company's figures and the kept pages follow once it commits."""
    if not complaint.can_move_to(to):
        raise ComplaintError(
            _("This complaint is %(status)s; that action is not possible now.")
            % {"status": complaint.get_status_display()}
        )
    StatusChange.objects.create(
        complaint=complaint, from_status=complaint.status, to_status=to, actor=actor, event=event,
        params=params or {}, note=note[:300],
    )
    if {complaint.status, to} & FIGURES_STATUSES:
        schedule_scorecard_refresh(complaint.company_id)
    if (complaint.status in Complaint.PUBLIC_STATUSES) != (to in Complaint.PUBLIC_STATUSES):
        # Into or out of public view: no kept page may show the old state (after the figures' refresh).
        public_content_changed()
    complaint.status = to


def record_event(complaint_id: int, *, status: str, event: str, params: dict | None = None, actor=None) -> None:
    """A public timeline row for an event that leaves the status as it is (an offer's step, a moderation)."""
    StatusChange.objects.create(complaint_id=complaint_id, from_status=status, to_status=status, actor=actor,
                                event=event, params=params or {})


def locked(complaint: Complaint) -> Complaint:
    """The complaint read again with its row locked until the transaction ends: the first step of every change."""
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
                complaint = locked(complaint)
                if not complaint.can_be_edited_by(author):
                    raise ComplaintError(_("Only drafts can be changed, and only by their author."))
                previous_company = complaint.company

            if company is None:
                company = company_propose(user=author, **new_company)
            complaint.company = company
            for name in COMPLAINT_FIELDS:
                setattr(complaint, name, fields[name])
            if complaint.pk is None:
                try:
                    with transaction.atomic():
                        complaint.save()
                except IntegrityError:
                    # The same form sent twice at once: the request that got in first made the draft.
                    first = Complaint.objects.filter(author=author, submission_token=complaint.submission_token).first()
                    if first is None:
                        raise
                    return first
            else:
                complaint.save()

            for attachment in remove_evidence:
                if attachment.complaint_id == complaint.pk:
                    storage, name = attachment.file.storage, attachment.file.name
                    attachment.delete()
                    transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            if complaint.attachments.filter(message=None).count() + len(new_evidence) > settings.EVIDENCE_MAX_FILES:
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
        complaint = locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can submit this complaint."))
        if not complaint.is_draft:
            raise ComplaintError(_("This complaint has already been submitted."))
        ensure_can_post(user)
        if needs_review(complaint):
            move(complaint, to=Complaint.Status.PENDING, actor=user, event=Event.SUBMITTED)
            complaint.save(update_fields=["status", "updated_at"])
        else:
            # Straight to published: its history never says "waiting for review" for a review that never was.
            publish(complaint, actor=user, event=Event.PUBLISHED_AUTOMATICALLY)
    return complaint


def needs_review(complaint: Complaint) -> bool:
    """The pre-moderation rule (settings.PREMODERATION) for a submitted complaint."""
    rule = settings.PREMODERATION
    if "all" in rule or complaint.resubmitted:
        return True
    if "first" in rule and not has_approved_complaint(complaint.author_id):
        return True
    if "personal_data" in rule:
        return has_personal_data(f"{complaint.title}\n{complaint.story}")
    return False


def has_approved_complaint(author_id) -> bool:
    """Whether a moderator has ever approved a complaint of this author's.

    The append-only moderation record, not the status: a complaint that was approved
    and later withdrawn or hidden still counts; pending, rejected or auto-published ones never do.
    """
    return ModerationAction.objects.filter(
        action=ModerationAction.Action.APPROVE, complaint__author_id=author_id
    ).exists()


def ensure_can_post(user) -> None:
    """Suspended members cannot post; their pending content stays pending."""
    if Suspension.objects.filter(user_id=user.pk).exists():
        raise ComplaintError(_("Your account is suspended; you cannot post."))


def complaint_publish(*, complaint: Complaint, moderator, note: str = "") -> Complaint:
    """A moderator approves a complaint waiting for review."""
    if not is_moderator(moderator):
        raise ComplaintError(_("Only moderators can publish complaints."))
    with transaction.atomic():
        complaint = locked(complaint)
        publish(complaint, actor=moderator, event=Event.PUBLISHED_AFTER_REVIEW, note=note)
        ModerationAction.objects.create(actor=moderator, action=ModerationAction.Action.APPROVE, reason="ok",
                                        note=note[:500], complaint=complaint)
    return complaint


def publish(complaint: Complaint, *, actor, event: str, note: str = "") -> None:
    """Move a locked complaint into public view: the company waits to answer and is told, as are its followers."""
    move(complaint, to=Complaint.Status.PUBLISHED, actor=actor, event=event, note=note)
    complaint.published_at = timezone.now()
    complaint.waiting_on = Complaint.WaitingOn.COMPANY
    complaint.waiting_since = complaint.published_at
    complaint.save(update_fields=["status", "published_at", "waiting_on", "waiting_since", "updated_at"])
    company_list(company=complaint.company)
    representatives = representative_ids(complaint.company)
    notify(template="new_complaint", users=representatives, complaint=complaint)
    company_event.send(sender=Complaint, complaint=complaint, event="complaint.published", data={})
    notify(template="company_new_complaint",
           users=set(company_follower_ids(complaint.company_id)) - set(representatives) - {complaint.author_id},
           complaint=complaint)
    complaint_published(complaint)  # the company's public complaint address, while nobody represents it



def set_waiting(complaint: Complaint, waiting_on: str, now) -> None:
    """Whose turn it is (the business inbox's order): the time counts from when the turn changed."""
    if complaint.waiting_on != waiting_on:
        complaint.waiting_on = waiting_on
        complaint.waiting_since = now


# The end of the lifecycle.

def complaint_reopen(*, complaint: Complaint, user, note: str = "") -> Complaint:
    """The author says it was not resolved after all: back to answered, once."""
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can reopen the complaint."))
        if complaint.reopened_at is not None:
            raise ComplaintError(_("A complaint can be reopened only once."))
        # Back to answered; one the company never answered goes back to waiting for it.
        target = Complaint.Status.ANSWERED if complaint.first_answered_at else Complaint.Status.PUBLISHED
        move(complaint, to=target, actor=user, event=Event.REOPENED, note=note)
        complaint.reopened_at = timezone.now()
        Evaluation.objects.filter(complaint=complaint).delete()
        set_waiting(complaint, Complaint.WaitingOn.COMPANY, complaint.reopened_at)
        complaint.save()
        notify(template="reopened", users=representative_ids(complaint.company), complaint=complaint, actor=user)
    return complaint


def complaint_withdraw(*, complaint: Complaint, user, reason: str = "") -> Complaint:
    """The author withdraws; the complaint stays as a tombstone and leaves the figures."""
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can withdraw the complaint."))
        move(complaint, to=Complaint.Status.WITHDRAWN, actor=user, event=Event.WITHDRAWN, note=reason)
        set_waiting(complaint, Complaint.WaitingOn.NOBODY, timezone.now())
        complaint.save()
    return complaint


def complaints_close_stale(*, now=None) -> int:
    """Close answered complaints the author has not evaluated in M days (for a daily cron job)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMPLAINT_CLOSE_DAYS)
    closed = 0
    # A reopened complaint gets the full period again from the day it was reopened.
    stale = Complaint.objects.filter(status=Complaint.Status.ANSWERED, first_answered_at__lt=cutoff).exclude(
        reopened_at__gte=cutoff
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            complaint = Complaint.objects.select_for_update().get(pk=pk)
            if complaint.status != Complaint.Status.ANSWERED:
                continue
            move(complaint, to=Complaint.Status.CLOSED, actor=None, event=Event.CLOSED_WITHOUT_EVALUATION,
                  params={"days": settings.COMPLAINT_CLOSE_DAYS})
            set_waiting(complaint, Complaint.WaitingOn.NOBODY, now)
            complaint.save()
            closed += 1
    return closed
