"""Reading the US CFPB consumer complaint CSV format: pure functions, no database.

The CFPB publishes its complaint database (CC0) as CSV with 18 columns. Older
copies use a snake_case header (`date_received`, ..., `complaint_id`), the
current one a spelled-out header (`Date received`, ..., `Complaint ID`); both
are read through one normalised key per column. `manage.py import_cfpb` turns
the records read here into complaints.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.text import slugify
from django.utils.translation import gettext as _

# Normalised column key -> whether the import needs it.
COLUMNS = {
    "date_received": True,
    "product": True,
    "sub_product": True,
    "issue": True,
    "sub_issue": True,
    "consumer_complaint_narrative": False,
    "company_public_response": False,
    "company": True,
    "state": False,
    "zip_code": False,
    "tags": False,
    "consumer_consent_provided": False,
    "submitted_via": False,
    "date_sent_to_company": True,
    "company_response_to_consumer": True,
    "timely_response": True,
    "consumer_disputed": False,
    "complaint_id": True,
}
# Spellings seen in older copies of the file.
COLUMN_ALIASES = {"zipcode": "zip_code"}

# CFPB "Company response to consumer" values that are an answer from the company.
ANSWER_RESPONSES = {
    "closed with explanation",
    "closed with non-monetary relief",
    "closed with monetary relief",
    "closed with relief",
    "closed without relief",
    "closed",
}
# No answer (yet): the complaint is published and waits for the company.
NO_ANSWER_RESPONSES = {"in progress", "untimely response", ""}

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
TIMELY_DAYS = 1
LATE_DAYS = 16
TITLE_MAX, STORY_MAX, CATEGORY_MAX, ID_MAX = 150, 10000, 200, 40


# Messages for the person running the import are in English, like Django's own
# commands; the texts stored in complaints (written in English) are translatable.


class FormatError(ValueError):
    """The file is not a CFPB complaint CSV (its header is not one we know)."""


class RowError(ValueError):
    """One row cannot be imported; the message says why."""


@dataclass(frozen=True)
class Record:
    complaint_id: str
    received: date
    sent: date | None
    company: str
    product: str
    sub_product: str
    issue: str
    sub_issue: str
    narrative: str
    public_response: str
    response: str  # as written in the file, e.g. "Closed with explanation"
    timely: bool

    @property
    def is_answered(self) -> bool:
        return self.response.casefold() in ANSWER_RESPONSES

    @property
    def answered_on(self) -> date | None:
        """When the company answered: the day after it got the complaint, or 16 days after when late."""
        if not self.is_answered:
            return None
        return (self.sent or self.received) + timedelta(days=TIMELY_DAYS if self.timely else LATE_DAYS)


def column_key(name: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", name.strip().lstrip("\ufeff").casefold()).strip("_")
    return COLUMN_ALIASES.get(key, key)


def header_keys(fieldnames) -> list[str]:
    """The normalised keys of a header row; FormatError when it is not a CFPB header."""
    if not fieldnames:
        raise FormatError("The file is empty.")
    keys = [column_key(name) for name in fieldnames]
    missing = [key for key, needed in COLUMNS.items() if needed and key not in keys]
    if missing:
        raise FormatError(f"This is not a CFPB complaint file: the header lacks {', '.join(missing)}.")
    return keys


def parse_date(value: str, column: str) -> date:
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{column} is not a date: {value[:40]!r}")


def parse_row(keys: list[str], row: list[str]) -> Record:
    """One CSV row as a Record; RowError when it cannot be imported."""
    if len(row) != len(keys):
        raise RowError(f"expected {len(keys)} fields, found {len(row)} (a cut-off or malformed line)")
    values = {key: " ".join(value.split()) if key != "consumer_complaint_narrative" else value.strip()
              for key, value in zip(keys, row, strict=True)}
    complaint_id = values["complaint_id"]
    if not complaint_id:
        raise RowError("the complaint id is missing")
    if len(complaint_id) > ID_MAX:
        raise RowError("the complaint id is too long")
    company = values["company"]
    if not company or not re.search(r"\w", company):
        raise RowError("the company is missing")
    if not values["product"]:
        raise RowError("the product is missing")
    response = values["company_response_to_consumer"]
    if response.casefold() not in ANSWER_RESPONSES | NO_ANSWER_RESPONSES:
        raise RowError(f"unknown company response {response[:60]!r}")
    timely = values["timely_response"].casefold()
    if timely not in {"yes", "no"}:
        raise RowError(f"“Timely response?” must be Yes or No, not {timely[:20]!r}")
    received = parse_date(values["date_received"], "Date received")
    sent = parse_date(values["date_sent_to_company"], "Date sent to company") if values["date_sent_to_company"] else None
    return Record(
        complaint_id=complaint_id, received=received, sent=sent, company=company[:200],
        product=values["product"], sub_product=values["sub_product"], issue=values["issue"],
        sub_issue=values["sub_issue"], narrative=values.get("consumer_complaint_narrative", ""),
        public_response=values.get("company_public_response", ""), response=response, timely=timely == "yes",
    )


def industry_slug(product: str) -> str:
    return slugify(product, allow_unicode=True)[:100].strip("-") or "other"


def title_of(record: Record) -> str:
    title = record.issue or record.product
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


def story_of(record: Record) -> str:
    """The consumer's narrative, or a note that there is none and what the complaint is about."""
    if record.narrative:
        story = record.narrative
    else:
        lines = [_("The consumer did not publish a narrative with this complaint.")]
        for label, value in (
            (_("Product"), record.product), (_("Sub-product"), record.sub_product),
            (_("Issue"), record.issue), (_("Sub-issue"), record.sub_issue),
        ):
            if value:
                lines.append(_("%(label)s: %(value)s") % {"label": label, "value": value})
        story = "\n".join([lines[0], "", *lines[1:]])
    return story if len(story) <= STORY_MAX else story[: STORY_MAX - 1].rstrip() + "…"


def answer_of(record: Record) -> str:
    """The company's answer in the thread: the CFPB response type, and its public response if any."""
    body = _("The company closed this complaint at the CFPB with the response “%(response)s”.") % {
        "response": record.response
    }
    if record.public_response:
        body += "\n\n" + _("Its public response: %(text)s") % {"text": record.public_response}
    return body
