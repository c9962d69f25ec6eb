"""The public timeline in the reader's language.

A timeline row stores what happened as a code with parameters (StatusChange.event and
.params); the sentence is made here, at render time, in the active language. Free text
(a moderator's note, the author's reason) stays in StatusChange.note as written.
"""

from decimal import Decimal, InvalidOperation

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from complaints.models import ModerationAction, Offer, StatusChange

E = StatusChange.Event

# Sentences without parameters.
SENTENCES = {
    E.SUBMITTED: lambda: _("Submitted; waiting for review by the moderators."),
    E.PUBLISHED_AUTOMATICALLY: lambda: _("Published automatically."),
    E.PUBLISHED_AFTER_REVIEW: lambda: _("Approved by the moderators."),
    E.TAKEN_BACK: lambda: _("Taken back by the author to edit and resubmit."),
    E.ANSWERED: lambda: _("The company answered."),
    E.EVALUATED_RESOLVED: lambda: _("The author says it is resolved."),
    E.EVALUATED_UNRESOLVED: lambda: _("The author says it is not resolved."),
    E.REOPENED: lambda: _("The author says it was not resolved after all."),
    E.WITHDRAWN: lambda: _("The author withdrew this complaint."),
    E.RESTORED: lambda: _("Restored by the moderators."),
    E.ITEM_RESTORED: lambda: _("A message or comment was restored by the moderators."),
    E.REDACTED: lambda: _("Personal data was removed by the moderators."),
    E.EDITED_BY_MODERATOR: lambda: _("Edited by the moderators."),
    E.IMPORTED: lambda: _("Imported from the US CFPB public complaint database."),
    E.CALLBACK_ACCEPTED: lambda: _("The author accepted the call-back time the company proposed."),
    E.CALLBACK_DECLINED: lambda: _("The author declined the call-back time the company proposed."),
}

OFFER_SENTENCES = {
    E.OFFER_MADE: lambda offer: _("The company made an offer: %(offer)s.") % {"offer": offer},
    E.OFFER_ACCEPTED: lambda offer: _("The author accepted the offer: %(offer)s.") % {"offer": offer},
    E.OFFER_DECLINED: lambda offer: _("The author declined the offer: %(offer)s.") % {"offer": offer},
    E.OFFER_DELIVERED: lambda offer: _("The company says it delivered the offer: %(offer)s.") % {"offer": offer},
    E.OFFER_CONFIRMED: lambda offer: _("The author confirmed receiving the offer: %(offer)s.") % {"offer": offer},
    E.OFFER_DISPUTED: lambda offer: _("The author says the offer was not delivered: %(offer)s.") % {"offer": offer},
}


def offer_params(offer: Offer) -> dict:
    """What the public timeline keeps of an offer: its kind and size, never its private details."""
    params = {"offer": offer.pk, "kind": offer.kind}
    if offer.amount is not None:
        params |= {"amount": str(offer.amount), "currency": offer.currency}
    if offer.days:
        params["days"] = offer.days
    return params


def _reason(code) -> str:
    if code in ModerationAction.ReasonCode.values:
        return str(ModerationAction.ReasonCode(code).label)
    return str(code or "")


def _offer_text(params: dict) -> str:
    kind = params.get("kind")
    parts = [str(Offer.Kind(kind).label) if kind in Offer.Kind.values else str(kind or "")]
    if params.get("amount") not in (None, ""):
        try:
            amount = floatformat(Decimal(str(params["amount"])), "2g")  # grouped in the active locale
        except (InvalidOperation, ValueError):
            amount = str(params["amount"])
        parts.append(f"{amount} {params.get('currency', '')}".strip())
    if params.get("days"):
        parts.append(ngettext("%(count)s day", "%(count)s days", params["days"]) % {"count": params["days"]})
    return ", ".join(part for part in parts if part)


def describe(event: str, params: dict | None) -> str:
    """The sentence for a timeline event in the active language ("" for an unknown or blank code)."""
    params = params or {}
    if event in SENTENCES:
        return SENTENCES[event]()
    if event in OFFER_SENTENCES:
        return OFFER_SENTENCES[event](_offer_text(params))
    if event == E.REJECTED:
        return _("Rejected by the moderators: %(reason)s") % {"reason": _reason(params.get("reason"))}
    if event == E.HIDDEN:
        return _("Hidden by the moderators: %(reason)s") % {"reason": _reason(params.get("reason"))}
    if event == E.ITEM_HIDDEN:
        return _("A message or comment was hidden by the moderators: %(reason)s") % {
            "reason": _reason(params.get("reason"))
        }
    if event == E.CLOSED_WITHOUT_EVALUATION:
        return _("Closed without an evaluation after %(days)s days.") % {"days": params.get("days", "")}
    if event == E.MOVED:
        # Company names are shown as written, like everywhere else.
        return _("Moved by the moderators from %(old)s to %(new)s.") % {
            "old": params.get("old", ""), "new": params.get("new", "")
        }
    return ""


def sentence(change: StatusChange) -> str:
    """What a change in the timeline did, in the active language."""
    return describe(change.event, change.params)
