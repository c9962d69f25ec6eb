"""Taking part beside the author: "me too", following, comments; and the language a member reads in."""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from complaints.access import Viewer
from complaints.models import (
    Comment,
    CompanyFollow,
    Complaint,
    Follow,
    MemberPreferences,
    MeToo,
)
from complaints.services.lifecycle import ComplaintError, ensure_can_post, hold_for_personal_data
from complaints.services.scorecards import schedule_scorecard_refresh


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
