"""The API for companies: a representative's token reads the company's inbox and complaints
(with the private fields its representatives see) and answers through the same services, forms
and messages as the complaint page."""

import uuid
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import Field as PydanticField

from api.limits import Limited, count
from api.models import ApiToken
from api.public_api import (
    BAD_CURSOR,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    complaint_detail_record,
    form_errors,
    last_modified,
    message_record,
    offer_record,
    page_body,
)
from api.records import COMPLAINT_FIELDS, public_complaints, row, with_counts
from api.schemas import (
    CompanyComplaintDetail,
    CompanyMessageIn,
    ComplaintOut,
    Error,
    MessageOut,
    OfferOut,
    Page,
    ValidationErrors,
)
from api.services import token_for_key
from complaints.forms import CompanyMessageForm
from complaints.inbox import INBOX_VIEWS, inbox_page
from complaints.models import Complaint, Offer
from complaints.services.lifecycle import CallbackTimeError, ComplaintError, PersonalDataError
from complaints.services.thread import message_post, offer_mark_delivered


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cpt_…`; the request then acts as the token's representative."""

    def authenticate(self, request, token: str):
        found = token_for_key(token)
        if found is None:
            return None  # 401
        request.user = found.user
        return found


router = Router(tags=["company"], auth=TokenAuth())


def _token(request) -> ApiToken:
    return request.auth


def _require_answer_scope(request) -> ApiToken:
    token = _token(request)
    if not token.can_answer:
        raise HttpError(403, "This token may only read; create one that may answer.")
    return token


def _count_write(request, token: ApiToken) -> None:
    try:
        count(request, "api_write", key=f"token:{token.pk}")
    except Limited as limited:
        if limited.retry_after is None:
            raise HttpError(503, "Rate limits cannot be checked just now; try again in a minute.") from None
        raise HttpError(429, "Too many requests.") from None


# What the company reads beyond the public record: where the complaint stands, and its private fields.
COMPANY_COLUMNS = ("waiting_on", "waiting_since")
PRIVATE_COLUMNS = ("account_number", "phone", "reachable_days", "reachable_from", "reachable_until",
                   "reachable_times")


def _own_complaint(token: ApiToken, pk: int):
    """A public complaint about the token's company; 404 for any other."""
    return get_object_or_404(public_complaints(*COMPANY_COLUMNS, *PRIVATE_COLUMNS), pk=pk,
                             company_id=token.company_id)


class CompanyOut(Schema):
    slug: str
    name: str
    token_name: str
    scope: Literal["read", "answer"]
    expires_at: str


@router.get("/company", response={200: CompanyOut, 401: Error, 429: Error},
            summary="The company this token answers for")
def whoami(request):
    token = _token(request)
    return {"slug": token.company.slug, "name": token.company.name, "token_name": token.name, "scope": token.scope,
            "expires_at": token.expires_at.isoformat()}


class InboxItem(ComplaintOut):
    waiting_on: str | None = PydanticField(description="company, author, or null when nobody's move is awaited.")
    waiting_since: str | None
    overdue: bool


class InboxPage(Page):
    items: list[InboxItem]


def _inbox_fields(complaint) -> dict:
    return {"waiting_on": complaint.waiting_on or None,
            "waiting_since": complaint.waiting_since.isoformat() if complaint.waiting_since else None,
            "overdue": complaint.is_overdue}


@router.get("/company/inbox", response={200: InboxPage, 400: Error, 401: Error, 422: ValidationErrors, 429: Error},
            summary="The business inbox, in its order")
def inbox(request, view: Literal[tuple(INBOX_VIEWS)] | None = None, cursor: str = "",  # type: ignore[valid-type]
          limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)):
    token = _token(request)
    page, bad_cursor = inbox_page([token.company], view, per_page=limit, after=cursor)
    if bad_cursor and cursor:
        raise HttpError(400, BAD_CURSOR)
    ids = [complaint.pk for complaint in page.items]
    found = public_complaints(*COMPANY_COLUMNS).in_bulk(ids)
    complaints = with_counts([found[pk] for pk in ids if pk in found])
    return page_body(request, [{**row(COMPLAINT_FIELDS, complaint), **_inbox_fields(complaint)}
                           for complaint in complaints], page.next_cursor)


def private_fields(complaint) -> dict:
    return {
        "account_number": complaint.account_number or None,
        "phone": complaint.phone or None,
        "reachable_days": [int(day) for day in complaint.reachable_days if day.isdigit()],
        "reachable_from": complaint.reachable_from, "reachable_until": complaint.reachable_until,
        "reachable_times": complaint.reachable_times or None,
    }


@router.get("/company/complaints/{int:pk}", response={200: CompanyComplaintDetail, 401: Error, 404: Error, 429: Error},
            summary="A complaint about the company, with its private fields and private messages")
def complaint(request, pk: int, response: HttpResponse):
    found = _own_complaint(_token(request), pk)
    last_modified(response, found.updated_at)
    response["Cache-Control"] = "private, no-store"
    return {**complaint_detail_record(found, include_private=True), "private": private_fields(found),
            **_inbox_fields(found)}


def _invalid(field: str, message: str, kind: str = "invalid"):
    return Status(422, {"detail": [{"loc": ["body", field], "msg": message, "type": kind}]})


def _form_data(data: CompanyMessageIn) -> dict:
    values = data.dict()
    form = {name: "" if value is None else value for name, value in values.items()
            if name not in ("idempotency_key", "is_private", "send_anyway", "callback_at")}
    if values["is_private"]:
        form["is_private"] = "on"
    if values["send_anyway"]:
        form["send_anyway"] = "on"
    if values["callback_at"] is not None:
        form["callback_at"] = values["callback_at"].strftime("%Y-%m-%dT%H:%M")
    form["submission_token"] = str(uuid.uuid4())
    return form


@router.post("/company/complaints/{int:pk}/messages",
             response={201: MessageOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: ValidationErrors,
                       429: Error, 503: Error},
             summary="Answer, apologise, ask for details or make an offer, as on the complaint page")
def post_message(request, pk: int, data: CompanyMessageIn):
    token = _require_answer_scope(request)
    found = _own_complaint(token, pk)
    form = CompanyMessageForm(_form_data(data))
    if not form.is_valid():
        return Status(422, form_errors(form, "body"))
    _count_write(request, token)
    try:
        count(request, "post_message")  # the complaint page's own limit, for this representative
    except Limited:
        raise HttpError(429, "Too many messages; try again later.") from None
    submission = None
    if data.idempotency_key:
        try:
            submission = uuid.UUID(data.idempotency_key)
        except ValueError:
            return _invalid("idempotency_key", "Give a UUID.")
    cleaned = form.cleaned_data
    try:
        message = message_post(
            complaint=found, user=token.user, kind=cleaned["kind"], body=cleaned["body"],
            is_private=cleaned["is_private"], callback_at=cleaned.get("callback_at"), offer=form.offer_details(),
            submission_token=submission, send_anyway=cleaned["send_anyway"],
        )
    except PersonalDataError as error:
        return _invalid("body", str(error), "personal_data")
    except CallbackTimeError as error:
        return _invalid("callback_at", str(error))
    except ComplaintError as error:
        raise HttpError(400, str(error)) from None
    offer = Offer.objects.filter(message=message).first()
    return Status(201, message_record(message, offer))


@router.post("/company/offers/{int:pk}/delivered", response={200: OfferOut, 400: Error, 401: Error, 403: Error,
                                                              404: Error, 429: Error, 503: Error},
             summary="Say that an accepted offer was delivered")
def offer_delivered(request, pk: int):
    token = _require_answer_scope(request)
    offer = get_object_or_404(Offer.objects.select_related("complaint"), pk=pk, company_id=token.company_id,
                               complaint__status__in=Complaint.PUBLIC_STATUSES)
    _count_write(request, token)
    try:
        offer = offer_mark_delivered(offer=offer, user=token.user)
    except ComplaintError as error:
        raise HttpError(400, str(error)) from None
    return offer_record(offer)

