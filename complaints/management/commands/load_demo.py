"""`manage.py load_demo`: a small, believable portal to click through.

Accounts, industries, companies and published complaints from
`complaints.management.demo_data`. Complaints are filed the way a person
files them, through `complaint_save_draft` and `complaint_submit`; only their
dates are moved into the past afterwards, so the portal looks lived-in.
Running it again finds what is there (users by e-mail, industries and
companies by slug, complaints by author and title) and adds only what is missing.
"""

import calendar
import io
from collections import Counter
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.utils import generate_unique_username
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from companies.models import Company, CompanyDomain, Industry
from companies.text import company_slug, normalise_company_name
from complaints.evidence import inspect_upload
from complaints.management import demo_data
from complaints.models import Attachment, Complaint, StatusChange
from complaints.services import complaint_save_draft, complaint_submit

KINDS = ("accounts", "industries", "companies", "complaints")


class Command(BaseCommand):
    help = "Load demo accounts, companies and complaints. Running it again adds only what is missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Load the demo even though DEBUG is off (it creates accounts with published passwords).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates accounts whose passwords are published in the README, so it runs only "
                "with DEBUG on. To load the demo anyway, run: manage.py load_demo --force"
            )
        self.created, self.present = Counter(), Counter()
        self.files_written: list[str] = []
        self.now = timezone.now()
        try:
            with transaction.atomic():
                users = {account.email: self.ensure_account(account) for account in demo_data.ACCOUNTS}
                industries = {industry.slug: self.ensure_industry(industry) for industry in demo_data.INDUSTRIES}
                companies = {
                    company.name: self.ensure_company(company, industries[company.industry])
                    for company in demo_data.COMPANIES
                }
                for complaint in demo_data.COMPLAINTS:
                    self.ensure_complaint(complaint, users[complaint.author], companies[complaint.company])
        except BaseException:
            # The rows are rolled back; evidence files written on the way must go too.
            for name in self.files_written:
                Attachment.file.field.storage.delete(name)
            raise
        self.report()

    # Accounts

    def ensure_account(self, account: demo_data.DemoAccount):
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=account.email).first()
        if user is None:
            user = user_model(email=account.email, username=generate_unique_username([account.email]))
            if account.password:
                user.set_password(account.password)
            else:
                user.set_unusable_password()
            user.is_staff = user.is_superuser = account.is_admin
            user.save()
            self.created["accounts"] += 1
        else:
            self.present["accounts"] += 1
            if account.is_admin and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        if account.is_moderator:
            group, _ = Group.objects.get_or_create(name=settings.MODERATORS_GROUP)
            user.groups.add(group)
        self.ensure_verified_email(user, account.email)
        return user

    def ensure_verified_email(self, user, email: str) -> None:
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            primary = not EmailAddress.objects.filter(user=user, primary=True).exists()
            EmailAddress.objects.create(user=user, email=email, primary=primary, verified=True)
            return
        if not address.verified:
            address.set_verified()
        if not address.primary:
            address.set_as_primary(conditional=True)

    # Industries and companies

    def ensure_industry(self, industry: demo_data.DemoIndustry) -> Industry:
        existing = Industry.objects.filter(slug=industry.slug).first() or Industry.objects.filter(
            name=industry.name
        ).first()
        if existing is not None:
            self.present["industries"] += 1
            return existing
        self.created["industries"] += 1
        return Industry.objects.create(slug=industry.slug, name=industry.name, description=industry.description)

    def ensure_company(self, company: demo_data.DemoCompany, industry: Industry) -> Company:
        slug = company_slug(company.name)
        # A company already proposed under another slug has the same name key; reuse it
        # rather than fail on the unique key.
        existing = Company.objects.filter(slug=slug).first() or Company.objects.filter(
            name_key=normalise_company_name(company.name)
        ).first()
        if existing is not None:
            self.present["companies"] += 1
            return existing
        created = Company.objects.create(
            name=company.name, slug=slug, aliases="\n".join(company.aliases), website=company.website,
            country=company.country, industry=industry, description=company.description,
        )
        for domain in company.domains:
            if not CompanyDomain.objects.filter(domain=domain).exists():
                CompanyDomain.objects.create(company=created, domain=domain)
        self.created["companies"] += 1
        return created

    # Complaints

    def ensure_complaint(self, demo: demo_data.DemoComplaint, author, company: Company) -> Complaint:
        existing = Complaint.objects.filter(author=author, title=demo.title).first()
        if existing is not None:
            self.present["complaints"] += 1
            return existing

        published_at = self.published_at(month=demo.month, at=demo.at)
        happened_on = timezone.localtime(published_at).date() - timedelta(days=demo.days_before)
        evidence = []
        if demo.receipt is not None:
            bought_on = happened_on - timedelta(days=demo.receipt.days_before_incident)
            image = receipt_png([*demo.receipt.lines, "", f"{bought_on:%d.%m.%Y}"])
            evidence.append(inspect_upload(SimpleUploadedFile(demo.receipt.file_name, image, "image/png")))

        display_name = "" if demo.is_anonymous else demo_display_name(demo.author)
        fields = {
            "title": demo.title,
            "story": demo.story,
            "desired_outcome": demo.desired_outcome,
            "amount": demo.amount,
            "currency": demo.currency,
            "happened_on": happened_on,
            "language": demo.language,
            "display_name": display_name,
            "is_anonymous": demo.is_anonymous,
            "account_number": demo.account_number,
            "phone": "",
            "reachable_times": demo.reachable_times,
            "reachable_days": "",
            "reachable_from": None,
            "reachable_until": None,
        }
        draft = complaint_save_draft(author=author, fields=fields, company=company, new_evidence=evidence)
        self.files_written += [attachment.file.name for attachment in draft.attachments.all()]
        complaint = complaint_submit(complaint=draft, user=author)

        # The only direct write: move the dates into the past, as if filed then.
        Complaint.objects.filter(pk=complaint.pk).update(
            published_at=published_at, created_at=published_at - timedelta(minutes=25), waiting_since=published_at
        )
        StatusChange.objects.filter(complaint=complaint).update(created_at=published_at)
        self.created["complaints"] += 1
        return complaint

    def published_at(self, *, month: int, at: float) -> datetime:
        """A moment `at` of the way through the month `month` months ago (the current one only up to now)."""
        now = timezone.localtime(self.now)
        year, number = now.year, now.month - month
        while number < 1:
            year, number = year - 1, number + 12
        start = now.replace(year=year, month=number, day=1, hour=0, minute=0, second=0, microsecond=0)
        end = now if month == 0 else start + timedelta(days=calendar.monthrange(year, number)[1])
        moment = start + (end - start) * at
        # People write in the daytime: keep the day, pick a time between 08:00 and 22:00.
        minutes = 8 * 60 + round(at * 10_007) % (14 * 60)
        daytime = moment.replace(hour=minutes // 60, minute=minutes % 60)
        return min(max(daytime, start), now - timedelta(minutes=5))

    def report(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        for kind in KINDS:
            self.stdout.write(f"  {kind}: {self.created[kind]} created, {self.present[kind]} already present")
        self.stdout.write(
            "Sign in as member@example.com / demo-member-pass, moderator@example.com / demo-moderator-pass "
            "or admin@example.com / demo-admin-pass."
        )


def demo_display_name(email: str) -> str:
    return next(account.display_name for account in demo_data.ACCOUNTS if account.email == email)


def receipt_png(lines: list[str | tuple[str, str]]) -> bytes:
    """A till receipt drawn in black on white, amounts flush right."""
    font = ImageFont.load_default(size=15)
    line_height, margin = 22, 24
    image = Image.new("RGB", (340, 2 * margin + line_height * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        y = margin + number * line_height
        label, amount = line if isinstance(line, tuple) else (line, "")
        draw.text((margin, y), label, fill="black", font=font)
        if amount:
            draw.text((image.width - margin, y), amount, fill="black", font=font, anchor="ra")
    draw.rectangle([(4, 4), (image.width - 5, image.height - 5)], outline="#999999")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
