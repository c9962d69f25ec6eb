"""A member's own data: everything they wrote and everything stored about them, and deleting the account.

`member_export` collects what a member may take away, as plain JSON values.
It holds their own private data (their complaints' private fields, private
messages on their complaints, their work e-mail addresses) and none of
anybody else's: the company speaks as the company, never as a named
representative with an address; moderators are never named.

`member_delete` is the account deletion service. Nobody deletes a complaint
(DESIGN.md), so the account row is kept but emptied: the complaints stay,
anonymised, and show their author as "Former member"; private fields and
contact data are wiped; the member may also withdraw their public complaints.
"""

import datetime
import decimal
import uuid
from importlib import import_module

from allauth.account.forms import ReauthenticateForm
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from companies.models import RepresentationClaim, Representative
from companies.services import representative_remove
from complaints.models import (
    Comment,
    Complaint,
    Evaluation,
    Flag,
    Follow,
    Message,
    MeToo,
    ModerationAction,
    Suspension,
    Version,
)
from complaints.services.lifecycle import complaint_withdraw
from complaints.services.scorecards import schedule_scorecard_refresh
from complaints.timeline import sentence
from core.public_content import public_content_changed

EXPORT_FORMAT = "complaint-portal-member-export/1"

# Wiped on every complaint of a deleted account: the private fields and the name shown.
WIPED_COMPLAINT_FIELDS = {
    "account_number": "",
    "phone": "",
    "reachable_times": "",
    "reachable_days": "",
    "reachable_from": None,
    "reachable_until": None,
    "display_name": "",
    "is_anonymous": True,
}


# Export.

def _json(value):
    """A model value as a JSON value."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _row(instance, fields) -> dict:
    return {name: _json(getattr(instance, name)) for name in fields}


def _ref(complaint: Complaint, user) -> dict:
    """Which complaint a row is about; the title only where the member may still see it."""
    ref = {"id": complaint.pk}
    if complaint.is_public or complaint.author_id == user.pk:
        ref["title"] = complaint.title
        ref["company"] = complaint.company.name
    return ref


def _complaint(complaint: Complaint, user) -> dict:
    data = {}
    for field in Complaint._meta.concrete_fields:
        if field.name == "author":
            continue
        if field.name == "company":
            data["company"] = {"id": complaint.company_id, "name": complaint.company.name,
                               "slug": complaint.company.slug}
            continue
        data[field.name] = _json(getattr(complaint, field.attname))
    data["evidence"] = [
        _row(attachment, ["id", "original_name", "content_type", "size", "width", "height", "created_at"])
        for attachment in complaint.attachments.all()
    ]
    data["timeline"] = [
        # The event as its code and parameters, and as a sentence in the export's language.
        {**_row(change, ["from_status", "to_status", "event", "params", "note", "created_at"]),
         "what": sentence(change), "by_you": change.actor_id == user.pk}
        for change in complaint.status_changes.all()
    ]
    # The whole conversation addressed to the author, private messages included;
    # the company speaks as the company. Messages a moderator took down are left
    # out unless the member wrote them.
    data["messages"] = [
        _message(message, user)
        for message in complaint.messages.all()
        if message.author_id == user.pk or not (message.is_hidden or message.text_held)
    ]
    data["offers"] = [
        {**_row(offer, ["id", "kind", "amount", "currency", "days", "description", "expires_on", "status",
                        "response_reason", "responded_at", "delivered_at", "confirmed_at", "created_at"]),
         "company": offer.company.name, "message_id": offer.message_id}
        for offer in complaint.offers.all()
    ]
    evaluation = getattr(complaint, "evaluation", None)
    data["evaluation"] = _row(evaluation, [
        "resolved", "rating", "would_return", *Evaluation.FACTORS, "comment", "change_count", "created_at",
        "updated_at",
    ]) if evaluation is not None else None
    data["earlier_versions"] = [
        _row(version, ["title", "body", "created_at"])
        for version in Version.objects.filter(complaint=complaint).order_by("created_at", "pk")
    ]
    return data


def _message(message: Message, user) -> dict:
    data = _row(message, ["id", "kind", "body", "is_private", "callback_at", "created_at", "edited_at"])
    data["from"] = "you" if message.author_id == user.pk else "company"
    if message.company_id is not None:
        data["company"] = message.company.name
    if message.author_id == user.pk:
        data.update(_row(message, ["is_hidden", "text_held"]))
    return data


def member_export(user) -> dict:
    """Everything the member wrote and everything stored about them, as JSON values."""
    complaints = (
        Complaint.objects.filter(author=user).select_related("company", "evaluation")
        .prefetch_related("attachments", "status_changes", "offers__company", "messages__company")
        .order_by("created_at", "pk")
    )
    written_elsewhere = (
        Message.objects.filter(author=user).exclude(complaint__author=user)
        .select_related("complaint__company", "company").order_by("created_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _json(timezone.now()),
        "account": {
            **_row(user, ["username", "email", "first_name", "last_name", "date_joined", "last_login"]),
            "email_addresses": [
                _row(address, ["email", "primary", "verified"])
                for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
        },
        "complaints": [_complaint(complaint, user) for complaint in complaints],
        # Messages the member wrote on other people's complaints (for a company they represent).
        "messages_for_companies": [
            {**_message(message, user), "complaint": _ref(message.complaint, user)} for message in written_elsewhere
        ],
        "comments": [
            {**_row(comment, ["id", "body", "created_at", "is_hidden", "text_held"]),
             "complaint": _ref(comment.complaint, user)}
            for comment in Comment.objects.filter(author=user).select_related("complaint__company")
        ],
        "me_too": [
            {"created_at": _json(row.created_at), "complaint": _ref(row.complaint, user)}
            for row in MeToo.objects.filter(user=user).select_related("complaint__company").order_by("created_at")
        ],
        "follows": [
            {"created_at": _json(row.created_at), "complaint": _ref(row.complaint, user)}
            for row in Follow.objects.filter(user=user).select_related("complaint__company").order_by("created_at")
        ],
        "flags": [_flag(flag, user) for flag in Flag.objects.filter(reporter=user).select_related(
            "complaint__company", "message__complaint__company", "comment__complaint__company")],
        "representations": [
            {**_row(rep, ["role", "verified_by", "work_email", "created_at"]),
             "company": {"id": rep.company_id, "name": rep.company.name}}
            for rep in Representative.objects.filter(user=user).select_related("company")
        ],
        "representation_claims": [
            {**_row(claim, ["work_email", "job_title", "evidence", "status", "reason", "created_at", "decided_at"]),
             "company": {"id": claim.company_id, "name": claim.company.name}}
            for claim in RepresentationClaim.objects.filter(user=user).select_related("company")
        ],
        "suspension": _suspension(user),
        # Moderators' decisions about the member's account; the moderators are not named.
        "moderation_of_account": [
            _row(action, ["action", "reason", "created_at"])
            for action in ModerationAction.objects.filter(member=user).order_by("created_at", "pk")
        ],
    }


def _flag(flag: Flag, user) -> dict:
    data = _row(flag, ["reason", "text", "status", "created_at", "decided_at"])
    if flag.complaint_id:
        data["about"] = {"complaint": _ref(flag.complaint, user)}
    elif flag.message_id:
        data["about"] = {"message": flag.message_id, "complaint": _ref(flag.message.complaint, user)}
    else:
        data["about"] = {"comment": flag.comment_id, "complaint": _ref(flag.comment.complaint, user)}
    return data


def _suspension(user) -> dict | None:
    suspension = Suspension.objects.filter(user=user).first()
    return _row(suspension, ["reason", "created_at"]) if suspension else None


# Deletion.

class DeleteAccountForm(ReauthenticateForm):
    """The password again (allauth's re-authentication, rate-limited like a sign-in), and a choice."""

    withdraw_complaints = forms.BooleanField(
        label=_("Also withdraw my public complaints"), required=False,
        help_text=_("Withdrawn complaints stay on the site as a short notice without their story "
                    "and no longer count in the companies' records."),
    )


def member_sessions(user) -> list[str]:
    """Keys of the live database sessions signed in as this user."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


def member_delete(*, user, withdraw_complaints: bool) -> None:
    """Delete a member's account, in one transaction; their complaints stay (anonymised) or are withdrawn."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return
        complaints = Complaint.objects.filter(author=user)

        if withdraw_complaints:
            note = gettext("Withdrawn when the author deleted their account.")
            for complaint in complaints.exclude(status=Complaint.Status.WITHDRAWN).order_by("pk"):
                if complaint.can_move_to(Complaint.Status.WITHDRAWN):
                    complaint_withdraw(complaint=complaint, user=user, reason=note)

        complaints.update(**WIPED_COMPLAINT_FIELDS, updated_at=timezone.now())
        public_content_changed()  # the author's name leaves their public complaints at once

        # A "me too" says a member had the same problem. Once the member is gone
        # nobody can stand behind it or take it back, and someone who signs up
        # again with the same address could say it a second time: it goes, and
        # the companies' counts are refreshed.
        me_toos = MeToo.objects.filter(user=user)
        for company_id in set(me_toos.values_list("complaint__company_id", flat=True)):
            schedule_scorecard_refresh(company_id)
        Complaint.objects.filter(me_toos__user=user).update(me_too_count=F("me_too_count") - 1)
        me_toos.delete()
        Follow.objects.filter(user=user).delete()

        # Leaving each company the normal way keeps an owner for it.
        for representative in Representative.objects.filter(user=user):
            representative_remove(representative=representative, by_user=user)
        claims = RepresentationClaim.objects.filter(user=user)
        claims.filter(status__in=RepresentationClaim.OPEN_STATUSES).delete()
        # Decided requests stay as the moderators' record, without the contact data.
        claims.update(work_email="", evidence="")

        EmailAddress.objects.filter(user=user).delete()
        user.username = f"former-{uuid.uuid4()}"
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()

        # Inactive accounts and a changed password hash already end every
        # session; deleting the rows removes what is stored about them too.
        session_store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in member_sessions(user):
            session_store(session_key=key).delete()  # the row, and the cached copy when sessions are cached

