"""A member's notifications, what they follow, their choices of how to hear of each topic, and
the one-click unsubscribe that e-mails link to (it works without signing in)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from companies.models import Company
from complaints.forms import DeliveryForm
from complaints.models import CompanyFollow, Complaint, Follow, Notification, Topic
from complaints.services.company_contact import claim_company, stop_company, stop_link_company
from complaints.services.lifecycle import ComplaintError
from complaints.services.notifications import (
    deliveries,
    delivery_set,
    headline,
    mark_read,
    may_read,
    page_version,
    unread_count,
    unsubscribe,
    unsubscribe_read,
)
from complaints.services.participation import company_follow_toggle
from complaints.sorts import NOTIFICATION_SORT
from core.i18n_urls import localized_url
from core.paging import keyset_page_or_first
from core.visitor_cache import keep_for_members

NOTIFICATIONS_PER_PAGE = 30
FOLLOWING_SHOWN = 500  # of each kind; more than anyone reads through


@login_required
@require_safe
def notification_list(request):
    # Kept like the public pages, but for this member alone and only until their notifications
    # change (a new one, one read): page_version names the state it shows.
    return keep_for_members(request, f"notifications:{request.user.pk}:{page_version(request.user)}",
                            lambda: _notification_list(request))


def _notification_list(request):
    rows = Notification.objects.filter(user=request.user).select_related("complaint")
    page, bad_cursor = keyset_page_or_first(rows, NOTIFICATION_SORT, per_page=NOTIFICATIONS_PER_PAGE,
                                            after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    for notification in page:
        notification.shown = may_read(notification)
        notification.text = headline(notification) if notification.shown else ""
    return render(request, "notifications/list.html", {
        "page": page, "bad_cursor": bad_cursor, "unread": unread_count(request.user),
    })


@login_required
@require_safe
def notification_open(request, pk):
    """Mark one notification read and go to what it is about (only ever a page of this site)."""
    notification = get_object_or_404(Notification.objects.select_related("complaint"), pk=pk, user=request.user)
    mark_read(request.user, [notification.pk])
    url = notification.values.get("url", "")
    if not may_read(notification) or not url.startswith(settings.SITE_URL + "/"):
        return redirect("complaints:notifications")
    return redirect(localized_url(url, get_language()).removeprefix(settings.SITE_URL))


@login_required
@require_POST
def notification_read(request, pk):
    get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(request.user, [pk])
    return redirect("complaints:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    changed = mark_read(request.user)
    if changed:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("complaints:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    chosen = deliveries([request.user.pk])[request.user.pk]
    form = DeliveryForm(request.POST or None, initial=chosen)
    if request.method == "POST" and form.is_valid():
        for topic in Topic.values:
            if form.cleaned_data[topic] != chosen[topic]:
                delivery_set(request.user, topic, form.cleaned_data[topic])
        messages.success(request, _("Your notification settings are saved."))
        return redirect("complaints:notification_settings")
    return render(request, "notifications/settings.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_safe
def following(request):
    """What I follow: companies and complaints, each with a button to stop."""
    companies = (CompanyFollow.objects.filter(user=request.user).select_related("company")
                 .order_by("company__name", "pk")[:FOLLOWING_SHOWN])
    complaints = (Follow.objects.filter(user=request.user, complaint__status__in=Complaint.PUBLIC_STATUSES)
                  .select_related("complaint__company").order_by("-created_at", "-pk")[:FOLLOWING_SHOWN])
    return render(request, "notifications/following.html", {"companies": companies, "complaints": complaints})


@login_required
@require_POST
def company_follow_view(request, slug):
    company = get_object_or_404(Company.objects.listed(), slug=slug)
    try:
        follows = company_follow_toggle(company=company, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You follow %(company)s.") % {"company": company.name} if follows
                         else _("You no longer follow %(company)s.") % {"company": company.name})
    return redirect(company)


@login_required
@require_POST
def unfollow_company(request, pk):
    CompanyFollow.objects.filter(user=request.user, pk=pk).delete()
    return redirect("complaints:following")


@login_required
@require_POST
def unfollow_complaint(request, pk):
    Follow.objects.filter(user=request.user, pk=pk).delete()
    return redirect("complaints:following")


# Mail programs send the one-click POST without a form token (RFC 8058): the signed link is
# what authorises it, and it can do nothing but stop e-mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    found = unsubscribe_read(token)
    if found is None:
        raise Http404
    user_id, scope = found
    if request.method == "POST":
        try:
            unsubscribe(user_id, scope)
        except get_user_model().DoesNotExist:  # the account was deleted since
            raise Http404 from None
        return render(request, "notifications/unsubscribed.html", {"scope": scope, "topic": _topic_label(scope)})
    return render(request, "notifications/unsubscribe.html", {"scope": scope, "topic": _topic_label(scope)})


def _topic_label(scope: str) -> str:
    return Topic(scope).label if scope in Topic.values else ""


# A company's public complaint address (complaints/services/company_contact.py): its two links.

@require_safe
def company_contact_claim(request, token):
    """The claim link of a company mail: the representative request with the company chosen."""
    company = claim_company(token)
    if company is None:
        return render(request, "notifications/claim_link_expired.html", status=410)
    return redirect("companies:represent", slug=company.slug)


@csrf_exempt  # as the unsubscribe link: the signed link authorises it, and it can only stop mail
@require_http_methods(["GET", "POST"])
def company_contact_stop(request, token):
    if request.method == "POST":
        company = stop_company(token)
        if company is None:
            raise Http404
        return render(request, "notifications/company_stopped.html", {"company": company})
    company = stop_link_company(token)
    if company is None:
        raise Http404
    return render(request, "notifications/company_stop.html", {"company": company})
