"""Benchmark data in bulk: companies, members and complaints with their whole history.

`benchmark_data_generate()` (behind `manage.py generate_data`) adds realistic,
multilingual data to whatever is in the database: industries, companies of
skewed sizes (a few with tens of thousands of complaints, a long tail), one
representative each, members, and complaints in English (about 55%), Russian,
German and Swedish, each with what the services would have written around it —
the timeline rows, the company's public answers, offers and their fate, the
author's evaluation, "me too" rows (and `me_too_count` equal to them).

Statuses follow the lifecycle rather than fixed shares: a company answers (or
not) after a delay, the author evaluates (or not) some days later, and an
answered complaint the author never evaluated is closed after
COMPLAINT_CLOSE_DAYS, as `complaints_close_stale` would. So first_answered_at,
waiting_on and the status always agree with the rows behind them. A few
complaints are pending, rejected, withdrawn or hidden, so "public only" is
testable. Nothing is written through the services (a million complaints
through them would take a day): rows are written in batches with pre-allocated
ids — by COPY on PostgreSQL, by bulk_create elsewhere — and the scorecards are
recomputed once at the end.

The same seed on the same database gives the same data. Everything a run
creates is named with a run number ("gen3-member-17"), and company names that
exist already get a suffix, so a second run adds without colliding. Ids are
taken after the largest existing ones: run it when nobody else writes to the
database.
"""

import csv
import io
import json
import math
import random
import re
import time
import uuid
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from companies.models import Company, CompanySlugRedirect, Industry, Representative
from companies.text import company_slug, normalise_company_name
from complaints.models import Complaint, Evaluation, Message, MeToo, Offer, StatusChange
from complaints.services.scorecards import scorecards_recompute_all
from devtools.phrases import (
    INDUSTRIES,
    OFFER_WEIGHTS,
    OUTCOME_WEIGHTS,
    PHRASES,
    TOPICS,
    fill_industry_translations,
)

# What a benchmark searches for. The common word is in about nine in ten
# complaints of its language (English: over half of all complaints); the rare
# one, a made-up product name, in RARE_COMPLAINTS public complaints per run.
COMMON_WORDS = {"en": "account", "ru": "счёт", "de": "Konto", "sv": "konto"}
COMMON_WORD = COMMON_WORDS["en"]
RARE_WORD = "Quorvix"
RARE_COMPLAINTS = 5
COMMON_WORD_SHARE = 0.9
# Complaints with a sentence of their own (a city, a date, an order number).
REFERENCE_SHARE = 0.6

LANGUAGE_WEIGHTS = {"en": 55, "ru": 15, "de": 15, "sv": 15}
TOPIC_WEIGHTS = {
    "internet": 18, "mobile": 14, "bank": 16, "shop": 16, "electronics": 10, "delivery": 10, "energy": 9, "airline": 7,
}
COUNTRIES = {"en": {"US": 70, "GB": 30}, "ru": {"RU": 1}, "de": {"DE": 85, "AT": 15}, "sv": {"SE": 1}}
CURRENCY = {"US": "USD", "GB": "GBP", "RU": "RUB", "DE": "EUR", "AT": "EUR", "SE": "SEK"}
# Median amount in dispute per currency (the spread is log-normal).
MEDIAN_AMOUNT = {"USD": 120, "GBP": 90, "RUB": 6000, "EUR": 110, "SEK": 1200}
PHONE_PREFIX = {"US": "+1 555 01", "GB": "+44 7700 900", "RU": "+7 900 ", "DE": "+49 151 ", "AT": "+43 660 ", "SE": "+46 70 "}

YEARS = 3  # complaints are published over the last three years
DAY = 86400.0
HOUR = 3600.0
# Company sizes follow Zipf's law within a language: the k-th company gets 1/k.
ZIPF_EXPONENT = 1.0
MAX_MEMBERS_DEFAULT = 100_000
MAX_ME_TOO = 300

S = Complaint.Status
K = Message.Kind
OS = Offer.Status
E = StatusChange.Event
# The public timeline's step for each status an offer passes through.
OFFER_EVENTS = {OS.OPEN: E.OFFER_MADE, OS.ACCEPTED: E.OFFER_ACCEPTED, OS.DECLINED: E.OFFER_DECLINED,
                OS.DELIVERED: E.OFFER_DELIVERED, OS.CONFIRMED: E.OFFER_CONFIRMED, OS.DISPUTED: E.OFFER_DISPUTED}


class GenerateError(ValueError):
    """The numbers asked for cannot be generated (not positive)."""


def search_words() -> dict:
    """The words a search benchmark can look for, and what to expect of them."""
    return {
        "common": COMMON_WORD,
        "common_by_language": dict(COMMON_WORDS),
        "common_share": COMMON_WORD_SHARE,
        "rare": RARE_WORD,
        "rare_complaints_per_run": RARE_COMPLAINTS,
    }


def default_members(complaints: int) -> int:
    """One member per ten complaints, at least 20 (so "me too" has people) and at most 100,000."""
    return max(20, min(complaints // 10, MAX_MEMBERS_DEFAULT))


@dataclass
class Summary:
    seed: int
    run: str
    created: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)
    languages: dict = field(default_factory=dict)
    scored_companies: int = 0
    seconds: dict = field(default_factory=dict)


# Writing rows in bulk.


class TableWriter:
    """Rows of one model as tuples in a fixed column order, written by COPY or bulk_create."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        self.columns = list(columns)
        given = set(columns)
        # A column the generator does not know about (a field added later) gets
        # its default, or is left to the database when it may be NULL.
        self.extra = [f for f in model._meta.concrete_fields if f.attname not in given and not f.null]
        self.copy = connection.vendor == "postgresql"
        names = [model._meta.get_field(column).column for column in self.columns]
        names += [f.column for f in self.extra]
        quote = connection.ops.quote_name
        self.sql = (
            f"COPY {quote(model._meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN WITH (FORMAT csv)"
        )

    def with_extra(self, row: tuple) -> tuple:
        return row + tuple(f.get_default() for f in self.extra) if self.extra else row

    @staticmethod
    def as_text(row: tuple) -> tuple:
        # A JSONField's value goes to COPY as JSON text.
        return tuple(json.dumps(value) if isinstance(value, dict) else value for value in row)

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.copy:
            self._copy(rows)
        else:
            objects = [self.model(**dict(zip(self.columns, row, strict=True))) for row in rows]
            self.model.objects.bulk_create(objects, batch_size=500)

    def _copy(self, rows):
        buffer = io.StringIO()
        # Strings quoted, None unquoted: COPY reads an unquoted empty field as NULL.
        writer = csv.writer(buffer, quoting=csv.QUOTE_STRINGS, lineterminator="\n")
        writer.writerows(self.as_text(self.with_extra(row)) for row in rows)
        buffer.seek(0)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(self.sql, buffer, size=1 << 20)
            else:  # psycopg 3
                with raw.copy(self.sql) as copy:
                    copy.write(buffer.getvalue())


class Ids:
    """Ids handed out after the largest one in the table (and its sequence), synced back after each batch."""

    def __init__(self, model):
        self.model = model
        self.table = model._meta.db_table
        top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.table, model._meta.pk.column])
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 (a name from PostgreSQL)
                    last, called = cursor.fetchone()
                    top = max(top, last if called else last - 1)
        self.next = top + 1
        self.synced = self.next

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def sync(self) -> None:
        """Move the table's sequence past the ids used, so the site's own inserts do not collide."""
        if connection.vendor != "postgresql" or self.next == self.synced:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [self.table, self.model._meta.pk.column, self.next - 1]
            )
        self.synced = self.next


# Texts.


def _weighted(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class LanguageTexts:
    """One language's phrase banks, with their slots filled, ready to compose from.

    Each bank is a list of templates, each template a list of filled variants;
    a story takes distinct templates, so one sentence never appears twice.
    {company} and {amount} stay as the markers \\x01 and \\x02 until the story is done.
    """

    FILLS = 6

    def __init__(self, language: str, rng: random.Random):
        self.language = language
        bank = PHRASES[language]
        self.bank = bank
        self.rng = rng
        self.topics = {
            topic: {
                part: self.expand(bank["topics"][topic][part], bank["topics"][topic]["products"])
                for part in ("titles", "openings", "details")
            }
            for topic in TOPICS
        }
        self.account = self.expand(bank["account"])
        self.support = self.expand(bank["support"])
        self.escalation = self.expand(bank["escalation"])
        self.amount = self.expand(bank["amount"])
        self.rare = self.expand(bank["rare"])
        self.outcomes = bank["outcomes"]

    def expand(self, templates: list[str], products=()) -> list[list[str]]:
        rng, bank = self.rng, self.bank
        fixed = {"company": "\x01", "amount": "\x02", "rare": RARE_WORD}
        expanded = []
        for template in templates:
            if not re.search(r"\{(days|n|minutes|year|weekday|product)\}", template):
                expanded.append([template.format(**fixed)])
                continue
            variants = {
                template.format(
                    **fixed, days=rng.randint(5, 20), n=rng.randint(5, 9),
                    minutes=rng.choice([20, 25, 30, 40, 45, 50, 60, 75, 90]), year=rng.randint(2009, 2021),
                    weekday=rng.choice(bank["weekdays"]), product=rng.choice(products) if products else "",
                )
                for _n in range(self.FILLS)
            }
            expanded.append(sorted(variants))
        return expanded

    @staticmethod
    def pick(rng, bank) -> str:
        return rng.choice(rng.choice(bank))

    def title(self, rng, topic: str, company: str) -> str:
        title = self.pick(rng, self.topics[topic]["titles"]).replace("\x01", company)
        return title if len(title) <= 150 else title[:149].rstrip() + "…"

    def story(self, rng, *, topic: str, company: str, amount: str, outcome: str, rare: bool) -> str:
        """200 to 1500 characters: an opening, the details, the account, support, what the author wants."""
        pick = rng.choice
        target = min(1500, max(200, int(rng.lognormvariate(6.4, 0.5))))
        opening = pick(pick(self.topics[topic]["openings"]))
        closing = pick(self.outcomes[outcome])
        extras = []
        if amount:
            extras.append(pick(pick(self.amount)))
        if rng.random() < COMMON_WORD_SHARE:
            extras.append(pick(pick(self.account)))
        if rare:
            extras.append(pick(pick(self.rare)))
        if rng.random() < REFERENCE_SHARE:
            extras.append(self.reference(rng))
        details = self.topics[topic]["details"]
        # Details first, then support and escalation, until the story is long enough.
        middle = rng.sample(details, min(4, len(details))) + rng.sample(self.support, 3) + rng.sample(self.escalation, 2)
        length = len(opening) + len(closing) + sum(len(extra) + 1 for extra in extras)
        body = []
        for templates in middle:
            if length >= target:
                break
            sentence = pick(templates)
            if length + len(sentence) + 1 <= 1500:
                body.append(sentence)
                length += len(sentence) + 1
        for extra in extras:
            body.insert(rng.randint(0, len(body)), extra)
        out = [opening]
        for part in [*body, closing]:
            out.append("\n\n" if rng.random() < 0.18 else " ")
            out.append(part)
        story = "".join(out).replace("\x01", company)
        return story.replace("\x02", amount) if amount else story


    def reference(self, rng) -> str:
        """A sentence with a city, a date, an order or case number: words few other complaints have."""
        bank = self.bank
        date = bank["date"].format(day=rng.randint(1, 28), month=rng.choice(bank["months"]))
        return rng.choice(bank["references"]).format(
            date=date, city=rng.choice(bank["cities"]), order=rng.randint(100_000, 99_999_999),
            ref=f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randint(1_000_000, 9_999_999)}",
            agent=rng.choice(bank["first_names"]),
        )


def format_money(amount: Decimal, currency: str) -> str:
    if currency == "USD":
        return f"${amount:,.2f}"
    if currency == "GBP":
        return f"£{amount:,.2f}"
    if currency == "EUR":
        return f"{amount:,.2f} €".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if currency == "RUB":
        return f"{int(amount):,} ₽".replace(",", "\u00a0")
    return f"{int(amount):,} kr".replace(",", "\u00a0")


# The generator.


@dataclass
class GeneratedCompany:
    id: int
    name: str
    language: str
    topic: str
    country: str
    currency: str
    answer_rate: float
    answer_hours: float  # median delay of the first answer
    resolve_rate: float
    evaluate_rate: float
    offer_rate: float
    representative_id: int = 0


class Generator:
    def __init__(self, *, complaints: int, companies: int, members: int, seed: int, batch_size: int,
                 progress=None, now: datetime | None = None):
        self.n_complaints, self.n_companies, self.n_members = complaints, companies, members
        self.seed, self.batch_size = seed, batch_size
        self.progress = progress or (lambda stage, done, total: None)
        self.now = now or timezone.now()
        self.now_ts = self.now.timestamp()
        # Independent streams, so that a name changed to avoid an existing one
        # does not change anything else the seed decides. Made-up data, not
        # secrets: the only "password" drawn from them is an unusable one.
        self.rng = random.Random(f"{seed}:data")  # noqa: S311
        self.names_rng = random.Random(f"{seed}:names")  # noqa: S311
        self.close_seconds = settings.COMPLAINT_CLOSE_DAYS * DAY
        self.answer_days_seconds = settings.COMPLAINT_ANSWER_DAYS * DAY
        self.summary = Summary(seed=seed, run="")
        self.statuses: dict[str, int] = {}
        self.languages: dict[str, int] = {}

    # Helpers.

    def at(self, ts: float) -> datetime:
        return datetime.fromtimestamp(ts, UTC)

    def token(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def password(self) -> str:
        # An unusable password, as set_unusable_password() writes, but from the seed.
        return "!" + "".join(self.rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=40))

    def run_label(self) -> str:
        """gen1, gen2, ...: the first number no earlier run used."""
        used = get_user_model().objects.filter(username__regex=r"^gen[0-9]+-").values_list("username", flat=True)
        numbers = [int(m.group(1)) for name in used if (m := re.match(r"gen(\d+)-", name))]
        return f"gen{max(numbers, default=0) + 1}"

    # Entry point.

    def run(self) -> Summary:
        started = time.monotonic()
        self.summary.run = self.run_label()
        self.texts = {language: LanguageTexts(language, random.Random(f"{self.seed}:texts:{language}"))  # noqa: S311
                      for language in LANGUAGE_WEIGHTS}
        self.user_ids = Ids(get_user_model())
        self.users = TableWriter(get_user_model(), [
            "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
            "is_staff", "is_active", "date_joined",
        ])
        # Members signed up with a confirmed address, as people do.
        self.email_ids = Ids(EmailAddress)
        self.emails = TableWriter(EmailAddress, ["id", "user_id", "email", "verified", "primary"])
        self.make_members()
        self.make_companies()
        self.summary.seconds["members_and_companies"] = round(time.monotonic() - started, 1)

        started = time.monotonic()
        self.make_complaints()
        self.summary.seconds["complaints"] = round(time.monotonic() - started, 1)

        if connection.vendor == "postgresql":
            started = time.monotonic()
            with connection.cursor() as cursor:
                for model in (Complaint, StatusChange, Message, Offer, Evaluation, MeToo, get_user_model(), Company):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            self.summary.seconds["analyze"] = round(time.monotonic() - started, 1)

        started = time.monotonic()
        self.progress("scorecards", 0, 1)
        self.summary.scored_companies = scorecards_recompute_all()
        self.progress("scorecards", 1, 1)
        self.summary.seconds["scorecards"] = round(time.monotonic() - started, 1)
        self.summary.statuses = dict(sorted(self.statuses.items(), key=lambda item: -item[1]))
        self.summary.languages = dict(sorted(self.languages.items(), key=lambda item: -item[1]))
        return self.summary

    # Members.

    def make_members(self) -> None:
        rng, run = self.rng, self.summary.run
        languages = list(LANGUAGE_WEIGHTS)
        cum = list(accumulate(LANGUAGE_WEIGHTS.values()))
        joined_from = self.now_ts - (YEARS + 1) * 365 * DAY
        self.members_by_language: dict[str, list[int]] = {language: [] for language in languages}
        self.member_names: dict[int, tuple[str, str]] = {}
        rows = []
        for i in range(self.n_members):
            # Round-robin for the first few, so every language has a member however few there are.
            language = languages[i] if i < len(languages) else rng.choices(languages, cum_weights=cum)[0]
            bank = PHRASES[language]
            first, last = rng.choice(bank["first_names"]), rng.choice(bank["last_names"])
            pk = self.user_ids.take()
            rows.append((
                pk, self.password(), None, False, f"{run}-member-{i + 1}", first, last,
                f"{run}-member-{i + 1}@example.com", False, True, self.at(joined_from + rng.random() * 365 * DAY),
            ))
            self.members_by_language[language].append(pk)
            self.member_names[pk] = (first, last)
            if len(rows) >= self.batch_size:
                self.write_users(rows, i + 1)
                rows = []
        self.write_users(rows, self.n_members)
        self.member_ids = [pk for ids in self.members_by_language.values() for pk in ids]
        self.summary.created["members"] = self.n_members

    def write_users(self, rows, done=None):
        with transaction.atomic():
            self.users.write(rows)
            self.emails.write([(self.email_ids.take(), row[0], row[7], True, True) for row in rows])
            self.user_ids.sync()
            self.email_ids.sync()
        if done is not None:
            self.progress("members", done, self.n_members)

    # Industries and companies.

    def industries(self) -> dict[str, Industry]:
        found = {}
        for topic, (slug, name, description) in INDUSTRIES.items():
            industry = Industry.objects.filter(slug=slug).first() or Industry.objects.filter(name=name).first()
            if industry is None:
                industry = Industry(slug=slug, name=name, description=description)
                fill_industry_translations(industry)
                industry.save()
                self.summary.created["industries"] = self.summary.created.get("industries", 0) + 1
            found[topic] = industry
        return found

    def company_name(self, language: str, topic: str) -> tuple[str, str]:
        """A made-up name in the language's style, and its core (for the web address)."""
        rng, parts = self.names_rng, PHRASES[language]["company"]
        prefix, stem = rng.choice(parts["prefixes"]), rng.choice(parts["stems"][topic])
        if "middles" in parts:
            middle = rng.choice(parts["middles"])
            core = f"{prefix} {middle} {stem}" if middle else f"{prefix} {stem}"
        else:
            core = prefix + (stem.lower() if language == "de" else stem) if rng.random() < parts["joined"] else f"{prefix} {stem}"
            region = rng.choice(parts["regions"])
            core = f"{core} {region}" if region else core
        return rng.choice(parts["legal"]).format(core), core

    def make_companies(self) -> None:
        rng, names_rng, run = self.rng, self.names_rng, self.summary.run
        industries = self.industries()
        taken_keys = set(Company.objects.values_list("name_key", flat=True))
        for alias_keys in Company.objects.exclude(alias_keys="").values_list("alias_keys", flat=True):
            taken_keys.update(key for key in alias_keys.split("\n") if key)
        taken_slugs = set(Company.objects.values_list("slug", flat=True))
        taken_slugs.update(CompanySlugRedirect.objects.values_list("old_slug", flat=True))
        run_keys: set[str] = set()

        languages = list(LANGUAGE_WEIGHTS)
        counts = self.split(self.n_companies, LANGUAGE_WEIGHTS)
        topics, topic_cum = list(TOPIC_WEIGHTS), list(accumulate(TOPIC_WEIGHTS.values()))
        company_ids = Ids(Company)
        created = self.at(self.now_ts - (YEARS + 1) * 365 * DAY)
        self.companies: list[GeneratedCompany] = []
        objects, representatives, rep_rows = [], [], []
        for language in languages:
            for _n in range(counts[language]):
                topic = rng.choices(topics, cum_weights=topic_cum)[0]
                country = _weighted(rng, COUNTRIES[language])
                # Within this run a name is drawn again until it is new; a name that
                # exists from before gets the run's suffix, without touching the draws.
                for _attempt in range(30):
                    name, core = self.company_name(language, topic)
                    key = normalise_company_name(name)
                    if key not in run_keys:
                        break
                else:
                    name, core = f"{name} {len(self.companies) + 1}", f"{core} {len(self.companies) + 1}"
                    key = normalise_company_name(name)
                run_keys.add(key)
                n = 1
                while key in taken_keys:
                    suffix = run.removeprefix("gen") + ("" if n == 1 else f"-{n}")
                    name, core = f"{name} {suffix}", f"{core} {suffix}"
                    key = normalise_company_name(name)
                    n += 1
                taken_keys.add(key)
                slug = base = company_slug(name)
                n = 2
                while slug in taken_slugs:
                    slug, n = f"{base}-{n}", n + 1
                taken_slugs.add(slug)
                aliases = ""
                words = core.split()
                if len(words) > 1 and names_rng.random() < 0.3:
                    acronym = "".join(word[0] for word in words).upper()
                    if normalise_company_name(acronym) not in taken_keys and len(acronym) > 1:
                        aliases = acronym
                        taken_keys.add(normalise_company_name(acronym))
                pk = company_ids.take()
                company = Company(
                    id=pk, name=name, slug=slug, aliases=aliases, country=country, industry=industries[topic],
                    website=f"https://www.{slugify(core) or f'company-{pk}'}.example",
                    description=PHRASES[language]["descriptions"][topic], is_listed=True,
                    created_at=self.at(created.timestamp() + rng.random() * 300 * DAY),
                )
                # Company.save() works out the keys; bulk_create does not call it.
                company.fill_keys()
                objects.append(company)
                silent = rng.random() < 0.1
                self.companies.append(GeneratedCompany(
                    id=pk, name=name, language=language, topic=topic, country=country, currency=CURRENCY[country],
                    answer_rate=rng.uniform(0.05, 0.25) if silent else rng.uniform(0.55, 0.98),
                    answer_hours=rng.choice([3, 8, 20, 30, 48, 72, 120]), resolve_rate=rng.uniform(0.3, 0.9),
                    evaluate_rate=rng.uniform(0.45, 0.75), offer_rate=rng.uniform(0.03, 0.35),
                ))
                # One representative per company writes its answers.
                first = rng.choice(PHRASES[language]["first_names"])
                rep = self.user_ids.take()
                self.companies[-1].representative_id = rep
                rep_rows.append((
                    rep, self.password(), None, False, f"{run}-rep-{len(self.companies)}", first, "",
                    f"{run}-rep-{len(self.companies)}@{slugify(core) or f'company-{pk}'}.example", False, True, created,
                ))
                representatives.append(Representative(
                    user_id=rep, company_id=pk, role=Representative.Role.OWNER,
                    verified_by=Representative.Verification.MODERATOR, work_email=rep_rows[-1][7], created_at=created,
                ))
        with transaction.atomic():
            Company.objects.bulk_create(objects, batch_size=500)
            company_ids.sync()
            self.write_users(rep_rows)
            Representative.objects.bulk_create(representatives, batch_size=500)
        self.summary.created["companies"] = len(objects)
        self.summary.created["representatives"] = len(representatives)
        self.progress("companies", len(objects), self.n_companies)

        # Per language: the companies in creation order, the k-th weighted 1/k.
        self.pools = {}
        for language in languages:
            pool = [c for c in self.companies if c.language == language] or self.companies
            weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(len(pool))]
            self.pools[language] = (pool, list(accumulate(weights)))

    @staticmethod
    def split(total: int, weights: dict) -> dict:
        """`total` shared by weight (largest remainder), at least one each while there are enough."""
        keys = list(weights)
        if total <= len(keys):
            return {key: int(i < total) for i, key in enumerate(keys)}
        whole = sum(weights.values())
        shares = {key: 1 + (total - len(keys)) * weights[key] / whole for key in keys}
        counts = {key: int(share) for key, share in shares.items()}
        for key in sorted(keys, key=lambda k: counts[k] - shares[k])[: total - sum(counts.values())]:
            counts[key] += 1
        return counts

    # Complaints.

    def make_complaints(self) -> None:
        rng, n = self.rng, self.n_complaints
        span = YEARS * 365 * DAY
        # Oldest first, so ids rise with the publishing date as on a real portal;
        # the portal grows, so recent months have more complaints.
        ages = sorted((span * rng.random() ** 1.3 for _ in range(n)), reverse=True)
        rare = set(rng.sample(range(n), min(RARE_COMPLAINTS, n)))
        self.ids = {model: Ids(model) for model in (Complaint, StatusChange, Message, Offer, Evaluation, MeToo)}
        self.writers = {
            Complaint: TableWriter(Complaint, COMPLAINT_COLUMNS),
            StatusChange: TableWriter(StatusChange, STATUS_CHANGE_COLUMNS),
            Message: TableWriter(Message, MESSAGE_COLUMNS),
            Offer: TableWriter(Offer, OFFER_COLUMNS),
            Evaluation: TableWriter(Evaluation, EVALUATION_COLUMNS),
            MeToo: TableWriter(MeToo, ME_TOO_COLUMNS),
        }
        self.created = {model: 0 for model in self.writers}
        for start in range(0, n, self.batch_size):
            self.rows = {model: [] for model in self.writers}
            for i in range(start, min(n, start + self.batch_size)):
                self.complaint(ages[i], rare=i in rare)
            with transaction.atomic():
                for model, writer in self.writers.items():
                    writer.write(self.rows[model])
                    self.created[model] += len(self.rows[model])
                for ids in self.ids.values():
                    ids.sync()
            self.progress("complaints", min(n, start + self.batch_size), n)
        for model, count in self.created.items():
            self.summary.created[ROW_NAMES[model]] = count

    def complaint(self, age: float, *, rare: bool) -> None:
        rng, now = self.rng, self.now_ts
        language = rng.choices(LANGUAGES, cum_weights=LANGUAGE_CUM)[0]
        pool, cum = self.pools[language]
        company = pool[bisect(cum, rng.random() * cum[-1])] if len(pool) > 1 else pool[0]
        authors = self.members_by_language[language] or self.member_ids
        author = authors[int(len(authors) * rng.random() ** 1.6)]
        texts = self.texts[language]
        outcome = _weighted(rng, OUTCOME_WEIGHTS[company.topic])
        amount = None
        if rng.random() < 0.7:
            value = MEDIAN_AMOUNT[company.currency] * rng.lognormvariate(0, 0.9)
            amount = Decimal(int(value)) if company.currency in ("RUB", "SEK") else Decimal(f"{value:.2f}")
        amount_text = format_money(amount, company.currency) if amount is not None else ""
        title = texts.title(rng, company.topic, company.name)
        story = texts.story(rng, topic=company.topic, company=company.name, amount=amount_text, outcome=outcome, rare=rare)
        anonymous = rng.random() < 0.2
        first, last = self.member_names[author]
        display_name = "" if anonymous else (f"{first} {last[0]}." if rng.random() < 0.6 else first)
        account_number = str(rng.randint(10_000_000, 999_999_999)) if rng.random() < 0.5 else ""
        phone = f"{PHONE_PREFIX[company.country]}{rng.randint(10_000, 99_999)}" if rng.random() < 0.3 else ""

        pk = self.ids[Complaint].take()
        published = now - age
        roll = 1.0 if rare else rng.random()  # the rare word is always in public complaints
        history = History(self, pk, author, company)
        if roll < 0.010:
            # Waiting for review: submitted in the last few days, never published.
            created = now - rng.uniform(HOUR, 3 * DAY)
            history.change(S.DRAFT, S.PENDING, author, E.SUBMITTED, created)
            state = ComplaintState(status=S.PENDING, created=created, published=None, updated=created)
        elif roll < 0.014:
            created = published - rng.uniform(600, DAY)
            history.change(S.DRAFT, S.PENDING, author, E.SUBMITTED, created)
            rejected = min(now, created + rng.uniform(HOUR, 2 * DAY))
            history.change(S.PENDING, S.REJECTED, None, E.REJECTED, rejected,
                           params={"reason": rng.choice(("spam", "not_real", "duplicate"))})
            state = ComplaintState(status=S.REJECTED, created=created, published=None, updated=rejected)
        else:
            state = history.lifecycle(published, texts)
            # Withdrawn by the author or hidden by the moderators: only from states
            # without an evaluation, so evaluations belong to resolved and unresolved alone.
            if roll < 0.060 and state.status in (S.PUBLISHED, S.ANSWERED):
                at = state.updated + rng.random() * (now - state.updated)
                history.change(state.status, S.WITHDRAWN, author, E.WITHDRAWN, at, note=rng.choice(texts.bank["withdraw"]))
                state.status, state.waiting_on, state.waiting_since, state.updated = S.WITHDRAWN, "", at, at
            elif 0.060 <= roll < 0.100 and state.status in (S.PUBLISHED, S.ANSWERED, S.CLOSED):
                at = state.updated + rng.random() * (now - state.updated)
                history.change(state.status, S.HIDDEN, None, E.HIDDEN, at,
                               params={"reason": rng.choice(("personal_data", "abuse", "spam", "not_real"))})
                state.before_hidden, state.status, state.updated = state.status, S.HIDDEN, at
        me_too = history.me_toos(state) if state.status in Complaint.PUBLIC_STATUSES else 0

        self.statuses[str(state.status)] = self.statuses.get(str(state.status), 0) + 1
        self.languages[language] = self.languages.get(language, 0) + 1
        at = self.at
        self.rows[Complaint].append((
            pk, company.id, author, state.status, title, story, outcome, amount,
            company.currency if amount is not None else "",
            (at(published - rng.uniform(0, 40 * DAY)).date()), language, display_name, anonymous, "",
            Complaint.Source.PORTAL, "", account_number, phone, "", "", None, None,
            state.waiting_on, at(state.waiting_since) if state.waiting_since else None,
            at(state.first_answered) if state.first_answered else None, None, state.before_hidden, False, False,
            None, self.token(), at(state.created), at(state.updated), at(state.published) if state.published else None,
            me_too,
        ))


@dataclass
class ComplaintState:
    status: str
    created: float
    published: float | None
    updated: float
    first_answered: float | None = None
    waiting_on: str = ""
    waiting_since: float | None = None
    before_hidden: str = ""


class History:
    """What happened to one complaint after it was written: the rows the services would have left."""

    def __init__(self, generator: Generator, complaint_id: int, author: int, company: GeneratedCompany):
        self.g, self.pk, self.author, self.company = generator, complaint_id, author, company
        self.rng = generator.rng

    def change(self, from_status, to_status, actor, event, ts, *, params=None, note="") -> None:
        self.g.rows[StatusChange].append((
            self.g.ids[StatusChange].take(), self.pk, from_status, to_status, actor, event, params or {}, note[:300],
            self.g.at(ts),
        ))

    def message(self, *, from_company: bool, kind: str, body: str, ts: float) -> int:
        pk = self.g.ids[Message].take()
        self.g.rows[Message].append((
            pk, self.pk, self.company.representative_id if from_company else self.author,
            self.company.id if from_company else None, kind, body, False, None, self.g.token(), self.g.at(ts),
            None, False, False,
        ))
        return pk

    def gap(self, median_hours: float, cap_days: float = 10) -> float:
        return min(self.rng.lognormvariate(math.log(median_hours), 1.0) * HOUR, cap_days * DAY)

    def lifecycle(self, published: float, texts: LanguageTexts) -> ComplaintState:
        """Submitted and published at once; then answered, evaluated, closed, or still waiting."""
        rng, g, company, now = self.rng, self.g, self.company, self.g.now_ts
        created = published - rng.uniform(600, 2 * DAY)
        # Published without a review: one row, as services.complaint_submit writes it.
        self.change(S.DRAFT, S.PUBLISHED, self.author, E.PUBLISHED_AUTOMATICALLY, published)
        state = ComplaintState(
            status=S.PUBLISHED, created=created, published=published, updated=published,
            waiting_on=Complaint.WaitingOn.COMPANY, waiting_since=published,
        )
        answers = rng.random() < company.answer_rate
        first = published + self.gap(company.answer_hours, cap_days=45) if answers else None
        evaluates = rng.random() < company.evaluate_rate
        if first is None or first > now:
            # Unanswered. After COMPLAINT_ANSWER_DAYS the author may evaluate anyway.
            if evaluates and rng.random() < 0.45:
                at = published + g.answer_days_seconds + rng.uniform(0, 30 * DAY)
                if at <= now and (first is None or at < first):
                    self.evaluate(state, at, resolved=rng.random() < 0.1, from_status=S.PUBLISHED, texts=texts)
            return state

        # The thread: the first answer, perhaps a request for details, replies, an offer.
        bank = texts.bank
        limit = min(now, first + g.close_seconds - HOUR)
        waits = []  # (time, whose move it is next)
        kind = _weighted(rng, {K.ANSWER: 60, K.APOLOGY: 20, K.DETAILS: 20})
        body_bank = {K.ANSWER: "answer", K.APOLOGY: "apology", K.DETAILS: "details_request"}[kind]
        self.message(from_company=True, kind=kind, body=rng.choice(bank[body_bank]), ts=first)
        waits.append((first, Complaint.WaitingOn.AUTHOR))
        self.change(S.PUBLISHED, S.ANSWERED, company.representative_id, E.ANSWERED, first)
        state.status, state.first_answered = S.ANSWERED, first
        t = first
        exchanges = 1 if kind == K.DETAILS else 0
        exchanges += 1 if rng.random() < 0.35 else 0
        for _n in range(exchanges):
            t += self.gap(20)
            if t > limit:
                break
            self.message(from_company=False, kind=K.REPLY, body=rng.choice(bank["reply"]), ts=t)
            waits.append((t, Complaint.WaitingOn.COMPANY))
            if rng.random() < 0.7:
                t += self.gap(24)
                if t > limit:
                    break
                self.message(from_company=True, kind=K.ANSWER, body=rng.choice(bank["followup"]), ts=t)
                waits.append((t, Complaint.WaitingOn.AUTHOR))
        offer = None
        if rng.random() < company.offer_rate:
            t += self.gap(30)
            if t <= limit:
                offer = self.offer_path(t, texts)
                waits.append((t, Complaint.WaitingOn.AUTHOR))
        activity = max([t for t, _who in waits] + ([offer["events"][-1][0]] if offer else []))

        evaluated_at = activity + self.gap(72, cap_days=40) if evaluates else None
        closes_at = first + g.close_seconds
        if evaluated_at is not None and evaluated_at <= now and evaluated_at < closes_at:
            if offer:
                self.write_offer(offer, until=evaluated_at)
                accepted = offer["final"] in (OS.ACCEPTED, OS.DELIVERED, OS.CONFIRMED)
                resolved = rng.random() < (0.85 if accepted else 0.15 if offer["final"] in (OS.DECLINED, OS.DISPUTED)
                                           else company.resolve_rate)
            else:
                resolved = rng.random() < company.resolve_rate
            self.evaluate(state, evaluated_at, resolved=resolved, from_status=S.ANSWERED, texts=texts)
        elif closes_at <= now:
            if offer:
                self.write_offer(offer, until=closes_at)
            self.change(S.ANSWERED, S.CLOSED, None, E.CLOSED_WITHOUT_EVALUATION, closes_at,
                        params={"days": settings.COMPLAINT_CLOSE_DAYS})
            state.status, state.waiting_on, state.waiting_since, state.updated = S.CLOSED, "", closes_at, closes_at
        else:
            if offer:
                waits += self.write_offer(offer, until=now)
            last, whose = max(waits)
            state.waiting_on, state.waiting_since, state.updated = whose, last, last
            if offer:  # a later withdrawal or hiding comes after the offer's last step in the timeline
                state.updated = max(state.updated, *(t for t, _status in offer["events"] if t <= now))
        return state

    def offer_path(self, ts: float, texts: LanguageTexts) -> dict:
        """What the company offers and what becomes of it (before cutting at the evaluation, closing or now)."""
        rng, company = self.rng, self.company
        kind = _weighted(rng, OFFER_WEIGHTS[company.topic])
        days = rng.choice([7, 14, 30]) if kind == Offer.Kind.FREE_DAYS else None
        amount = None
        if kind in (Offer.Kind.REFUND, Offer.Kind.CREDIT):
            value = MEDIAN_AMOUNT[company.currency] * rng.lognormvariate(-0.3, 0.8)
            amount = Decimal(int(value)) if company.currency in ("RUB", "SEK") else Decimal(f"{value:.2f}")
        description = rng.choice(texts.bank["offers"][kind]).format(days=days)
        events = [(ts, OS.OPEN)]
        t = ts + self.gap(30)
        if rng.random() < 0.65:
            events.append((t, OS.ACCEPTED))
            if rng.random() < 0.8:
                t += rng.uniform(1, 10) * DAY
                events.append((t, OS.DELIVERED))
                if rng.random() < 0.85:
                    events.append((t + rng.uniform(0.2, 5) * DAY, OS.CONFIRMED))
                elif rng.random() < 0.8:
                    events.append((t + rng.uniform(0.2, 5) * DAY, OS.DISPUTED))
        elif rng.random() < 0.7:
            events.append((t, OS.DECLINED))
        return {
            "kind": kind, "days": days, "amount": amount, "description": description, "events": events,
            "final": events[-1][1], "body": f"{texts.bank['offer_intro']} {description}",
        }

    def write_offer(self, offer: dict, *, until: float) -> list[tuple[float, str]]:
        """The offer and its message, as far as it got by `until`; returns whose move each step made it."""
        g = self.g
        events = [(t, status) for t, status in offer["events"] if t <= until]
        created = events[0][0]
        message = self.message(from_company=True, kind=K.OFFER, body=offer["body"], ts=created)
        offer_id = g.ids[Offer].take()
        params = {"offer": offer_id, "kind": offer["kind"]}
        if offer["amount"] is not None:
            params |= {"amount": str(offer["amount"]), "currency": self.company.currency}
        if offer["days"]:
            params["days"] = offer["days"]
        for t, status in events:
            by_company = status in (OS.OPEN, OS.DELIVERED)
            self.change(S.ANSWERED, S.ANSWERED, self.company.representative_id if by_company else self.author,
                        OFFER_EVENTS[status], t, params=params)
        times = {status: t for t, status in events}
        responded = times.get(OS.ACCEPTED) or times.get(OS.DECLINED)
        delivered = times.get(OS.DELIVERED)
        confirmed = times.get(OS.CONFIRMED) or times.get(OS.DISPUTED)
        g.rows[Offer].append((
            offer_id, self.pk, message, self.company.id, offer["kind"], offer["amount"],
            self.company.currency if offer["amount"] is not None else "", offer["days"], offer["description"][:300],
            g.at(created + 14 * DAY).date(), events[-1][1], "", g.at(responded) if responded else None,
            g.at(delivered) if delivered else None, g.at(confirmed) if confirmed else None, g.at(created),
        ))
        waits = []
        if responded:
            waits.append((responded, Complaint.WaitingOn.COMPANY))
        if delivered:
            waits.append((delivered, Complaint.WaitingOn.AUTHOR))
        return waits

    def evaluate(self, state: ComplaintState, ts: float, *, resolved: bool, from_status: str, texts) -> None:
        rng, g = self.rng, self.g
        rating = _weighted(rng, {5: 45, 4: 35, 3: 15, 2: 5} if resolved else {1: 50, 2: 30, 3: 15, 4: 5})

        def factor():
            return max(1, min(5, rating + rng.choice((-1, 0, 0, 1)))) if rng.random() < 0.8 else None

        comment_bank = texts.bank["evaluation_resolved" if resolved else "evaluation_unresolved"]
        g.rows[Evaluation].append((
            g.ids[Evaluation].take(), self.pk, resolved, rating, rng.random() < (0.75 if resolved else 0.1),
            factor(), factor(), factor(), factor(), factor(), rng.choice(comment_bank) if rng.random() < 0.5 else "",
            0, g.at(ts), g.at(ts),
        ))
        target = S.RESOLVED if resolved else S.UNRESOLVED
        self.change(from_status, target, self.author, E.EVALUATED_RESOLVED if resolved else E.EVALUATED_UNRESOLVED, ts)
        state.status, state.waiting_on, state.waiting_since, state.updated = target, "", ts, ts

    def me_toos(self, state: ComplaintState) -> int:
        """Most complaints have none, a few have hundreds."""
        rng, g = self.rng, self.g
        if rng.random() < 0.7:
            return 0
        wanted = min(int(rng.paretovariate(1.4)), MAX_ME_TOO, len(g.member_ids) - 1)
        if wanted <= 0:
            return 0
        users = [user for user in rng.sample(g.member_ids, wanted + 1) if user != self.author][:wanted]
        span = g.now_ts - state.published
        for user in users:
            g.rows[MeToo].append((g.ids[MeToo].take(), self.pk, user, g.at(state.published + rng.random() * span)))
        return len(users)


ROW_NAMES = {
    Complaint: "complaints", StatusChange: "status_changes", Message: "messages", Offer: "offers",
    Evaluation: "evaluations", MeToo: "me_toos",
}
LANGUAGES = list(LANGUAGE_WEIGHTS)
LANGUAGE_CUM = list(accumulate(LANGUAGE_WEIGHTS.values()))

COMPLAINT_COLUMNS = [
    "id", "company_id", "author_id", "status", "title", "story", "desired_outcome", "amount", "currency",
    "happened_on", "language", "display_name", "is_anonymous", "category", "source", "external_id",
    "account_number", "phone", "reachable_times", "reachable_days", "reachable_from", "reachable_until",
    "waiting_on", "waiting_since", "first_answered_at", "reopened_at", "status_before_hidden", "text_held",
    "resubmitted", "edited_at", "submission_token", "created_at", "updated_at", "published_at", "me_too_count",
]
STATUS_CHANGE_COLUMNS = [
    "id", "complaint_id", "from_status", "to_status", "actor_id", "event", "params", "note", "created_at",
]
MESSAGE_COLUMNS = [
    "id", "complaint_id", "author_id", "company_id", "kind", "body", "is_private", "callback_at", "submission_token",
    "created_at", "edited_at", "is_hidden", "text_held",
]
OFFER_COLUMNS = [
    "id", "complaint_id", "message_id", "company_id", "kind", "amount", "currency", "days", "description",
    "expires_on", "status", "response_reason", "responded_at", "delivered_at", "confirmed_at", "created_at",
]
EVALUATION_COLUMNS = [
    "id", "complaint_id", "resolved", "rating", "would_return", "waiting_time", "treatment", "knowledge",
    "willingness", "compensation_fairness", "comment", "change_count", "created_at", "updated_at",
]
ME_TOO_COLUMNS = ["id", "complaint_id", "user_id", "created_at"]


def benchmark_data_generate(
    *, complaints: int, companies: int, members: int | None = None, seed: int | None = None,
    batch_size: int = 20_000, progress=None, now: datetime | None = None,
) -> Summary:
    """Add generated companies, members and complaints (with their history), then recompute the scorecards."""
    members = default_members(complaints) if members is None else members
    for name, value in (("complaints", complaints), ("companies", companies), ("members", members),
                        ("batch size", batch_size)):
        if value is None or value <= 0:
            raise GenerateError(f"The number of {name} must be positive, not {value}.")
    if members < 2:
        raise GenerateError("At least 2 members are needed (a \"me too\" comes from someone other than the author).")
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    return Generator(
        complaints=complaints, companies=companies, members=members, seed=seed, batch_size=batch_size,
        progress=progress, now=now,
    ).run()
