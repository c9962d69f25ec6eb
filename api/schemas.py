"""The API's response and request shapes. The records' fields (api/records.py) become schemas
here, so the OpenAPI description, the exports and the Open data page name the same fields."""

import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field as PydanticField
from pydantic import create_model

from api.records import COMPANY_FIELDS, COMPLAINT_FIELDS, NEVER_EMPTY, WINDOW_FIELDS

TYPES = {
    "integer": int, "number": float, "decimal": str, "text": str, "date": datetime.date,
    "datetime": datetime.datetime, "boolean": bool, "json": dict[str, str],
}


def _schema(name: str, fields, never_empty: set, **extra):
    columns = {}
    for field in fields:
        kind = TYPES[field.kind]
        description = str(field.description)
        if field.name in never_empty:
            columns[field.name] = (kind, PydanticField(description=description))
        else:
            columns[field.name] = (kind | None, PydanticField(None, description=description))
    return create_model(name, __base__=Schema, **columns, **extra)


ComplaintOut = _schema("Complaint", COMPLAINT_FIELDS, NEVER_EMPTY["complaint"])
Figures = _schema("Figures", WINDOW_FIELDS, NEVER_EMPTY["window"])


CompanyOut = _schema("Company", COMPANY_FIELDS, NEVER_EMPTY["company"],
                     scorecards=(dict[Literal["12m", "6m", "all"], Figures | None],
                                 PydanticField(description="Figures per period: 12m, 6m and all (time).")))


class Page(Schema):
    next_cursor: str | None = PydanticField(None, description="Give it as `cursor` for the next page; null at the end.")
    next: str | None = PydanticField(None, description="The address of the next page; null at the end.")


class ComplaintPage(Page):
    items: list[ComplaintOut]


class CompanyPage(Page):
    items: list[CompanyOut]


class OfferOut(Schema):
    id: int
    kind: str
    amount: str | None
    currency: str | None
    days: int | None
    description: str
    expires_on: datetime.date
    status: str


class MessageOut(Schema):
    id: int
    side: Literal["company", "author"]
    kind: str
    body: str | None = PydanticField(description="Null while held for review or when hidden by the moderators.")
    held: bool
    hidden: bool
    private: bool = PydanticField(False, description="Private messages are only shown to the company's tokens.")
    callback_at: datetime.datetime | None
    created_at: datetime.datetime
    offer: OfferOut | None


class TimelineEntry(Schema):
    event: str
    text: str = PydanticField(description="What happened, in the language asked for (Accept-Language).")
    status: str
    created_at: datetime.datetime


class ComplaintDetail(ComplaintOut):
    thread: list[MessageOut]
    timeline: list[TimelineEntry]


class PrivateFields(Schema):
    """What the author gave only to the company (never the name of an author who chose to be anonymous)."""

    account_number: str | None
    phone: str | None
    reachable_days: list[int] = PydanticField(description="Weekdays, 0 is Monday.")
    reachable_from: datetime.time | None
    reachable_until: datetime.time | None
    reachable_times: str | None


class CompanyComplaintDetail(ComplaintDetail):
    private: PrivateFields
    waiting_on: str | None = PydanticField(description="company, author, or null when nobody's move is awaited.")
    overdue: bool


class IndustryOut(Schema):
    slug: str
    name: str
    description: str
    url: str


class RankedCompany(Schema):
    slug: str
    name: str
    score: float | None
    label: str | None
    complaints: int
    answered: int
    evaluated: int
    median_answer_hours: float | None


class IndustryDetail(IndustryOut):
    window: Literal["12m", "6m", "all"]
    best: list[RankedCompany] = PydanticField(description="By score, best first (only companies with a score).")
    fastest: list[RankedCompany]
    most_complaints: list[RankedCompany]
    scored_count: int


class IncidentUpdateOut(Schema):
    status: str
    body: str
    created_at: datetime.datetime


class IncidentOut(Schema):
    id: int
    url: str
    company: str
    title: str
    affected: str
    area: str | None
    status: str
    started_at: datetime.datetime
    resolved_at: datetime.datetime | None
    complaints: int = PydanticField(description="Public complaints linked to it.")


class IncidentDetail(IncidentOut):
    updates: list[IncidentUpdateOut]


class IncidentPage(Page):
    items: list[IncidentOut]


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    detail: list[FieldError]


class CompanyMessageIn(Schema):
    """A message from the company, checked like the form on the complaint page."""

    kind: Literal["answer", "apology", "details", "offer"]
    body: str = PydanticField(max_length=5000)
    is_private: bool = False
    callback_at: datetime.datetime | None = None
    send_anyway: bool = PydanticField(False, description="Send words that look like personal data anyway: a "
                                                         "moderator checks them before others can read them.")
    offer_kind: Literal["refund", "credit", "free_days", "replacement", "other"] | None = None
    offer_amount: str | None = PydanticField(None, max_length=20)
    offer_currency: str | None = PydanticField(None, max_length=3)
    offer_days: int | None = None
    offer_description: str | None = PydanticField(None, max_length=300)
    offer_expires_on: datetime.date | None = None
    idempotency_key: str | None = PydanticField(None, max_length=36, description="A UUID: the same message sent "
                                                                                 "twice is posted once.")
