"""Atom feeds (django.contrib.syndication) of what anyone may read: new complaints on the whole
site or a search, a company's complaints and answers, one complaint's public thread and timeline.

Each starts from the public read paths (Complaint.objects.public(), public messages that are
neither hidden nor held for personal data), so a feed never holds what a visitor could not see.
A story held for personal data is named by its title only, as on the list pages.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from companies.models import Company
from complaints.filters import ComplaintFilter
from complaints.models import Complaint, Incident, Message
from complaints.search import results_page
from complaints.timeline import sentence

FEED_ITEMS = 30


def _story(complaint: Complaint) -> str:
    if complaint.text_held:
        return _("Held for review.")
    return Truncator(complaint.story).words(80)


def public_messages():
    """Public words in the threads of public complaints."""
    return Message.objects.public().filter(
        is_hidden=False, text_held=False, complaint__status__in=Complaint.PUBLIC_STATUSES,
    ).select_related("complaint", "company")


class _AtomFeed(Feed):
    feed_type = Atom1Feed

    def item_link(self, item):
        return item.get_absolute_url()

    def item_updateddate(self, item):
        return getattr(item, "edited_at", None) or self.item_pubdate(item)


class ComplaintsFeed(_AtomFeed):
    """New public complaints, newest first; with the filters of a complaint-list address, a search."""

    def get_object(self, request):
        self.request = request
        return request.GET

    def title(self, query):
        words = query.get("q", "").strip()
        if words:
            return _("Complaints matching “%(words)s” on %(site)s") % {"words": words[:100], "site": settings.SITE_NAME}
        if any(value for name, value in query.items() if name not in ("sort", "after", "before", "page")):
            return _("Complaints chosen by filters on %(site)s") % {"site": settings.SITE_NAME}
        return _("New complaints on %(site)s") % {"site": settings.SITE_NAME}

    def link(self, query):
        address = reverse("complaints:list")
        return f"{address}?{query.urlencode()}" if query else address

    def subtitle(self, query):
        return _("Complaints about companies, answered in public")

    def items(self, query):
        filterset = ComplaintFilter(query or None, queryset=Complaint.objects.public().for_cards())
        if filterset.is_bound and not filterset.is_valid():
            return []
        # Always newest first, whatever the list was sorted by: a feed is read for what is new.
        results = results_page(filterset.qs, words=filterset.words, filtered=filterset.narrows, sort="newest",
                               per_page=FEED_ITEMS, one_status=filterset.holds_one_status)
        return list(results.page)

    def item_title(self, item):
        return f"{item.company.name}: {item.title}"

    def item_description(self, item):
        return _story(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.shown_author

    def item_categories(self, item):
        return [item.company.name]


class CompanyFeed(_AtomFeed):
    """A company's new public complaints and its public answers, newest first."""

    def get_object(self, request, slug):
        return get_object_or_404(Company.objects.listed(), slug=slug)

    def title(self, company):
        return _("%(company)s on %(site)s: complaints and answers") % {"company": company.name,
                                                                       "site": settings.SITE_NAME}

    def link(self, company):
        return company.get_absolute_url()

    def items(self, company):
        complaints = list(Complaint.objects.public().for_company(company).select_related("company")
                          .order_by("-published_at", "-pk")[:FEED_ITEMS])
        answers = list(public_messages().filter(company=company).order_by("-created_at", "-pk")[:FEED_ITEMS])
        incidents = list(company.incidents.order_by("-created_at", "-pk")[:FEED_ITEMS])
        merged = sorted(complaints + answers + incidents, key=self.item_pubdate, reverse=True)
        return merged[:FEED_ITEMS]

    def item_title(self, item):
        if isinstance(item, Message):
            return _("%(company)s answered: %(title)s") % {"company": item.company.name, "title": item.complaint.title}
        if isinstance(item, Incident):
            return _("Incident: %(title)s (%(status)s)") % {"title": item.title, "status": item.get_status_display()}
        return _("New complaint: %(title)s") % {"title": item.title}

    def item_description(self, item):
        if isinstance(item, Message):
            return Truncator(item.body).words(80)
        if isinstance(item, Incident):
            return item.affected
        return _story(item)

    def item_link(self, item):
        if isinstance(item, Message):
            return f"{item.complaint.get_absolute_url()}#message-{item.pk}"
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"{settings.SITE_URL}{self.item_link(item)}"

    def item_pubdate(self, item):
        return item.published_at if isinstance(item, Complaint) else item.created_at


class ComplaintThreadFeed(_AtomFeed):
    """One public complaint: its public messages and the events of its timeline, oldest first."""

    def get_object(self, request, pk):
        complaint = Complaint.objects.public().select_related("company").filter(pk=pk).first()
        if complaint is None:
            raise Http404
        return complaint

    def title(self, complaint):
        return f"{complaint.company.name}: {complaint.title}"

    def link(self, complaint):
        return complaint.get_absolute_url()

    def subtitle(self, complaint):
        return _story(complaint)

    def items(self, complaint):
        messages = list(public_messages().filter(complaint=complaint).order_by("created_at", "pk"))
        events = list(complaint.status_changes.order_by("created_at", "pk"))
        for message in messages:
            message.complaint = complaint
        return sorted(messages + events, key=self.item_pubdate)[-FEED_ITEMS * 2:]

    def item_title(self, item):
        if isinstance(item, Message):
            if item.company_id:
                return _("%(company)s wrote") % {"company": item.company.name}
            return _("The author wrote")
        return sentence(item) or str(item.get_to_status_display())

    def item_description(self, item):
        if isinstance(item, Message):
            return item.body
        return " ".join(filter(None, [sentence(item), item.note])) or str(item.get_to_status_display())

    def item_link(self, item):
        anchor = f"#message-{item.pk}" if isinstance(item, Message) else "#timeline"
        return f"{self._complaint_url(item)}{anchor}"

    def item_guid(self, item):
        kind = "message" if isinstance(item, Message) else "event"
        return f"{settings.SITE_URL}{self._complaint_url(item)}#{kind}-{item.pk}"

    def item_guid_is_permalink(self, item):
        return isinstance(item, Message)

    def item_pubdate(self, item):
        return item.created_at

    @staticmethod
    def _complaint_url(item):
        return item.complaint.get_absolute_url()


class IncidentFeed(_AtomFeed):
    """An incident's status updates, newest first."""

    def get_object(self, request, pk):
        return get_object_or_404(Incident.objects.select_related("company"), pk=pk, company__is_listed=True)

    def title(self, incident):
        return f"{incident.company.name}: {incident.title}"

    def link(self, incident):
        return incident.get_absolute_url()

    def subtitle(self, incident):
        return incident.affected

    def items(self, incident):
        return list(incident.updates.order_by("-created_at", "-pk")[:FEED_ITEMS])

    def item_title(self, item):
        return str(item.get_status_display())

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return f"{item.incident.get_absolute_url()}#update-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at
