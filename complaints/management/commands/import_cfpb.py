"""`manage.py import_cfpb FILE.csv`: complaints from the US CFPB public complaint database.

Each row becomes a published complaint about its company (created once per
normalised name, listed, country US), written by the inactive system user
"cfpb-import" and shown anonymously. The product becomes the company's industry
(when it has none), the issue the complaint's category, the narrative its story.
A CFPB response that closed the complaint becomes the company's public answer in
the thread, dated the day after the CFPB sent it on (16 days after when the
response was not timely); "In progress" and "Untimely response" leave the
complaint waiting for the company.

The CFPB complaint id is kept (source "cfpb", external_id), so importing the same
file again adds nothing. A row that cannot be read is reported with its line
number and skipped; a file whose header is not a CFPB header is refused before
anything is written. Rows are written in batches, in bulk, with the same
timeline rows the services write (draft → published as imported → answered);
notifications are muted and the scorecards are recomputed once at the end
(only when something was imported).
"""

import csv
import io
import os
import uuid
from collections import Counter
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from companies.models import Company, Industry
from companies.services import company_list, unique_company_slug
from companies.text import normalise_company_name
from complaints import cfpb
from complaints.models import Complaint, Message, StatusChange
from complaints.services import notifications
from complaints.services.scorecards import refreshes_deferred, scorecards_recompute_all

SYSTEM_USERNAME = "cfpb-import"
S = Complaint.Status


def midday(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)), timezone.get_default_timezone())


def system_user():
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "CFPB import"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Import complaints from a US CFPB consumer complaint CSV file. Importing a file again adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a CSV file from the CFPB consumer complaint database")
        parser.add_argument("--batch-size", type=int, default=500, help="rows written per transaction")

    def handle(self, *args, file, batch_size, **options):
        try:
            raw = open(file, "rb")  # closed by the with block below
        except OSError as error:
            raise CommandError(f"Cannot open {file}: {error.strerror}") from error
        with raw, translation.override("en"), notifications.muted(), refreshes_deferred():
            size = os.fstat(raw.fileno()).st_size or 1
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            try:
                keys = cfpb.header_keys(next(reader, None))
            except (cfpb.FormatError, csv.Error) as error:
                raise CommandError(f"{file}: {error}") from error
            self.run(reader, keys, raw=raw, size=size, batch_size=max(1, batch_size))
            if not self.counts["imported"]:
                return  # nothing changed, so the figures have not either
            companies = scorecards_recompute_all()
        self.stdout.write(f"Scorecards recomputed for {companies} companies.")

    def run(self, reader, keys, *, raw, size, batch_size):
        self.system = system_user()
        self.companies: dict[str, Company] = {}
        self.industries: dict[str, Industry] = {}
        self.counts = Counter()
        self.progress = self.stdout.isatty()
        known = set(Complaint.objects.filter(source=Complaint.Source.CFPB).values_list("external_id", flat=True))
        batch: list[cfpb.Record] = []
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                line = reader.line_num
                self.bad(start, str(error))
                continue
            line = reader.line_num
            self.counts["rows"] += 1
            if not any(value.strip() for value in row):
                continue
            try:
                record = cfpb.parse_row(keys, row)
            except cfpb.RowError as error:
                self.bad(start, str(error))
                continue
            if record.complaint_id in known:
                self.counts["existing"] += 1
                continue
            known.add(record.complaint_id)
            batch.append(record)
            if len(batch) >= batch_size:
                self.write(batch)
                batch = []
            if self.progress and self.counts["rows"] % 100 == 0:
                self.show_progress(raw.tell() / size)
        if batch:
            self.write(batch)
        if self.progress:
            self.show_progress(1)
            self.stdout.write("")
        c = self.counts
        self.stdout.write(
            f"Imported {c['imported']} complaints ({c['answered']} answered by the company) from {c['rows']} rows; "
            f"{c['companies']} companies and {c['industries']} industries created; "
            f"{c['existing']} already imported; {c['bad']} bad rows skipped."
        )

    def show_progress(self, fraction):
        self.stdout.write(
            f"\r{min(fraction, 1):6.1%}  {self.counts['rows']} rows read, {self.counts['imported']} imported", ending=""
        )
        self.stdout.flush()

    def bad(self, line, reason):
        self.counts["bad"] += 1
        if self.progress:
            self.stdout.write("")
        self.stderr.write(f"line {line}: {reason}; skipped")

    # Writing.

    def industry(self, product: str) -> Industry:
        slug = cfpb.industry_slug(product)
        if slug not in self.industries:
            name = product[:100]
            industry = Industry.objects.filter(slug=slug).first() or Industry.objects.filter(name=name).first()
            if industry is None:
                industry = Industry.objects.create(slug=slug, name=name)
                self.counts["industries"] += 1
            self.industries[slug] = industry
        return self.industries[slug]

    def company(self, record: cfpb.Record) -> Company:
        key = normalise_company_name(record.company)
        if key not in self.companies:
            industry = self.industry(record.product)
            company = (
                Company.objects.filter(name_key=key).first()
                or Company.objects.filter(alias_keys__contains=f"\n{key}\n").first()
            )
            if company is None:
                company = Company.objects.create(
                    name=record.company, slug=unique_company_slug(record.company), country="US", industry=industry,
                    is_listed=True, created_by=self.system,
                )
                self.counts["companies"] += 1
            else:
                company_list(company=company)
                if company.industry_id is None:
                    Company.objects.filter(pk=company.pk).update(industry=industry)
                    company.industry = industry
            self.companies[key] = company
        return self.companies[key]

    @transaction.atomic
    def write(self, records: list[cfpb.Record]) -> None:
        complaints = []
        for record in records:
            self.industry(record.product)
            company = self.company(record)
            published = midday(record.received)
            answered = max(midday(record.answered_on), published) if record.is_answered else None
            complaints.append(Complaint(
                company=company, author=self.system, status=S.ANSWERED if answered else S.PUBLISHED,
                title=cfpb.title_of(record), story=cfpb.story_of(record), category=record.issue[: cfpb.CATEGORY_MAX],
                desired_outcome=Complaint.Outcome.OTHER, language="en", display_name="", is_anonymous=True,
                source=Complaint.Source.CFPB, external_id=record.complaint_id,
                waiting_on=Complaint.WaitingOn.AUTHOR if answered else Complaint.WaitingOn.COMPANY,
                waiting_since=answered or published, first_answered_at=answered,
                submission_token=uuid.uuid4(), created_at=published, published_at=published,
            ))
        Complaint.objects.bulk_create(complaints)

        E = StatusChange.Event
        changes, messages = [], []
        for record, complaint in zip(records, complaints, strict=True):
            at = complaint.published_at
            # Published as a public record, never reviewed here: no "waiting for review" row.
            changes.append(StatusChange(complaint=complaint, from_status=S.DRAFT, to_status=S.PUBLISHED,
                                        actor=self.system, event=E.IMPORTED, created_at=at))
            if complaint.first_answered_at:
                changes.append(StatusChange(complaint=complaint, from_status=S.PUBLISHED, to_status=S.ANSWERED,
                                            actor=self.system, event=E.ANSWERED, created_at=complaint.first_answered_at))
                messages.append(Message(
                    complaint=complaint, author=self.system, company=complaint.company, kind=Message.Kind.ANSWER,
                    body=cfpb.answer_of(record), created_at=complaint.first_answered_at, submission_token=uuid.uuid4(),
                ))
        StatusChange.objects.bulk_create(changes, batch_size=500)
        Message.objects.bulk_create(messages, batch_size=500)
        self.counts["imported"] += len(complaints)
        self.counts["answered"] += len(messages)
