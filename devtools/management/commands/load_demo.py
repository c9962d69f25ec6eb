"""`manage.py load_demo`: a small, believable portal to click through.

Accounts, industries, companies, representatives, published complaints and
what happened to them afterwards, from `devtools.demo_data`.
Everything goes through the services a person's clicks go through
(`complaint_submit`, `claim_decide`, `message_post`, `offer_respond`,
`complaint_evaluate`, ...); only dates are moved into the past afterwards, so
the portal looks lived-in.

Running it again finds what is there (users by e-mail, industries and
companies by slug, representatives by user and company, complaints by author
and title) and adds only what is missing. A complaint's thread is played only
while the complaint is untouched: still published, with no messages, "me too",
follows, comments or evaluation.

Notifications are muted: loading the demo tells nobody. The scorecard refresh
each service schedules for after the commit is held back as well (the same ten
companies would be recomputed after each of some two hundred service calls);
one `scorecards_recompute_all()` at the end scores every company against the
final portal-wide figures. Complaints held for review (pre-moderation) are
approved by the demo moderator. Deltacom and Nordnät Bredband have enough
evaluated complaints in the last 12 months for a score; the others do not.
"""

import calendar
import io
from collections import Counter
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.utils import generate_unique_username
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from companies.models import Company, CompanyDomain, CompanyProfile, Industry, RepresentationClaim, Representative
from companies.services import claim_decide, claim_submit
from companies.text import company_slug, normalise_company_name
from complaints.evidence import inspect_upload
from complaints.models import (
    Attachment,
    Comment,
    Complaint,
    Evaluation,
    Follow,
    Message,
    MeToo,
    Offer,
    StatusChange,
)
from complaints.services import notifications
from complaints.services.lifecycle import complaint_publish, complaint_save_draft, complaint_submit
from complaints.services.participation import comment_post, follow_toggle, me_too_toggle
from complaints.services.scorecards import refreshes_deferred, scorecards_recompute_all
from complaints.services.thread import (
    complaint_evaluate,
    message_post,
    offer_confirm_delivery,
    offer_mark_delivered,
    offer_respond,
)
from devtools import demo_data
from devtools.phrases import fill_industry_translations

KINDS = ("accounts", "industries", "companies", "representatives", "complaints", "threads")


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
            with notifications.muted(), refreshes_deferred(), transaction.atomic():
                users = {account.email: self.ensure_account(account) for account in demo_data.ACCOUNTS}
                industries = {industry.slug: self.ensure_industry(industry) for industry in demo_data.INDUSTRIES}
                companies = {
                    company.name: self.ensure_company(company, industries[company.industry])
                    for company in demo_data.COMPANIES
                }
                for complaint in demo_data.COMPLAINTS:
                    self.ensure_complaint(complaint, users[complaint.author], companies[complaint.company],
                                          moderator=users[demo_data.MODERATOR])
                # Representatives come after the complaints, so publishing them mails nobody.
                speakers = {}
                for rep in demo_data.REPRESENTATIVES:
                    company = companies[rep.company]
                    self.ensure_representative(rep, users[rep.email], company, moderator=users[demo_data.MODERATOR])
                    speakers.setdefault(company.pk, users[rep.email])
                for thread in demo_data.THREADS:
                    self.ensure_thread(thread, users, speakers)
        except BaseException:
            # The rows are rolled back; evidence files written on the way must go too.
            for name in self.files_written:
                Attachment.file.field.storage.delete(name)
            raise
        # One recompute at the end scores every company against the final priors.
        scorecards_recompute_all()
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
            # Rows loaded before the industries had translations get them now.
            if fill_industry_translations(existing):
                existing.save()
            return existing
        self.created["industries"] += 1
        created = Industry(slug=industry.slug, name=industry.name, description=industry.description)
        fill_industry_translations(created)
        created.save()
        return created

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
        if company.contact:
            CompanyProfile.objects.create(company=created, **dict(company.contact))
        self.created["companies"] += 1
        return created

    # Complaints

    def ensure_complaint(self, demo: demo_data.DemoComplaint, author, company: Company, *, moderator) -> Complaint:
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
            "reachable_days": demo.reachable_days,
            "reachable_from": demo.reachable_from,
            "reachable_until": demo.reachable_until,
        }
        draft = complaint_save_draft(author=author, fields=fields, company=company, new_evidence=evidence)
        self.files_written += [attachment.file.name for attachment in draft.attachments.all()]
        complaint = complaint_submit(complaint=draft, user=author)
        if complaint.status == Complaint.Status.PENDING:
            # Held for review (an author's first complaint, by default): the moderator approves it.
            complaint = complaint_publish(complaint=complaint, moderator=moderator)

        # The only direct write: move the dates into the past, as if filed then.
        Complaint.objects.filter(pk=complaint.pk).update(
            published_at=published_at, created_at=published_at - timedelta(minutes=25), waiting_since=published_at
        )
        StatusChange.objects.filter(complaint=complaint).update(created_at=published_at)
        self.created["complaints"] += 1
        return complaint

    # Representatives

    def ensure_representative(self, demo: demo_data.DemoRepresentative, user, company: Company, *, moderator) -> None:
        """Ask to represent the company, as a person would; a moderator approves what the domain does not."""
        if Representative.objects.filter(user=user, company=company).exists():
            self.present["representatives"] += 1
            return
        claim = RepresentationClaim.objects.filter(
            user=user, company=company, status__in=RepresentationClaim.OPEN_STATUSES
        ).first() or claim_submit(
            user=user, company=company, work_email=demo.work_email, job_title=demo.job_title,
            evidence="Listed on the company's staff page; confirmed by a call to its switchboard.",
        )
        if claim.is_open:
            # Also the way for a domain claim when the company was already listed without that domain.
            claim = claim_decide(claim=claim, moderator=moderator, approve=True)
        # Representatives since before the first demo complaint.
        since = self.published_at(month=max(complaint.month for complaint in demo_data.COMPLAINTS) + 1, at=0.5)
        RepresentationClaim.objects.filter(pk=claim.pk).update(created_at=since, decided_at=since)
        Representative.objects.filter(user=user, company=company).update(created_at=since)
        self.created["representatives"] += 1

    # Threads: what happened after publication

    def ensure_thread(self, thread: demo_data.DemoThread, users: dict, speakers: dict) -> None:
        author = users[thread.author]
        complaint = (
            Complaint.objects.filter(author=author, title__startswith=thread.title).select_related("company")
            .order_by("pk").first()
        )
        if complaint is None:
            return
        if complaint.status != Complaint.Status.PUBLISHED or self.has_activity(complaint):
            # Played before, or somebody has clicked around in it since: leave it as it is.
            self.present["threads"] += 1
            return

        # Each step on its day after publication, in the daytime and in order; squeezed when
        # the complaint is younger than its story, and never later than now.
        latest = self.now - timedelta(minutes=1)
        story = timedelta(days=max(step.day for step in thread.steps))
        scale = min(1.0, max(latest - complaint.published_at, timedelta(0)) / story)
        speaker = speakers.get(complaint.company_id)
        offer, expiry = None, {}
        moment = complaint.published_at
        for step in thread.steps:
            planned = in_daytime(complaint.published_at + timedelta(days=step.day) * scale)
            moment = min(max(planned, moment + timedelta(minutes=1)), latest).replace(microsecond=0)
            complaint.refresh_from_db()
            offer = self.play(step, complaint, author=author, speaker=speaker, users=users, moment=moment,
                              offer=offer, expiry=expiry)
        # Offers were made valid for today, so that they could be answered; now give them their own dates.
        for pk, expires_on in expiry.items():
            Offer.objects.filter(pk=pk).update(expires_on=expires_on)
        self.created["threads"] += 1

    @staticmethod
    def has_activity(complaint: Complaint) -> bool:
        return (
            complaint.messages.exists() or complaint.me_toos.exists() or complaint.follows.exists()
            or complaint.comments.exists() or Evaluation.objects.filter(complaint=complaint).exists()
        )

    def play(self, step, complaint: Complaint, *, author, speaker, users, moment, offer, expiry) -> Offer | None:
        """One step through its service, then the rows it wrote moved to `moment`."""
        before = Complaint.objects.values("first_answered_at", "waiting_since").get(pk=complaint.pk)
        last_change = complaint.status_changes.aggregate(last=Max("pk"))["last"] or 0
        match step:
            case demo_data.Say():
                offer = self.say(step, complaint, author=author, speaker=speaker, moment=moment, offer=offer,
                                 expiry=expiry)
            case demo_data.Respond():
                offer = offer_respond(offer=offer, user=author, accept=step.accept, reason=step.reason)
                Offer.objects.filter(pk=offer.pk).update(responded_at=moment)
            case demo_data.Deliver():
                offer = offer_mark_delivered(offer=offer, user=speaker)
                Offer.objects.filter(pk=offer.pk).update(delivered_at=moment)
            case demo_data.Confirm():
                offer = offer_confirm_delivery(offer=offer, user=author, received=step.received, reason=step.reason)
                Offer.objects.filter(pk=offer.pk).update(confirmed_at=moment)
            case demo_data.Evaluate():
                data = {
                    "resolved": step.resolved, "rating": step.rating, "would_return": step.would_return,
                    "comment": step.comment, **{name: getattr(step, name) for name in Evaluation.FACTORS},
                }
                evaluation = complaint_evaluate(complaint=complaint, user=author, data=data)
                Evaluation.objects.filter(pk=evaluation.pk).update(created_at=moment, updated_at=moment)
            case demo_data.MeToo():
                me_too_toggle(complaint=complaint, user=users[step.member])
                MeToo.objects.filter(complaint=complaint, user=users[step.member]).update(created_at=moment)
            case demo_data.Follow():
                follow_toggle(complaint=complaint, user=users[step.member])
                Follow.objects.filter(complaint=complaint, user=users[step.member]).update(created_at=moment)
            case demo_data.Remark():
                comment = comment_post(complaint=complaint, user=users[step.member], body=step.body)
                Comment.objects.filter(pk=comment.pk).update(created_at=moment)
        StatusChange.objects.filter(complaint=complaint, pk__gt=last_change).update(created_at=moment)
        after = Complaint.objects.values(*before).get(pk=complaint.pk)
        moved = {name: moment for name in before if after[name] != before[name]}
        if moved:
            Complaint.objects.filter(pk=complaint.pk).update(**moved)
        return offer

    def say(self, step: demo_data.Say, complaint: Complaint, *, author, speaker, moment, offer, expiry):
        user = speaker if step.kind in Message.COMPANY_KINDS else author
        callback_at = story_callback = None
        if step.callback:
            # The service accepts only a future call-back, so it gets one in the same window;
            # the story's call-back, on the evening after the message, replaces it below.
            story_callback = next_reachable(complaint, after=moment)
            callback_at = max(story_callback, next_reachable(complaint, after=timezone.now()))
        details = None
        if step.offer is not None:
            expires_on = timezone.localtime(moment).date() + timedelta(days=step.offer.valid_days)
            details = {
                "kind": step.offer.kind, "amount": step.offer.amount, "currency": step.offer.currency,
                "days": step.offer.days, "description": step.offer.description,
                "expires_on": max(expires_on, timezone.localdate()),
            }
        message = message_post(
            complaint=complaint, user=user, kind=step.kind, body=step.body, is_private=step.private,
            callback_at=callback_at, offer=details,
        )
        moved = {"created_at": moment}
        if story_callback is not None and story_callback < callback_at:
            moved["callback_at"] = story_callback
        Message.objects.filter(pk=message.pk).update(**moved)
        if details is not None:
            offer = Offer.objects.get(message=message)
            Offer.objects.filter(pk=offer.pk).update(created_at=moment)
            expiry[offer.pk] = expires_on
        return offer

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
            "Sign in as member@example.com / demo-member-pass, moderator@example.com / demo-moderator-pass, "
            "admin@example.com / demo-admin-pass, or company@example.com / demo-company-pass "
            "(answers for 2KOM and Deltacom in the business inbox at /business/)."
        )


def demo_display_name(email: str) -> str:
    return next(account.display_name for account in demo_data.ACCOUNTS if account.email == email)


def in_daytime(moment: datetime) -> datetime:
    """The same moment if it falls between 08:00 and 22:00, else the next 08:00 (keeping the minutes)."""
    local = timezone.localtime(moment)
    if local.hour >= 22:
        local += timedelta(days=1)
    if local.hour >= 22 or local.hour < 8:
        local = local.replace(hour=8)
    return local


def next_reachable(complaint: Complaint, *, after: datetime) -> datetime:
    """Half an hour into the author's window, on the first day they can be reached, two hours after `after` or later."""
    earliest = timezone.localtime(after) + timedelta(hours=2)
    start = complaint.reachable_from or time(18, 0)
    days = complaint.reachable_days or "0123456"
    day = earliest.date()
    while True:
        moment = timezone.make_aware(datetime.combine(day, start)) + timedelta(minutes=30)
        if str(day.weekday()) in days and moment >= earliest:
            return moment
        day += timedelta(days=1)


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
