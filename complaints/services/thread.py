"""The public thread: messages between the author and the company, offers, and the author's evaluation."""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.access import CONVERSATION_STATUSES, Viewer, can_change_evaluation, may_evaluate_now, represents
from complaints.evidence import Evidence
from complaints.models import (
    Attachment,
    CallbackAnswer,
    Complaint,
    Evaluation,
    Message,
    Offer,
    StatusChange,
)
from complaints.services.lifecycle import (
    CallbackTimeError,
    ComplaintError,
    ensure_can_post,
    hold_for_personal_data,
    locked,
    move,
    record_event,
    set_waiting,
)
from complaints.services.notifications import company_follower_ids, follower_ids, notify, representative_ids
from complaints.services.scorecards import schedule_scorecard_refresh
from complaints.signals import company_event
from complaints.timeline import offer_params

Event = StatusChange.Event


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
    files: list[Evidence] = (),
) -> Message:
    """The author replies, or a representative writes for the company (perhaps with an offer).

    Public words with personal data are refused, or held for a moderator when sent anyway;
    nobody is told about a held message until a moderator lets it be read. Files (checked
    evidence, at most MESSAGE_MAX_FILES) are seen by whoever may read the message.
    """
    written = []
    try:
        return _message_post(complaint=complaint, user=user, kind=kind, body=body, is_private=is_private,
                             callback_at=callback_at, offer=offer, submission_token=submission_token,
                             send_anyway=send_anyway, files=files, written=written)
    except BaseException:
        # The rows are rolled back; the files written so far must go too.
        for name in written:
            Attachment.file.field.storage.delete(name)
        raise


def _message_post(*, complaint, user, kind, body, is_private, callback_at, offer, submission_token, send_anyway,
                  files, written) -> Message:
    with transaction.atomic():
        complaint = locked(complaint)
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
        if len(files) > settings.MESSAGE_MAX_FILES:
            raise ComplaintError(_("Choose at most %(n)s files.") % {"n": settings.MESSAGE_MAX_FILES})
        for evidence in files:
            attachment = Attachment(
                complaint=complaint, message=message, original_name=evidence.original_name,
                content_type=evidence.content_type, size=len(evidence.content), width=evidence.width,
                height=evidence.height,
            )
            attachment.file.save("evidence", ContentFile(evidence.content), save=False)
            written.append(attachment.file.name)
            attachment.save()
        if kind == Message.Kind.OFFER:
            made = Offer.objects.create(complaint=complaint, message=message, company=complaint.company, **offer)
        if for_company:
            schedule_scorecard_refresh(complaint.company_id)

        if for_company and not is_private and complaint.first_answered_at is None:
            complaint.first_answered_at = now
            if complaint.status == Complaint.Status.PUBLISHED:
                move(complaint, to=Complaint.Status.ANSWERED, actor=user, event=Event.ANSWERED)
        if kind == Message.Kind.OFFER:
            record_event(complaint.pk, status=complaint.status, event=Event.OFFER_MADE, params=offer_params(made),
                      actor=user)
        set_waiting(complaint, Complaint.WaitingOn.AUTHOR if for_company else Complaint.WaitingOn.COMPANY, now)
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


def callback_respond(*, message: Message, user, accept: bool) -> CallbackAnswer:
    """The author accepts or declines the call-back time a company proposed; the company is told and
    the timeline says it (the time itself stays private: only that a call was agreed or not)."""
    with transaction.atomic():
        complaint = locked(message.complaint)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can answer a proposed call-back time."))
        if message.callback_at is None or message.company_id is None:
            raise ComplaintError(_("This message proposes no call-back time."))
        if complaint.status not in CONVERSATION_STATUSES:
            raise ComplaintError(_("This complaint is closed for new messages."))
        if CallbackAnswer.objects.filter(message=message).exists():
            raise ComplaintError(_("You have already answered this call-back time."))
        if message.callback_at <= timezone.now():
            raise ComplaintError(_("This call-back time has passed."))
        answer = CallbackAnswer.objects.create(message=message, accepted=accept)
        record_event(complaint.pk, status=complaint.status,
                     event=Event.CALLBACK_ACCEPTED if accept else Event.CALLBACK_DECLINED, actor=user)
        notify(template="callback_answered", users=representative_ids(complaint.company), complaint=complaint,
               actor=user, accepted=accept)
    return answer


# Offers.

def _locked_offer(offer: Offer) -> Offer:
    """The offer, locked; refused once its complaint is no longer an open conversation."""
    offer = Offer.objects.select_for_update().select_related("complaint", "company").get(pk=offer.pk)
    if offer.complaint.status not in CONVERSATION_STATUSES:
        raise ComplaintError(_("This complaint is closed; its offers can no longer change."))
    return offer


def _offer_timeline(offer: Offer, event: str, user) -> None:
    record_event(offer.complaint_id, status=offer.complaint.status, event=event, params=offer_params(offer), actor=user)


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


# The author's evaluation.

def complaint_evaluate(*, complaint: Complaint, user, data: dict, submission_token=None) -> Evaluation:
    """The author says whether it was resolved; a second evaluation counts as the one allowed change."""
    with transaction.atomic():
        complaint = locked(complaint)
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
            move(complaint, to=target, actor=user, event=event)
        set_waiting(complaint, Complaint.WaitingOn.NOBODY, timezone.now())
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
