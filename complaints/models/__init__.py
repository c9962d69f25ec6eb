"""The complaints app's tables, by part: the complaint and its lifecycle, the thread, taking part, incidents,
moderation, notifications. Everything is re-exported here: `from complaints.models import Offer`."""

from complaints.models.complaint import (
    CARD_FIELDS,
    CURRENCIES,
    INBOX_FINISHED,
    INBOX_WAITED,
    LANGUAGE_CHOICES,
    PUBLIC_STATUS_VALUES,
    Attachment,
    Complaint,
    ComplaintQuerySet,
    StatusChange,
    evidence_path,
)
from complaints.models.incidents import Incident, IncidentAffected, IncidentUpdate
from complaints.models.moderation import Flag, ModerationAction, Redaction, Suspension, Version
from complaints.models.notifications import DEFAULT_DELIVERY, Delivery, MemberPreferences, Notification, Topic
from complaints.models.participation import Comment, CompanyFollow, Follow, MeToo
from complaints.models.thread import CallbackAnswer, CompanyContactMail, Evaluation, Message, Offer

__all__ = [
    "CARD_FIELDS", "CURRENCIES", "DEFAULT_DELIVERY", "INBOX_FINISHED", "INBOX_WAITED", "LANGUAGE_CHOICES",
    "PUBLIC_STATUS_VALUES", "Attachment", "CallbackAnswer", "Comment", "CompanyContactMail", "CompanyFollow", "Complaint",
    "ComplaintQuerySet", "Delivery", "Evaluation", "Flag", "Follow", "Incident", "IncidentAffected", "IncidentUpdate",
    "MeToo", "MemberPreferences", "Message", "ModerationAction", "Notification", "Offer", "Redaction", "StatusChange",
    "Suspension", "Topic", "Version", "evidence_path",
]
