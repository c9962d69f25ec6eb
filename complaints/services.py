"""Every state change of a complaint, in one place.

Each service checks its preconditions, locks the complaint row, changes it,
records the timeline entry, all inside one transaction. Views, commands and
tests call these functions; none of them sees a request.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.scorecards import schedule_scorecard_refresh
from companies.services import company_discard_if_orphan, company_list, company_propose
from complaints.access import CONVERSATION_STATUSES, Viewer, can_change_evaluation, may_evaluate_now, represents
from complaints.company_contact import complaint_published
from complaints.evidence import Evidence
from complaints.models import (
    Attachment,
    Comment,
    CompanyFollow,
    Complaint,
    Evaluation,
    Follow,
    MemberPreferences,
    Message,
    MeToo,
    ModerationAction,
    Offer,
    StatusChange,
)
from complaints.notifications import company_follower_ids, follower_ids, notify, representative_ids
from complaints.pii import find_personal_data, has_personal_data
from complaints.signals import company_event
from complaints.timeline import offer_params
from core.public_content import public_content_changed
from core.roles import is_moderator

logger = logging.getLogger(__name__)
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


def _move(complaint: Complaint, *, to, actor, event: str, params: dict | None = None, note: str = "") -> None:
    """Change the status of a locked complaint and write the timeline row (event code, free note as written)."""
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


def _timeline(complaint_id: int, *, status: str, event: str, params: dict | None = None, actor=None) -> None:
    """A public timeline row for an event that leaves the status as it is (an offer's step, a moderation)."""
    StatusChange.objects.create(complaint_id=complaint_id, from_status=status, to_status=status, actor=actor,
                                event=event, params=params or {})


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
        ensure_can_post(user)
        if needs_review(complaint):
            _move(complaint, to=Complaint.Status.PENDING, actor=user, event=Event.SUBMITTED)
            complaint.save(update_fields=["status", "updated_at"])
        else:
            # Straight to published: its history never says "waiting for review" for a review that never was.
            _publish(complaint, actor=user, event=Event.PUBLISHED_AUTOMATICALLY)
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
    from complaints.models import Suspension

    if Suspension.objects.filter(user_id=user.pk).exists():
        raise ComplaintError(_("Your account is suspended; you cannot post."))


def complaint_publish(*, complaint: Complaint, moderator, note: str = "") -> Complaint:
    """A moderator approves a complaint waiting for review."""
    if not is_moderator(moderator):
        raise ComplaintError(_("Only moderators can publish complaints."))
    with transaction.atomic():
        complaint = _locked(complaint)
        _publish(complaint, actor=moderator, event=Event.PUBLISHED_AFTER_REVIEW, note=note)
        ModerationAction.objects.create(actor=moderator, action=ModerationAction.Action.APPROVE, reason="ok",
                                        note=note[:500], complaint=complaint)
    return complaint


def _publish(complaint: Complaint, *, actor, event: str, note: str = "") -> None:
    _move(complaint, to=Complaint.Status.PUBLISHED, actor=actor, event=event, note=note)
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


# The thread: messages between the author and the company.

def _set_waiting(complaint: Complaint, waiting_on: str, now) -> None:
    if complaint.waiting_on != waiting_on:
        complaint.waiting_on = waiting_on
        complaint.waiting_since = now


def message_post(
    *,
    complaint: Complaint,
    user,
    kind: str,
    body: str,
    is_private: bool = False,
    callback_at=None,
    offer: dict | None = None,
    submission_token=None,
    send_anyway: bool = False,
) -> Message:
    """The author replies, or a representative writes for the company (perhaps with an offer).

    Public words with personal data are refused, or held for a moderator when sent anyway;
    nobody is told about a held message until a moderator lets it be read.
    """
    with transaction.atomic():
        complaint = _locked(complaint)
        if submission_token is not None:
            existing = Message.objects.filter(author=user, submission_token=submission_token).first()
            if existing is not None:
                return existing
        ensure_can_post(user)
        viewer = Viewer(user, complaint)
        for_company = kind in Message.COMPANY_KINDS
        if for_company and not viewer.is_representative:
            raise ComplaintError(_("Only the company's representatives can write for it."))
        if not for_company and not viewer.is_author:
            raise ComplaintError(_("Only the author can reply here."))
        if not viewer.thread_open:
            raise ComplaintError(_("This complaint is closed for new messages."))
        if kind == Message.Kind.OFFER and (offer is None or is_private):
            raise ComplaintError(_("An offer is made in public and needs its details."))
        if callback_at is not None:
            _check_callback(complaint, callback_at, for_company=for_company)
        held = not is_private and hold_for_personal_data(body, send_anyway=send_anyway)

        now = timezone.now()
        message = Message.objects.create(
            complaint=complaint, author=user, company=complaint.company if for_company else None, kind=kind,
            body=body, is_private=is_private, callback_at=callback_at, text_held=held, announced=not held,
            submission_token=submission_token or uuid.uuid4(), created_at=now,
        )
        if kind == Message.Kind.OFFER:
            made = Offer.objects.create(complaint=complaint, message=message, company=complaint.company, **offer)
        if for_company:
            schedule_scorecard_refresh(complaint.company_id)

        if for_company and not is_private and complaint.first_answered_at is None:
            complaint.first_answered_at = now
            if complaint.status == Complaint.Status.PUBLISHED:
                _move(complaint, to=Complaint.Status.ANSWERED, actor=user, event=Event.ANSWERED)
        if kind == Message.Kind.OFFER:
            _timeline(complaint.pk, status=complaint.status, event=Event.OFFER_MADE, params=offer_params(made),
                      actor=user)
        _set_waiting(complaint, Complaint.WaitingOn.AUTHOR if for_company else Complaint.WaitingOn.COMPANY, now)
        complaint.save()
        if not held:
            message_announce(message, complaint=complaint, actor=user)
    return message


def message_announce(message: Message, *, complaint: Complaint, actor) -> None:
    """Tell the other side, and the followers of public words, that there is a message to read."""
    if message.company_id is not None:
        notify(template="company_message", users=[complaint.author_id], complaint=complaint, actor=actor,
               private=message.is_private)
    else:
        notify(template="author_message", users=representative_ids(complaint.company), complaint=complaint,
               actor=actor, private=message.is_private)
        company_event.send(sender=Complaint, complaint=complaint, event="message.author", data={
            "message": {"id": message.pk, "body": message.body, "private": message.is_private,
                        "created_at": message.created_at.isoformat()},
        })
    if not message.is_private:
        followers = set(follower_ids(complaint))
        notify(template="followed_update", users=followers, complaint=complaint, actor=actor)
        if message.company_id is not None:
            # Told once: who follows the complaint already heard of it.
            notify(template="company_answered",
                   users=set(company_follower_ids(complaint.company_id)) - followers - {complaint.author_id},
                   complaint=complaint, actor=actor)


def _check_callback(complaint: Complaint, when, *, for_company: bool) -> None:
    """A call-back is proposed by the company, in the future, inside the author's reachable times."""
    if not for_company:
        raise CallbackTimeError(_("Only the company proposes a call-back time."))
    if when <= timezone.now():
        raise CallbackTimeError(_("The call-back time must be in the future."))
    local = timezone.localtime(when)
    if complaint.reachable_days and str(local.weekday()) not in complaint.reachable_days:
        raise CallbackTimeError(_("The author cannot be reached on that day."))
    start, end = complaint.reachable_from, complaint.reachable_until
    if start and end and not (start <= local.time() <= end):
        raise CallbackTimeError(
            _("The author can be reached between %(start)s and %(end)s.")
            % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
        )


# Offers.

def _locked_offer(offer: Offer) -> Offer:
    """The offer, locked; refused once its complaint is no longer an open conversation."""
    offer = Offer.objects.select_for_update().select_related("complaint", "company").get(pk=offer.pk)
    if offer.complaint.status not in CONVERSATION_STATUSES:
        raise ComplaintError(_("This complaint is closed; its offers can no longer change."))
    return offer


def _offer_timeline(offer: Offer, event: str, user) -> None:
    _timeline(offer.complaint_id, status=offer.complaint.status, event=event, params=offer_params(offer), actor=user)


def offer_respond(*, offer: Offer, user, accept: bool, reason: str = "") -> Offer:
    """The author accepts or declines an open offer before it expires."""
    with transaction.atomic():
        offer = _locked_offer(offer)
        if offer.complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can answer an offer."))
        if offer.status != Offer.Status.OPEN:
            raise ComplaintError(_("This offer has already been answered."))
        if offer.is_expired:
            raise ComplaintError(_("This offer has expired and can no longer be accepted."))
        offer.status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
        offer.response_reason = reason[:500]
        offer.responded_at = timezone.now()
        offer.save()
        _offer_timeline(offer, Event.OFFER_ACCEPTED if accept else Event.OFFER_DECLINED, user)
        schedule_scorecard_refresh(offer.company_id)
        Complaint.objects.filter(pk=offer.complaint_id).update(
            waiting_on=Complaint.WaitingOn.COMPANY, waiting_since=offer.responded_at
        )
        notify(template="offer_answered", users=representative_ids(offer.company), complaint=offer.complaint,
               actor=user, accepted=accept, reason=offer.response_reason)
        company_event.send(sender=Complaint, complaint=offer.complaint,
                           event="offer.accepted" if accept else "offer.declined",
                           data={"offer": {"id": offer.pk, "kind": offer.kind, "reason": offer.response_reason}})
    return offer


def offer_mark_delivered(*, offer: Offer, user) -> Offer:
    """The company says it has given what the author accepted."""
    with transaction.atomic():
        offer = _locked_offer(offer)
        if not represents(user, offer.company_id):
            raise ComplaintError(_("Only the company's representatives can do this."))
        if offer.status != Offer.Status.ACCEPTED:
            raise ComplaintError(_("Only an accepted offer can be marked as delivered."))
        offer.status = Offer.Status.DELIVERED
        offer.delivered_at = timezone.now()
        offer.save()
        _offer_timeline(offer, Event.OFFER_DELIVERED, user)
        schedule_scorecard_refresh(offer.company_id)
        # Now it is the author's move: confirm or dispute.
        Complaint.objects.filter(pk=offer.complaint_id).update(
            waiting_on=Complaint.WaitingOn.AUTHOR, waiting_since=offer.delivered_at
        )
        notify(template="offer_delivered", users=[offer.complaint.author_id], complaint=offer.complaint, actor=user)
    return offer


def offer_confirm_delivery(*, offer: Offer, user, received: bool, reason: str = "") -> Offer:
    """The author confirms that the company delivered, or disputes it."""
    with transaction.atomic():
        offer = _locked_offer(offer)
        if offer.complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can confirm a delivery."))
        if offer.status != Offer.Status.DELIVERED:
            raise ComplaintError(_("The company has not marked this offer as delivered."))
        offer.status = Offer.Status.CONFIRMED if received else Offer.Status.DISPUTED
        offer.confirmed_at = timezone.now()
        offer.response_reason = reason[:500] if not received else offer.response_reason
        offer.save()
        _offer_timeline(offer, Event.OFFER_CONFIRMED if received else Event.OFFER_DISPUTED, user)
        schedule_scorecard_refresh(offer.company_id)
        notify(template="offer_confirmed", users=representative_ids(offer.company), complaint=offer.complaint,
               actor=user, received=received)
    return offer


# The author's evaluation and the end of the lifecycle.

def complaint_evaluate(*, complaint: Complaint, user, data: dict, submission_token=None) -> Evaluation:
    """The author says whether it was resolved; a second evaluation counts as the one allowed change."""
    with transaction.atomic():
        complaint = _locked(complaint)
        viewer = Viewer(user, complaint)
        if not viewer.is_author:
            raise ComplaintError(_("Only the author can evaluate the complaint."))
        evaluation = Evaluation.objects.select_for_update().filter(complaint=complaint).first()
        if evaluation is not None and submission_token is not None and evaluation.submission_token == submission_token:
            return evaluation  # the same form sent twice (a double click): not the one allowed change
        if evaluation is None:
            if not may_evaluate_now(complaint):
                raise ComplaintError(
                    _("You can evaluate after the company's first answer, or %(days)s days after publishing.")
                    % {"days": settings.COMPLAINT_ANSWER_DAYS}
                )
            evaluation = Evaluation(complaint=complaint, **data)
        else:
            evaluation.complaint = complaint
            if not can_change_evaluation(evaluation):
                raise ComplaintError(_("The evaluation can be changed only once, within 30 days."))
            for name, value in data.items():
                setattr(evaluation, name, value)
            evaluation.change_count += 1
            evaluation.updated_at = timezone.now()
        evaluation.submission_token = submission_token
        evaluation.save()
        schedule_scorecard_refresh(complaint.company_id)

        target = Complaint.Status.RESOLVED if evaluation.resolved else Complaint.Status.UNRESOLVED
        if complaint.status != target:
            event = Event.EVALUATED_RESOLVED if evaluation.resolved else Event.EVALUATED_UNRESOLVED
            _move(complaint, to=target, actor=user, event=event)
        _set_waiting(complaint, Complaint.WaitingOn.NOBODY, timezone.now())
        complaint.save()
        notify(template="evaluated", users=representative_ids(complaint.company), complaint=complaint, actor=user,
               resolved=evaluation.resolved, rating=evaluation.rating)
        company_event.send(sender=Complaint, complaint=complaint, event="complaint.evaluated", data={
            "evaluation": {"resolved": evaluation.resolved, "rating": evaluation.rating,
                           "would_return": evaluation.would_return},
        })
        notify(template="followed_evaluated", users=follower_ids(complaint), complaint=complaint, actor=user,
               resolved=evaluation.resolved)
    return evaluation


def complaint_reopen(*, complaint: Complaint, user, note: str = "") -> Complaint:
    """The author says it was not resolved after all: back to answered, once."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can reopen the complaint."))
        if complaint.reopened_at is not None:
            raise ComplaintError(_("A complaint can be reopened only once."))
        # Back to answered; one the company never answered goes back to waiting for it.
        target = Complaint.Status.ANSWERED if complaint.first_answered_at else Complaint.Status.PUBLISHED
        _move(complaint, to=target, actor=user, event=Event.REOPENED, note=note)
        complaint.reopened_at = timezone.now()
        Evaluation.objects.filter(complaint=complaint).delete()
        _set_waiting(complaint, Complaint.WaitingOn.COMPANY, complaint.reopened_at)
        complaint.save()
        notify(template="reopened", users=representative_ids(complaint.company), complaint=complaint, actor=user)
    return complaint


def complaint_withdraw(*, complaint: Complaint, user, reason: str = "") -> Complaint:
    """The author withdraws; the complaint stays as a tombstone and leaves the figures."""
    with transaction.atomic():
        complaint = _locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can withdraw the complaint."))
        _move(complaint, to=Complaint.Status.WITHDRAWN, actor=user, event=Event.WITHDRAWN, note=reason)
        _set_waiting(complaint, Complaint.WaitingOn.NOBODY, timezone.now())
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
            _move(complaint, to=Complaint.Status.CLOSED, actor=None, event=Event.CLOSED_WITHOUT_EVALUATION,
                  params={"days": settings.COMPLAINT_CLOSE_DAYS})
            _set_waiting(complaint, Complaint.WaitingOn.NOBODY, now)
            complaint.save()
            closed += 1
    return closed


# Taking part: "me too", following, comments.

def me_too_toggle(*, complaint: Complaint, user) -> bool:
    """Add the member's "me too" (or take it back); returns whether it is now on."""
    if not Viewer(user, complaint).can_take_part:
        raise ComplaintError(_("Only members can say “me too” on a public complaint."))
    viewer = Viewer(user, complaint)
    if viewer.is_author:
        raise ComplaintError(_("This is your own complaint."))
    if viewer.is_representative:
        # The company's own people would inflate "had the same problem".
        raise ComplaintError(_("Representatives of the company cannot say “me too”."))
    with transaction.atomic():
        deleted, _rows = MeToo.objects.filter(complaint=complaint, user=user).delete()
        if deleted:
            Complaint.objects.filter(pk=complaint.pk).update(me_too_count=F("me_too_count") - 1)
            schedule_scorecard_refresh(complaint.company_id)
            return False
    try:
        with transaction.atomic():
            MeToo.objects.create(complaint=complaint, user=user)
            Complaint.objects.filter(pk=complaint.pk).update(me_too_count=F("me_too_count") + 1)
            schedule_scorecard_refresh(complaint.company_id)
    except IntegrityError:
        pass  # a double click: the first one counted
    return True


def follow_toggle(*, complaint: Complaint, user) -> bool:
    """Follow a public complaint, or stop following any complaint."""
    deleted, _rows = Follow.objects.filter(complaint=complaint, user=user).delete() if user.is_authenticated else (0, 0)
    if deleted:
        return False
    if not Viewer(user, complaint).can_take_part:
        raise ComplaintError(_("Only members can follow a public complaint."))
    try:
        with transaction.atomic():
            Follow.objects.create(complaint=complaint, user=user)
    except IntegrityError:
        pass
    return True


def company_follow_toggle(*, company, user) -> bool:
    """Follow a listed company, or stop following any company. Returns whether the member follows it now."""
    if not user.is_authenticated:
        raise ComplaintError(_("Only members can follow a company."))
    deleted, _rows = CompanyFollow.objects.filter(company=company, user=user).delete()
    if deleted:
        return False
    if not company.is_listed:
        raise ComplaintError(_("Only a company shown in the directory can be followed."))
    with transaction.atomic():
        CompanyFollow.objects.get_or_create(company=company, user=user)
    return True


def comment_post(*, complaint: Complaint, user, body: str, submission_token=None, send_anyway: bool = False) -> Comment:
    """A public comment below the thread; it never changes the complaint's state. Personal data in it
    is refused, or held for a moderator when sent anyway."""
    if not Viewer(user, complaint).can_take_part:
        raise ComplaintError(_("Only members can comment on a public complaint."))
    ensure_can_post(user)
    with transaction.atomic():
        if submission_token is not None:
            existing = Comment.objects.filter(author=user, submission_token=submission_token).first()
            if existing is not None:
                return existing
        held = hold_for_personal_data(body, send_anyway=send_anyway)
        try:
            with transaction.atomic():
                comment = Comment.objects.create(
                    complaint=complaint, author=user, body=body, text_held=held,
                    submission_token=submission_token or uuid.uuid4(),
                )
        except IntegrityError:
            # The same form sent twice at once: the request that got in first posted the comment.
            if submission_token is None:
                raise
            return Comment.objects.get(author=user, submission_token=submission_token)
    return comment


def member_language_set(*, user, language: str) -> None:
    """Remember the language a member signed up in or switched to; their e-mails are written in it."""
    if not getattr(user, "pk", None) or language not in dict(settings.LANGUAGES):
        return
    MemberPreferences.objects.update_or_create(user=user, defaults={"language": language})
