"""The read-only public API: companies with their scorecards, complaints with the complaint
list's filters and search, each complaint's public thread and timeline, industries with their
rankings, and incidents. Only what the public pages show."""

from typing import Literal

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import http_date
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field as PydanticField

from api.records import (
    COMPLAINT_FIELDS,
    company_record,
    listed_companies,
    public_complaints,
    row,
    scorecards_by_company,
    with_counts,
)
from api.schemas import (
    CompanyOut,
    CompanyPage,
    ComplaintDetail,
    ComplaintPage,
    Error,
    IncidentDetail,
    IncidentPage,
    IndustryDetail,
    IndustryOut,
    ValidationErrors,
)
from companies.models import Industry
from companies.selectors import industry_rankings
from complaints.filters import ComplaintFilter
from complaints.models import Complaint, Incident, Message, Offer
from complaints.search import results_page
from complaints.timeline import describe
from core.i18n_urls import canonical_url
from core.paging import BadCursor, Sort, keyset_page

router = Router(tags=["public"])

BY_ID = Sort(("id",), descending=False)
NEWEST_ID = Sort(("id",), descending=True)
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
BAD_CURSOR = "This cursor is not valid; start again from the first page."


def _next_link(request, cursor: str) -> str | None:
    if not cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return settings.SITE_URL + request.path + "?" + query.urlencode()


def page_body(request, items: list, cursor: str) -> dict:
    return {"items": items, "next_cursor": cursor or None, "next": _next_link(request, cursor)}


def _keyset(queryset, sort: Sort, *, cursor: str, limit: int):
    try:
        return keyset_page(queryset, sort, per_page=limit, after=cursor)
    except BadCursor:
        raise HttpError(400, BAD_CURSOR) from None


def last_modified(response: HttpResponse, moment) -> None:
    if moment:
        response["Last-Modified"] = http_date(moment.timestamp())


def form_errors(form, where: str = "query") -> dict:
    """A Django form's errors as the API's 422 body (the same messages as the pages)."""
    return {"detail": [{"loc": [where, name], "msg": str(message), "type": "invalid"}
                       for name, messages in form.errors.items() for message in messages]}


# ---- Companies ----------------------------------------------------------------------

@router.get("/companies", response={200: CompanyPage, 400: Error, 422: ValidationErrors, 429: Error},
            summary="Listed companies, with their figures")
def companies(request, industry: str = "", cursor: str = "", limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)):
    queryset = listed_companies()
    if industry:
        queryset = queryset.filter(industry__slug=industry)
    page = _keyset(queryset, BY_ID, cursor=cursor, limit=limit)
    cards = scorecards_by_company(company.pk for company in page.items)
    return page_body(request, [company_record(company, cards.get(company.pk, {})) for company in page.items],
                 page.next_cursor)


@router.get("/companies/{slug}", response={200: CompanyOut, 404: Error, 429: Error},
            summary="One company and its figures")
def company(request, slug: str, response: HttpResponse):
    found = get_object_or_404(listed_companies(), slug=slug)
    cards = scorecards_by_company([found.pk]).get(found.pk, {})
    last_modified(response, max((card.computed_at for card in cards.values()), default=None))
    return company_record(found, cards)


# ---- Complaints ---------------------------------------------------------------------

class ComplaintQuery(Schema):
    """The complaint list's filters, as in the address of /complaints/."""

    q: str = PydanticField("", description="Words to search for (the list's search).")
    company: str = PydanticField("", description="A company's slug or name.")
    industry: str = PydanticField("", description="An industry's slug.")
    status: str = PydanticField("", description="published, answered, resolved, unresolved or closed.")
    language: str = PydanticField("", description="en, ru, de or sv.")
    published_from: str = PydanticField("", description="A date, YYYY-MM-DD.")
    published_to: str = PydanticField("", description="A date, YYYY-MM-DD.")
    has_offer: str = PydanticField("", description="yes or no.")
    resolved: str = PydanticField("", description="yes or no: the author's evaluation.")
    amount_min: str = PydanticField("", description="The smallest amount at stake.")
    amount_max: str = PydanticField("", description="The largest amount at stake.")
    sort: Literal["newest", "oldest", "me_too"] = "newest"


def filtered_complaints(values: dict, queryset=None):
    """The list's filter set over public complaints; FilterInvalid (with the page's messages) for bad values."""
    data = {name: value for name, value in values.items() if value not in (None, "")}
    filterset = ComplaintFilter(data or None, queryset=queryset if queryset is not None
                                else Complaint.objects.public().for_cards())
    if filterset.is_bound and not filterset.form.is_valid():
        raise FilterInvalid(filterset.form)
    return filterset


class FilterInvalid(Exception):
    def __init__(self, form):
        super().__init__("invalid filters")
        self.form = form


def full_rows(complaints) -> list:
    """The page's complaints read again with what their records need, in the same order."""
    ids = [complaint.pk for complaint in complaints]
    found = public_complaints().in_bulk(ids)
    return with_counts([found[pk] for pk in ids if pk in found])


@router.get("/complaints", response={200: ComplaintPage, 400: Error, 422: ValidationErrors, 429: Error},
            summary="Public complaints, filtered and searched like the complaint list")
def complaints(request, filters: Query[ComplaintQuery], cursor: str = "",
               limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)):
    try:
        filterset = filtered_complaints(filters.dict())
    except FilterInvalid as invalid:
        return Status(422, form_errors(invalid.form))
    results = results_page(
        filterset.qs, words=filterset.words, filtered=filterset.narrows, sort=filters.sort, per_page=limit,
        one_status=filterset.holds_one_status, after=cursor,
    )
    if results.bad_cursor:
        raise HttpError(400, BAD_CURSOR)
    return page_body(request, [row(COMPLAINT_FIELDS, complaint) for complaint in full_rows(results.page.items)],
                 results.page.next_cursor)


def thread_of(complaint, *, include_private: bool) -> list[dict]:
    messages = complaint.messages.order_by("created_at", "pk")
    if not include_private:
        messages = messages.filter(is_private=False)
    offers = {offer.message_id: offer for offer in Offer.objects.filter(complaint=complaint)}
    return [message_record(message, offers.get(message.pk)) for message in messages]


def message_record(message: Message, offer: Offer | None) -> dict:
    readable = not message.is_hidden and not message.text_held
    return {
        "id": message.pk, "side": "company" if message.company_id else "author", "kind": message.kind,
        "body": message.body if readable else None, "held": message.text_held, "hidden": message.is_hidden,
        "private": message.is_private, "callback_at": message.callback_at, "created_at": message.created_at,
        "offer": offer_record(offer) if offer is not None else None,
    }


def offer_record(offer: Offer) -> dict:
    return {
        "id": offer.pk, "kind": offer.kind, "amount": str(offer.amount) if offer.amount is not None else None,
        "currency": offer.currency or None, "days": offer.days, "description": offer.description,
        "expires_on": offer.expires_on, "status": offer.status,
    }


def timeline_of(complaint) -> list[dict]:
    return [{"event": change.event, "text": describe(change.event, change.params) or change.get_event_display(),
             "status": change.to_status, "created_at": change.created_at}
            for change in complaint.status_changes.order_by("created_at", "pk")]


def complaint_detail_record(complaint, *, include_private: bool = False) -> dict:
    (complaint,) = with_counts([complaint])
    return {**row(COMPLAINT_FIELDS, complaint), "thread": thread_of(complaint, include_private=include_private),
            "timeline": timeline_of(complaint)}


@router.get("/complaints/{int:pk}", response={200: ComplaintDetail, 404: Error, 429: Error},
            summary="One public complaint, with its public thread and timeline")
def complaint(request, pk: int, response: HttpResponse):
    found = get_object_or_404(public_complaints(), pk=pk)
    last_modified(response, found.updated_at)
    return complaint_detail_record(found)


# ---- Industries ---------------------------------------------------------------------

def industry_record(industry) -> dict:
    return {"slug": industry.slug, "name": industry.display_name, "description": industry.display_description,
            "url": canonical_url(industry.get_absolute_url())}


@router.get("/industries", response={200: list[IndustryOut], 429: Error},
            summary="Industries, named in the language asked for")
def industries(request):
    return [industry_record(industry) for industry in Industry.objects.in_display_order()]


def _ranked(card) -> dict:
    return {"slug": card.company.slug, "name": card.company.name,
            "score": round(card.score, 4) if card.score is not None else None,
            "label": (card.label or None) if card.score is not None else None,
            "complaints": card.complaints, "answered": card.answered, "evaluated": card.evaluated,
            "median_answer_hours": card.median_answer_hours}


@router.get("/industries/{slug}", response={200: IndustryDetail, 404: Error, 422: ValidationErrors,
                                             429: Error},
            summary="An industry's rankings, as on its page")
def industry(request, slug: str, window: Literal["12m", "6m", "all"] = "12m"):
    found = get_object_or_404(Industry, slug=slug)
    rankings = industry_rankings(found, window)
    return {**industry_record(found), "window": window, "scored_count": rankings["scored_count"],
            **{name: [_ranked(card) for card in rankings[name]] for name in ("best", "fastest", "most_complaints")}}


# ---- Incidents ----------------------------------------------------------------------

def incidents_with_counts():
    return Incident.objects.filter(company__is_listed=True).select_related("company").annotate(
        public_complaints=Count("complaints", filter=Q(complaints__status__in=Complaint.PUBLIC_STATUSES)))


def incident_record(incident) -> dict:
    return {"id": incident.pk, "url": canonical_url(incident.get_absolute_url()),
            "company": incident.company.slug, "title": incident.title, "affected": incident.affected,
            "area": incident.area or None, "status": incident.status, "started_at": incident.started_at,
            "resolved_at": incident.resolved_at, "complaints": incident.public_complaints}


@router.get("/incidents", response={200: IncidentPage, 400: Error, 422: ValidationErrors, 429: Error},
            summary="Incidents, newest first")
def incidents(request, company: str = "", cursor: str = "", limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)):
    queryset = incidents_with_counts()
    if company:
        queryset = queryset.filter(company__slug=company)
    page = _keyset(queryset, NEWEST_ID, cursor=cursor, limit=limit)
    return page_body(request, [incident_record(incident) for incident in page.items], page.next_cursor)


@router.get("/incidents/{int:pk}", response={200: IncidentDetail, 404: Error, 429: Error},
            summary="One incident and its updates")
def incident(request, pk: int, response: HttpResponse):
    found = get_object_or_404(incidents_with_counts(), pk=pk)
    updates = list(found.updates.order_by("created_at", "pk"))
    last_modified(response, max([found.created_at, found.resolved_at or found.created_at,
                                 *(update.created_at for update in updates)]))
    return {**incident_record(found), "updates": [
        {"status": update.status, "body": update.body, "created_at": update.created_at} for update in updates]}

