"""The public record of a complaint and of a company, as open data and the public API give it.

One list of fields per record, each with what it means: the exports write these columns in
this order, the API returns these keys, and the Open data page documents them from here.
Only what any visitor can read on the pages is here: never the contact details, private
messages, the name of an author who chose to be anonymous, or a text held for review.
"""

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from companies.models import Company, Representative, Scorecard
from complaints.models import Complaint, Message, Offer
from complaints.services.scorecards import ACCEPTED_OFFER_STATUSES
from core.i18n_urls import canonical_url
from core.paging import Sort, keyset_page

BATCH = 500
BY_ID = Sort(("id",), descending=False)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # integer, number, decimal (as text), text, date, datetime, boolean, json
    description: object  # a lazy translation
    value: Callable


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _hours(complaint) -> float | None:
    if complaint.first_answered_at is None or complaint.published_at is None:
        return None
    return round((complaint.first_answered_at - complaint.published_at).total_seconds() / 3600, 2)


def _within_7_days(complaint) -> bool:
    return complaint.first_answered_at is not None and complaint.published_at is not None and (
        complaint.first_answered_at <= complaint.published_at + timedelta(days=7))


def _evaluation(name):
    def read(complaint):
        evaluation = getattr(complaint, "evaluation", None)
        return getattr(evaluation, name) if evaluation is not None else None
    return read


@functools.lru_cache(maxsize=4)
def _complaint_address(site_url: str) -> str:
    # Resolved once, then filled in: reversing it for each of a million rows took a third of an export.
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("complaints:detail", kwargs={"pk": 123456789, "slug": "slug-to-fill"})
    return site_url + path.replace("123456789", "{pk}").replace("slug-to-fill", "{slug}")


def complaint_url(complaint) -> str:
    return _complaint_address(settings.SITE_URL).format(pk=complaint.pk, slug=complaint.slug)


COMPLAINT_FIELDS = [
    Field("id", "integer", _("The complaint's number on this site."), lambda c: c.pk),
    Field("url", "text", _("Its public page."), complaint_url),
    Field("company", "text", _("The company's address on this site (its slug)."), lambda c: c.company.slug),
    Field("company_name", "text", _("The company's name."), lambda c: c.company.name),
    Field("industry", "text", _("The company's industry (its slug), if it has one."),
          lambda c: c.company.industry.slug if c.company.industry_id else None),
    Field("title", "text", _("The title the author gave."), lambda c: c.title),
    Field("story", "text", _("What happened, in the author's words; empty while a moderator checks it for "
                             "personal data."), lambda c: None if c.text_held else c.story),
    Field("story_held", "boolean", _("Whether the story is held for that check."), lambda c: c.text_held),
    Field("desired_outcome", "text", _("What the author wants: refund, repair, apology, explanation, "
                                       "compensation, cancel or other."), lambda c: c.desired_outcome),
    Field("amount", "decimal", _("The amount at stake, if the author gave one."),
          lambda c: str(c.amount) if c.amount is not None else None),
    Field("currency", "text", _("Its ISO 4217 currency code."), lambda c: c.currency or None),
    Field("happened_on", "date", _("When it happened, if the author said."),
          lambda c: c.happened_on.isoformat() if c.happened_on else None),
    Field("category", "text", _("The category, where the source gives one."), lambda c: c.category or None),
    Field("language", "text", _("The language it is written in (en, ru, de or sv)."), lambda c: c.language),
    Field("source", "text", _("Where it was filed: portal (this site) or cfpb (imported from the US CFPB "
                              "database)."), lambda c: c.source),
    Field("author_name", "text", _("The name the author chose to show; empty when the author is anonymous."),
          lambda c: None if c.is_anonymous or not c.display_name else c.display_name),
    Field("status", "text", _("published, answered, resolved, unresolved or closed."), lambda c: c.status),
    Field("published_at", "datetime", _("When it was published (UTC)."), lambda c: _iso(c.published_at)),
    Field("first_answered_at", "datetime", _("When the company first answered in public (UTC)."),
          lambda c: _iso(c.first_answered_at)),
    Field("hours_to_first_answer", "number", _("Hours from publication to that first answer."), _hours),
    Field("answered_within_7_days", "boolean", _("Whether that answer came within 7 days, as the scorecard "
                                                 "counts it."), _within_7_days),
    Field("company_messages", "integer", _("Public messages from the company."),
          lambda c: c.public_company_messages),
    Field("offers_made", "integer", _("Offers the company made."), lambda c: c.offers_made),
    Field("offers_accepted", "integer", _("Offers the author accepted (delivered or not)."),
          lambda c: c.offers_accepted),
    Field("me_too", "integer", _("Members who said “me too”."), lambda c: c.me_too_count),
    Field("evaluated", "boolean", _("Whether the author evaluated the outcome."),
          lambda c: getattr(c, "evaluation", None) is not None),
    Field("resolved", "boolean", _("The author's answer: was it resolved?"), _evaluation("resolved")),
    Field("rating", "integer", _("The author's rating of the company, 1 to 5."), _evaluation("rating")),
    Field("would_return", "boolean", _("Would the author do business with the company again?"),
          _evaluation("would_return")),
    Field("incident", "integer", _("The number of the incident it belongs to, if any."), lambda c: c.incident_id),
]

WINDOW_FIELDS = [
    Field("complaints", "integer", _("Complaints published in the period."), lambda s: s.complaints),
    Field("answered", "integer", _("Of those, answered in public by the company."), lambda s: s.answered),
    Field("answered_in_7_days", "integer", _("Of those, answered within 7 days of publication."),
          lambda s: s.answered_in_7_days),
    Field("median_answer_hours", "number", _("Median hours to the first answer."), lambda s: s.median_answer_hours),
    Field("evaluated", "integer", _("Complaints their authors evaluated."), lambda s: s.evaluated),
    Field("resolved", "integer", _("Of those, resolved in their authors' words."), lambda s: s.resolved),
    Field("would_return", "integer", _("Of those, authors who would do business with the company again."),
          lambda s: s.would_return),
    Field("average_rating", "number", _("The authors' average rating, 1 to 5."),
          lambda s: round(s.average_rating, 4) if s.average_rating is not None else None),
    Field("offers_made", "integer", _("Offers made."), lambda s: s.offers_made),
    Field("offers_accepted", "integer", _("Offers accepted."), lambda s: s.offers_accepted),
    Field("offers_delivered", "integer", _("Accepted offers delivered."), lambda s: s.offers_delivered),
    Field("free_days", "integer", _("Free days of service in accepted offers."), lambda s: s.free_days),
    Field("credited", "json", _("Money in accepted offers, per currency."), lambda s: dict(s.credited)),
    Field("me_too", "integer", _("“Me too” on those complaints."), lambda s: s.me_too),
    Field("score", "number", _("The score out of 10, only where the page shows one (enough evaluations)."),
          lambda s: round(s.score, 4) if s.score is not None else None),
    Field("score_low", "number", _("The low end of the score's 90 percent range."),
          lambda s: round(s.score_low, 4) if s.score is not None and s.score_low is not None else None),
    Field("score_high", "number", _("The high end of that range."),
          lambda s: round(s.score_high, 4) if s.score is not None and s.score_high is not None else None),
    Field("label", "text", _("The score's label."), lambda s: s.label or None if s.score is not None else None),
    Field("computed_at", "datetime", _("When these figures were computed (UTC)."), lambda s: _iso(s.computed_at)),
]

COMPANY_FIELDS = [
    Field("slug", "text", _("The company's address on this site."), lambda c: c.slug),
    Field("name", "text", _("Its name."), lambda c: c.name),
    Field("url", "text", _("Its public page."), lambda c: canonical_url(c.get_absolute_url())),
    Field("industry", "text", _("Its industry (slug)."), lambda c: c.industry.slug if c.industry_id else None),
    Field("website", "text", _("Its website."), lambda c: c.website or None),
    Field("verified", "boolean", _("Whether a verified representative answers for it."), lambda c: c.is_verified),
]


# Fields that always hold a value; every other one may be empty (null in JSON).
NEVER_EMPTY = {
    "complaint": {"id", "url", "company", "company_name", "title", "story_held", "desired_outcome", "language",
                  "source", "status", "answered_within_7_days", "company_messages", "offers_made", "offers_accepted",
                  "me_too", "evaluated"},
    "window": {"complaints", "answered", "answered_in_7_days", "evaluated", "resolved", "would_return", "offers_made",
               "offers_accepted", "offers_delivered", "free_days", "credited", "me_too", "computed_at"},
    "company": {"slug", "name", "url", "verified"},
}


def row(fields: list[Field], item) -> dict:
    return {field.name: field.value(item) for field in fields}


# ---- Reading public complaints in bounded batches --------------------------------------

# What the records read of a complaint and its company: not its contact details, nor its
# search document (a third of a row's bytes on PostgreSQL).
RECORD_COLUMNS = (
    "title", "story", "text_held", "desired_outcome", "amount", "currency", "happened_on", "category", "language",
    "source", "is_anonymous", "display_name", "status", "published_at", "first_answered_at", "me_too_count",
    "incident_id", "updated_at", "company__slug", "company__name", "company__industry__slug",
    "evaluation__resolved", "evaluation__rating", "evaluation__would_return",
)


def public_complaints(*also: str):
    """The rows every export and API list starts from: public complaints only (with the columns `also`)."""
    return Complaint.objects.public().select_related("company__industry", "evaluation").only(*RECORD_COLUMNS, *also)


def with_counts(complaints: list) -> list:
    """Add each complaint's public company messages, offers made and offers accepted (two queries)."""
    ids = [complaint.pk for complaint in complaints]
    messages = dict(
        Message.objects.public().filter(complaint_id__in=ids, company__isnull=False, is_hidden=False, text_held=False)
        .values("complaint_id").annotate(n=Count("pk")).values_list("complaint_id", "n")
    )
    offers = {
        complaint_id: (made, accepted)
        for complaint_id, made, accepted in Offer.objects.filter(complaint_id__in=ids).values("complaint_id").annotate(
            made=Count("pk"), accepted=Count("pk", filter=Q(status__in=ACCEPTED_OFFER_STATUSES)),
        ).values_list("complaint_id", "made", "accepted")
    }
    for complaint in complaints:
        complaint.public_company_messages = messages.get(complaint.pk, 0)
        complaint.offers_made, complaint.offers_accepted = offers.get(complaint.pk, (0, 0))
    return complaints


def walk(queryset, sort: Sort = BY_ID, batch: int = BATCH) -> Iterator[list]:
    """The rows of `queryset` in batches, each read by key after the last: memory stays bounded
    and a late page costs what the first does (no OFFSET)."""
    after = ""
    while True:
        page = keyset_page(queryset, sort, per_page=batch, after=after)
        items, after = page.items, page.next_cursor
        del page
        if items:
            yield items
            # The reader asks for the next batch once done with this one: emptied now, its rows
            # are freed before the next are read, so one batch is held at a time, not two.
            items.clear()
        if not after:
            return


def complaint_rows(queryset) -> Iterator[dict]:
    for batch in walk(queryset):
        for complaint in with_counts(batch):
            yield row(COMPLAINT_FIELDS, complaint)


def listed_companies():
    return Company.objects.listed().select_related("industry").annotate(
        is_verified=Exists(Representative.objects.filter(company=OuterRef("pk"))))


def scorecards_by_company(company_ids: Iterable[int]) -> dict[int, dict[str, Scorecard]]:
    cards: dict[int, dict[str, Scorecard]] = {}
    for card in Scorecard.objects.filter(company_id__in=list(company_ids)):
        cards.setdefault(card.company_id, {})[card.window] = card
    return cards


def company_record(company, cards: dict[str, Scorecard]) -> dict:
    """A company with its figures per window (null for a window without figures)."""
    return {
        **row(COMPANY_FIELDS, company),
        "scorecards": {window: row(WINDOW_FIELDS, cards[window]) if window in cards else None
                       for window in Scorecard.Window.values},
    }


def company_rows(queryset) -> Iterator[dict]:
    for batch in walk(queryset):
        cards = scorecards_by_company(company.pk for company in batch)
        for company in batch:
            yield company_record(company, cards.get(company.pk, {}))
