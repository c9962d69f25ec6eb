"""Moderation: every decision a moderator makes, and members' flags.

Same order as the other services: check, lock, change, record. Every decision
writes an append-only ModerationAction (who, what, why, when). Changes of a
complaint's state also write a public timeline row without the moderator's
name. The author is told by e-mail after commit.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from companies.models import (
    Company,
    CompanyDomain,
    CompanySlugRedirect,
    ContactState,
    ReplyTemplate,
    RepresentationClaim,
    Representative,
    Scorecard,
)
from companies.text import normalise_company_name
from complaints.models import (
    Comment,
    Complaint,
    Flag,
    Message,
    ModerationAction,
    Offer,
    Redaction,
    StatusChange,
    Suspension,
    Version,
)
from complaints.pii import has_personal_data
from complaints.services.lifecycle import (
    ComplaintError,
    ensure_can_post,
    hold_for_personal_data,
    locked,
    move,
    new_personal_data,
    publish,
    record_event,
    title_personal_data_message,
)
from complaints.services.notifications import notify
from complaints.services.scorecards import schedule_scorecard_refresh
from complaints.services.thread import message_announce
from core.paging import counts
from core.public_content import public_content_changed
from core.roles import is_moderator

Event = StatusChange.Event


def redaction_marker(item) -> str:
    """The text put in place of what was removed, in the language the item is written in."""
    complaint = item if isinstance(item, Complaint) else item.complaint
    codes = {code for code, _name in settings.LANGUAGES}
    with translation.override(complaint.language if complaint.language in codes else settings.LANGUAGE_CODE):
        return _("[removed: personal data]")


def _require_moderator(user) -> None:
    if not is_moderator(user):
        raise ComplaintError(_("Only moderators can do this."))


def _record(*, actor, action, reason, note="", **targets) -> ModerationAction:
    if reason not in ModerationAction.ReasonCode.values:
        raise ComplaintError(_("Choose a reason from the list."))
    return ModerationAction.objects.create(actor=actor, action=action, reason=reason, note=note[:500], **targets)


def _reason_label(reason: str) -> str:
    # Also the check for services that put the label in a note or a mail before _record runs.
    if reason not in ModerationAction.ReasonCode.values:
        raise ComplaintError(_("Choose a reason from the list."))
    return str(ModerationAction.ReasonCode(reason).label)


def _item_targets(item) -> dict:
    if isinstance(item, Complaint):
        return {"complaint": item}
    if isinstance(item, Message):
        return {"message": item, "complaint_id": item.complaint_id}
    if isinstance(item, Comment):
        return {"comment": item, "complaint_id": item.complaint_id}
    raise TypeError(item)


def _public_note(complaint: Complaint, event: str, params: dict | None = None) -> None:
    """A timeline row for a moderation action that does not change the status (no moderator named)."""
    record_event(complaint.pk, status=complaint.status, event=event, params=params)


def _flags_of(item):
    return Flag.objects.filter(**{type(item).__name__.lower(): item})


def _let_read(item) -> None:
    """A held text may be read again (saved by the caller); a message held since it was sent is
    announced now, as it would have been then."""
    item.text_held = False
    if isinstance(item, Message) and not item.announced:
        item.announced = True
        message_announce(item, complaint=item.complaint, actor=item.author)


def _close_flags(item, *, moderator, status) -> None:
    _flags_of(item).filter(status=Flag.Status.OPEN).update(
        status=status, decided_by=moderator, decided_at=timezone.now()
    )


# Pending complaints.

def moderation_approve(*, complaint: Complaint, moderator, reason: str = "ok", note: str = "") -> Complaint:
    """Publish a complaint that waited for review."""
    _require_moderator(moderator)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.status != Complaint.Status.PENDING:
            raise ComplaintError(_("This complaint is no longer waiting for review: another moderator has already "
                                   "decided."))
        publish(complaint, actor=None, event=Event.PUBLISHED_AFTER_REVIEW)
        _record(actor=moderator, action=ModerationAction.Action.APPROVE, reason=reason, note=note, complaint=complaint)
        notify(template="moderation_approved", users=[complaint.author_id], complaint=complaint)
    return complaint


def moderation_reject(*, complaint: Complaint, moderator, reason: str, note: str = "") -> Complaint:
    """Refuse a pending complaint; the author is told why and may edit and resubmit once."""
    _require_moderator(moderator)
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.status != Complaint.Status.PENDING:
            raise ComplaintError(_("This complaint is no longer waiting for review: another moderator has already "
                                   "decided."))
        _reason_label(reason)  # refuses an unknown reason before anything changes
        move(complaint, to=Complaint.Status.REJECTED, actor=None, event=Event.REJECTED, params={"reason": reason})
        complaint.save()
        public_content_changed()
        _record(actor=moderator, action=ModerationAction.Action.REJECT, reason=reason, note=note, complaint=complaint)
        notify(template="moderation_rejected", users=[complaint.author_id], complaint=complaint,
               reason_code=reason, note=note, can_resubmit=not complaint.resubmitted)
    return complaint


def complaint_reopen_rejected(*, complaint: Complaint, user) -> Complaint:
    """The author takes a rejected complaint back as a draft to edit and resubmit (once)."""
    with transaction.atomic():
        complaint = locked(complaint)
        if complaint.author_id != user.pk:
            raise ComplaintError(_("Only the author can do this."))
        if complaint.status != Complaint.Status.REJECTED or complaint.resubmitted:
            raise ComplaintError(_("This complaint cannot be resubmitted."))
        ensure_can_post(user)
        move(complaint, to=Complaint.Status.DRAFT, actor=user, event=Event.TAKEN_BACK)
        complaint.resubmitted = True  # the next submission always waits for review
        complaint.save()
    return complaint


# Hiding and restoring.

def moderation_hide(*, item, moderator, reason: str, note: str = ""):
    """Hide a complaint (a tombstone stays), a message or a comment, with a public reason."""
    _require_moderator(moderator)
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        if isinstance(item, Complaint):
            if item.status == Complaint.Status.HIDDEN:
                raise ComplaintError(_("This complaint is already hidden."))
            previous = item.status
            _reason_label(reason)  # refuses an unknown reason before anything changes
            move(item, to=Complaint.Status.HIDDEN, actor=None, event=Event.HIDDEN, params={"reason": reason})
            item.status_before_hidden = previous
            item.save()
            notify(template="moderation_hidden", users=[item.author_id], complaint=item,
                   reason_code=reason, note=note)
        else:
            if item.is_hidden:
                raise ComplaintError(_("This is already hidden."))
            item.is_hidden = True
            item.save(update_fields=["is_hidden"])
            public_content_changed()  # a complaint's hiding is seen to by move
            _reason_label(reason)
            _public_note(item.complaint, Event.ITEM_HIDDEN, {"reason": reason})
        _close_flags(item, moderator=moderator, status=Flag.Status.UPHELD)
        _record(actor=moderator, action=ModerationAction.Action.HIDE, reason=reason, note=note, **_item_targets(item))
    return item


def moderation_restore(*, item, moderator, reason: str = "ok", note: str = ""):
    """Show a hidden item again, as it was."""
    _require_moderator(moderator)
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        if isinstance(item, Complaint):
            if item.status != Complaint.Status.HIDDEN:
                raise ComplaintError(_("This complaint is not hidden."))
            move(item, to=item.status_before_hidden or Complaint.Status.PUBLISHED, actor=None,
                  event=Event.RESTORED)
            item.status_before_hidden = ""
            item.text_held = False
            item.save()
            notify(template="moderation_restored", users=[item.author_id], complaint=item, note=note)
        else:
            if not item.is_hidden and not item.text_held:
                raise ComplaintError(_("This is not hidden."))
            if item.is_hidden:
                _public_note(item.complaint, Event.ITEM_RESTORED)
            item.is_hidden = False
            _let_read(item)
            item.save()
            public_content_changed()
        _record(actor=moderator, action=ModerationAction.Action.RESTORE, reason=reason, note=note,
                **_item_targets(item))
    return item


# Redaction.

REDACTABLE_FIELDS = {Complaint: ("title", "story"), Message: ("body",), Comment: ("body",)}


def moderation_redact(*, item, field: str, selection: str, moderator, reason: str = "personal_data",
                      note: str = ""):
    """Replace a selected part of a text with "[removed: personal data]"; keep the original for moderators."""
    _require_moderator(moderator)
    if field not in REDACTABLE_FIELDS[type(item)]:
        raise ComplaintError(_("This text cannot be redacted."))
    if not selection.strip():
        raise ComplaintError(_("Select the text to remove."))
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        original = getattr(item, field)
        if selection not in original and "\r\n" in original:
            # Selected in a browser, line breaks come as "\n"; a text sent from a form keeps "\r\n".
            selection = selection.replace("\r\n", "\n").replace("\n", "\r\n")
        if selection not in original:
            raise ComplaintError(_("The selected text is no longer in the item; reload and select again."))
        setattr(item, field, original.replace(selection, redaction_marker(item)))
        if isinstance(item, Complaint):
            item.text_held = False
        else:
            _let_read(item)
        item.save()
        public_content_changed()
        complaint = item if isinstance(item, Complaint) else item.complaint
        if complaint.status != Complaint.Status.PENDING:
            _public_note(complaint, Event.REDACTED)
        Redaction.objects.create(field=field, original=original, removed=selection, actor=moderator,
                                 **{k: v for k, v in _item_targets(item).items() if k != "complaint_id"})
        _close_flags(item, moderator=moderator, status=Flag.Status.UPHELD)
        _record(actor=moderator, action=ModerationAction.Action.REDACT, reason=reason, note=note,
                **_item_targets(item))
    return item


def redactions_purge(*, now=None) -> int:
    """Delete redacted originals older than REDACTION_KEEP_DAYS (for a daily cron job)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REDACTION_KEEP_DAYS)
    deleted, _rows = Redaction.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Flags.

def flag_create(*, user, item, reason: str, text: str = "") -> Flag:
    """A member reports an item, once; several personal-data reports hold its text until a moderator looks."""
    if not user.is_authenticated:
        raise ComplaintError(_("Sign in to report content."))
    ensure_can_post(user)
    author_id = item.author_id
    if author_id == user.pk:
        raise ComplaintError(_("You cannot report your own words."))
    if reason not in Flag.Reason.values:
        raise ComplaintError(_("Choose a reason from the list."))
    if reason == Flag.Reason.OTHER and not text.strip():
        raise ComplaintError(_("Say what is wrong."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                flag = Flag.objects.create(reporter=user, reason=reason, text=text[:500],
                                           **{type(item).__name__.lower(): item})
        except IntegrityError:
            raise ComplaintError(_("You have already reported this.")) from None
        held_by = _flags_of(item).filter(reason=Flag.Reason.PERSONAL_DATA, status=Flag.Status.OPEN)
        if held_by.values("reporter").distinct().count() >= settings.PERSONAL_DATA_FLAGS_TO_HOLD:
            type(item).objects.filter(pk=item.pk).update(text_held=True)
            public_content_changed()
    return flag


def moderation_dismiss_flags(*, item, moderator, note: str = "") -> int:
    """The reports about an item were not right, or a text held for personal data is fine after all:
    close the reports and let the text be read."""
    _require_moderator(moderator)
    with transaction.atomic():
        item = type(item).objects.select_for_update().get(pk=item.pk)
        count = _flags_of(item).filter(status=Flag.Status.OPEN).update(
            status=Flag.Status.DISMISSED, decided_by=moderator, decided_at=timezone.now()
        )
        if count == 0 and not item.text_held:
            raise ComplaintError(_("There are no open reports about this; someone may have decided already."))
        if item.text_held:
            _let_read(item)
            item.save()
            public_content_changed()
        action = ModerationAction.Action.DISMISS_FLAG if count else ModerationAction.Action.RELEASE
        _record(actor=moderator, action=action, reason="ok", note=note, **_item_targets(item))
    return count


# Companies.

def moderation_move(*, complaint: Complaint, company: Company, moderator, reason: str = "wrong_company",
                    note: str = "") -> Complaint:
    """Move a complaint to the company it is really about; both records change."""
    _require_moderator(moderator)
    with transaction.atomic():
        complaint = locked(complaint)
        old = complaint.company
        if old.pk == company.pk:
            raise ComplaintError(_("The complaint is already about this company."))
        complaint.company = company
        complaint.save()
        Offer.objects.filter(complaint=complaint).update(company=company)
        _public_note(complaint, Event.MOVED, {"old": old.name, "new": company.name})
        _record(actor=moderator, action=ModerationAction.Action.MOVE, reason=reason, note=note,
                complaint=complaint, company=company)
        schedule_scorecard_refresh(old.pk)
        schedule_scorecard_refresh(company.pk)
        public_content_changed()  # after the refreshes: the pages then show the new figures
    return complaint


def moderation_merge(*, source: Company, target: Company, moderator, note: str = "") -> Company:
    """Merge a duplicate company into another: complaints, aliases, domains and representatives move,
    and the old address redirects."""
    _require_moderator(moderator)
    if source.pk == target.pk:
        raise ComplaintError(_("Choose two different companies."))
    with transaction.atomic():
        # Both rows locked in one order, so two merges of the same pair cannot deadlock.
        locked = {c.pk: c for c in Company.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
                  .order_by("pk")}
        source, target = locked[source.pk], locked[target.pk]
        merged_away = set(CompanySlugRedirect.objects.filter(old_slug__in=[source.slug, target.slug])
                          .values_list("old_slug", flat=True))
        if not source.is_listed and source.slug in merged_away:
            raise ComplaintError(_("This company has already been merged: another moderator has already decided."))
        if not target.is_listed and target.slug in merged_away:
            raise ComplaintError(_("That company has been merged into another one; choose the one it was merged into."))
        Complaint.objects.filter(company=source).update(company=target)
        Offer.objects.filter(company=source).update(company=target)
        Message.objects.filter(company=source).update(company=target)
        CompanyDomain.objects.filter(company=source).update(company=target)
        for rep in Representative.objects.filter(company=source):
            if not Representative.objects.filter(company=target, user_id=rep.user_id).exists():
                Representative.objects.create(user_id=rep.user_id, company=target, verified_by=rep.verified_by,
                                              work_email=rep.work_email, role=Representative.Role.MEMBER)
            rep.delete()
        RepresentationClaim.objects.filter(company=source).exclude(
            user_id__in=RepresentationClaim.objects.filter(company=target, status__in=RepresentationClaim.OPEN_STATUSES)
            .values("user_id")
        ).update(company=target)
        for template in ReplyTemplate.objects.filter(company=source):
            if ReplyTemplate.objects.filter(company=target, title=template.title).exists():
                template.title = f"{template.title} ({source.name})"[:100]
            template.company = target
            template.save()
        names = [source.name, *source.alias_list(), *target.alias_list()]
        target.aliases = "\n".join(dict.fromkeys(n for n in names if n and n != target.name))
        # A moderator looked at both: neither waits in the list of proposed companies any longer.
        _mark_checked(target, moderator)
        _mark_checked(source, moderator)
        target.save()
        CompanySlugRedirect.objects.filter(company=source).update(company=target)
        CompanySlugRedirect.objects.update_or_create(old_slug=source.slug, defaults={"company": target})
        Scorecard.objects.filter(company=source).delete()
        source.is_listed = False
        source.save(update_fields=["is_listed", "checked_at", "checked_by"])
        # A record for moderators, kept as written (not interface text).
        merged = f"Merged: {source.name} (/companies/{source.slug}/)."
        _record(actor=moderator, action=ModerationAction.Action.MERGE, reason="duplicate",
                note=f"{merged} {note}".strip(), company=target)
        schedule_scorecard_refresh(target.pk)
        public_content_changed()
    return target


def _mark_checked(company: Company, moderator) -> None:
    if company.checked_at is None:
        company.checked_at, company.checked_by = timezone.now(), moderator


def moderation_confirm_company(*, company: Company, moderator, note: str = "") -> Company:
    """Confirm that a company proposed by a complainant is real and rightly named; it is listed."""
    _require_moderator(moderator)
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        if not company.is_unchecked:
            raise ComplaintError(_("This company has already been checked: another moderator has already decided."))
        if CompanySlugRedirect.objects.filter(old_slug=company.slug).exists():
            raise ComplaintError(_("This company has already been merged: another moderator has already decided."))
        _mark_checked(company, moderator)
        company.is_listed = True
        company.save(update_fields=["checked_at", "checked_by", "is_listed"])
        public_content_changed()
        _record(actor=moderator, action=ModerationAction.Action.APPROVE_COMPANY, reason="ok", note=note,
                company=company)
    return company


def moderation_edit_company(*, company: Company, moderator, name: str, website: str, aliases: str,
                            note: str = "") -> Company:
    """Correct a company's name, website and other names (its address stays); a proposed company is checked."""
    _require_moderator(moderator)
    name = " ".join(name.split())
    if not normalise_company_name(name):
        raise ComplaintError(_("Give the company's name."))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        if CompanySlugRedirect.objects.filter(old_slug=company.slug).exists():
            raise ComplaintError(_("This company has already been merged: another moderator has already decided."))
        taken = Company.objects.filter(name_key=normalise_company_name(name)).exclude(pk=company.pk).first()
        if taken is not None:
            raise ComplaintError(_("%(name)s is already on the portal: merge this company into it instead.")
                                 % {"name": taken.name})
        company.name, company.website, company.aliases = name, website, aliases
        _mark_checked(company, moderator)
        company.save()
        public_content_changed()
        _record(actor=moderator, action=ModerationAction.Action.EDIT, reason="other", note=note, company=company)
    return company


def moderation_set_contact(*, company: Company, moderator, email: str, note: str = "") -> Company:
    """Record (or, with an empty address, remove) a company's public complaint address; recording
    it again starts mailing again after a stop or a refusal (complaints/services/company_contact.py)."""
    _require_moderator(moderator)
    email = email.strip().lower()
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        company.contact_email = email
        company.contact_state = ContactState.ACTIVE if email else ""
        company.contact_state_at = timezone.now()
        company.save(update_fields=["contact_email", "contact_state", "contact_state_at"])
        _record(actor=moderator, action=ModerationAction.Action.EDIT, reason="other", company=company,
                note=note or f"Public complaint address: {email or '(removed)'}")
    return company


# Members.

def moderation_suspend(*, member, moderator, reason: str, note: str = "") -> Suspension:
    _require_moderator(moderator)
    if member.pk == moderator.pk:
        raise ComplaintError(_("You cannot suspend yourself."))
    with transaction.atomic():
        suspension, created = Suspension.objects.get_or_create(
            user=member, defaults={"reason": note or _reason_label(reason), "suspended_by": moderator}
        )
        if not created:
            raise ComplaintError(_("This member is already suspended."))
        _record(actor=moderator, action=ModerationAction.Action.SUSPEND, reason=reason, note=note, member=member)
    return suspension


def moderation_unsuspend(*, member, moderator, note: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        deleted, _rows = Suspension.objects.filter(user=member).delete()
        if not deleted:
            raise ComplaintError(_("This member is not suspended."))
        _record(actor=moderator, action=ModerationAction.Action.UNSUSPEND, reason="ok", note=note, member=member)


# Edits: authors within a short time, moderators always; every edit keeps a version.

def complaint_edit(*, complaint: Complaint, user, title: str, story: str, send_anyway: bool = False) -> Complaint:
    """The author (for a while after publishing) or a moderator changes the words; the earlier ones are
    kept. Personal data the author adds is refused, or held for a moderator when sent anyway."""
    with transaction.atomic():
        complaint = locked(complaint)
        moderator = is_moderator(user)
        if not moderator:
            if complaint.author_id != user.pk:
                raise ComplaintError(_("Only the author or a moderator can edit this complaint."))
            if not complaint.is_public or complaint.published_at is None or (
                timezone.now() - complaint.published_at > timedelta(hours=settings.COMPLAINT_EDIT_HOURS)
            ):
                raise ComplaintError(
                    _("A complaint can be edited for %(hours)s hours after publishing; ask a moderator after that.")
                    % {"hours": settings.COMPLAINT_EDIT_HOURS}
                )
            ensure_can_post(user)
        if (title, story) == (complaint.title, complaint.story):
            return complaint
        if not moderator and new_personal_data(title, was=complaint.title):
            raise ComplaintError(title_personal_data_message())
        if not moderator and hold_for_personal_data(f"{title}\n{story}", send_anyway=send_anyway,
                                                    was=f"{complaint.title}\n{complaint.story}"):
            complaint.text_held = True
        Version.objects.create(complaint=complaint, title=complaint.title, body=complaint.story, edited_by=user)
        complaint.title, complaint.story = title, story
        complaint.edited_at = timezone.now()
        complaint.save()
        public_content_changed()  # an author too may be taking out something they regret
        if moderator and complaint.author_id != user.pk:
            _record(actor=user, action=ModerationAction.Action.EDIT, reason="other", complaint=complaint)
            _public_note(complaint, Event.EDITED_BY_MODERATOR)
    return complaint


def message_edit(*, message: Message, user, body: str, send_anyway: bool = False) -> Message:
    """The writer (for some minutes) or a moderator changes a message. Personal data the writer adds to
    public words is refused, or held when sent anyway; taking it out of a text held since it was sent
    lets it be read."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        moderator = is_moderator(user)
        if not moderator:
            if message.author_id != user.pk:
                raise ComplaintError(_("Only the writer or a moderator can edit this message."))
            if timezone.now() - message.created_at > timedelta(minutes=settings.MESSAGE_EDIT_MINUTES):
                raise ComplaintError(
                    _("A message can be edited for %(minutes)s minutes after posting.")
                    % {"minutes": settings.MESSAGE_EDIT_MINUTES}
                )
            ensure_can_post(user)
        if body == message.body:
            return message
        if not moderator and not message.is_private:
            if hold_for_personal_data(body, send_anyway=send_anyway, was=message.body):
                message.text_held = True
            elif not message.announced and not has_personal_data(body) and not _flags_of(message).exists():
                _let_read(message)
        Version.objects.create(message=message, body=message.body, edited_by=user)
        message.body = body
        message.edited_at = timezone.now()
        message.save()
        public_content_changed()
        if moderator and message.author_id != user.pk:
            _record(actor=user, action=ModerationAction.Action.EDIT, reason="other", message=message,
                    complaint_id=message.complaint_id)
    return message


# The queue.

def queue_counts() -> dict:
    """How much work waits in each list of the queue, all counted in one query."""
    open_flags = Flag.objects.filter(status=Flag.Status.OPEN)
    held = held_without_reports()
    counted = counts({
        "pending": Complaint.objects.filter(status=Complaint.Status.PENDING),
        **{f"flagged {kind}": open_flags.filter(**{f"{kind}__isnull": False}).values(kind).distinct()
           for kind in ("complaint", "message", "comment")},
        **{f"held {kind}": query for kind, query in held.items()},
        "claims": RepresentationClaim.objects.filter(status=RepresentationClaim.Status.PENDING),
        "companies": proposed_companies(),
    })
    return {
        "pending": counted["pending"],
        "flagged": sum(counted[f"flagged {kind}"] for kind in ("complaint", "message", "comment")),
        "held": sum(counted[f"held {kind}"] for kind in held),
        "claims": counted["claims"],
        "companies": counted["companies"],
    }


def held_without_reports() -> dict:
    """Texts held for personal data that no open report explains (sent anyway, or added in an edit),
    by kind: the queue lists them apart, for a moderator to let them be read, redact or hide."""
    open_reports = Flag.objects.filter(status=Flag.Status.OPEN)
    return {
        kind: model.objects.filter(text_held=True).exclude(
            Exists(open_reports.filter(**{kind: OuterRef("pk")}))
        ).exclude(**({"status": Complaint.Status.HIDDEN} if model is Complaint else {"is_hidden": True}))
        for kind, model in (("complaint", Complaint), ("message", Message), ("comment", Comment))
    }


def proposed_companies():
    """Companies named by complainants that no moderator has checked yet, once a complaint about
    them is sent (a draft's or a rejected complaint's company is nobody's business yet); they stay
    here after the complaint is published and the company shown."""
    submitted = Complaint.objects.filter(company=OuterRef("pk")).exclude(
        status__in=[Complaint.Status.DRAFT, Complaint.Status.REJECTED]
    )
    return Company.objects.filter(checked_at=None).filter(Exists(submitted)).exclude(
        slug__in=CompanySlugRedirect.objects.values("old_slug")
    )
