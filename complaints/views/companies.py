"""A company's public page (its scorecard and complaints), its profile as its representatives edit it,
its logo, and its representatives' inbox."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from companies.models import (
    Company,
    CompanyProfile,
    CompanySlugRedirect,
    ProfileChange,
    RepresentationClaim,
    Representative,
    Scorecard,
)
from companies.scoring import LABEL_CHOICES, MIN_EVALUATED
from complaints.forms import CompanyProfileForm
from complaints.inbox import INBOX_VIEWS, inbox_counts, inbox_filters, inbox_page
from complaints.models import CompanyFollow, Complaint
from complaints.services.company_profile import ProfileError, may_edit_profile, update_profile
from complaints.services.scorecards import scorecard_charts
from complaints.sorts import SORTS
from core.paging import COUNT_CAP, capped_count, keyset_page_or_first
from core.roles import is_moderator_for_header
from core.visitor_cache import cache_for_visitors, keep_for_members

COMPLAINTS_PER_PAGE = 20
INCIDENTS_SHOWN = 5


@require_safe
@cache_for_visitors(members=False)  # members are sorted below, by what they have to do with the company
def company_detail(request, slug):
    if request.user.is_authenticated:
        # One query: whether this member represents the company (then always fresh) or follows it.
        standing = Company.objects.filter(slug=slug).values_list(
            Exists(Representative.objects.filter(company=OuterRef("pk"), user=request.user)),
            Exists(CompanyFollow.objects.filter(company=OuterRef("pk"), user=request.user)),
        ).first()
        represents, follows = standing or (False, False)
        if not represents and not is_moderator_for_header(request.user):  # a moderator's header is their own
            # Members who follow it see the same page, and those who do not: but for the button.
            return keep_for_members(request, f"follows={follows:d}",
                                    lambda: _company_detail(request, slug, represents=False, follows=follows))
        return _company_detail(request, slug, represents=represents, follows=follows)
    return _company_detail(request, slug, represents=False, follows=False)


def _company_detail(request, slug, *, represents: bool, follows: bool):
    window = request.GET.get("window")
    if window not in Scorecard.Window.values:
        window = Scorecard.Window.LAST_12_MONTHS
    # Read with the company, in one query: its scorecard for the window (at most one, by the
    # unique company and window) and whether anyone represents it (this member: company_detail).
    companies = Company.objects.listed().annotate(
        card=FilteredRelation("scorecards", condition=Q(scorecards__window=window)),
        is_verified=Exists(Representative.objects.filter(company=OuterRef("pk"))),
    ).select_related("industry", "card", "profile")
    company = companies.filter(slug=slug).first()
    if company is None:
        # A company merged into another keeps its old address as a redirect.
        moved = get_object_or_404(CompanySlugRedirect.objects.select_related("company"), old_slug=slug)
        return redirect(moved.company, permanent=True)
    complaints = Complaint.objects.public().for_company(company).for_cards(show_company=False)
    page, bad_cursor = keyset_page_or_first(
        complaints, SORTS["newest"], per_page=COMPLAINTS_PER_PAGE,
        after=request.GET.get("after", ""), before=request.GET.get("before", ""),
    )
    card = getattr(company, "card", None)  # not set at all when the company has no card for the window
    context = {
        "company": company,
        "page": page,
        "bad_cursor": bad_cursor,
        "window": window,
        "windows": Scorecard.Window.choices,
        "card": card,
        # Drawn only when the record is not already kept (the template's cache).
        "charts": SimpleLazyObject(lambda: scorecard_charts(card)) if card else [],
        "min_evaluated": MIN_EVALUATED,
        "og_description": scorecard_summary(company, card, window),
        "permalink": settings.SITE_URL + company.get_absolute_url() + f"?window={window}",
        "is_verified": company.is_verified,
        "represents": represents,
        "follows": follows,
        # Waiting longer than ANSWER_OVERDUE_DAYS for a first answer, counted in public (by the
        # inbox's own overdue index, at most COUNT_CAP + 1 read).
        "overdue": capped_count(Complaint.objects.filter(
            inbox_filters([company])["overdue"], company=company)),
        "overdue_days": settings.ANSWER_OVERDUE_DAYS,
        "incidents": list(company.incidents.order_by("-created_at", "-pk")[:INCIDENTS_SHOWN]),
        "manages_incidents": represents or is_moderator_for_header(request.user),
    }
    return render(request, "companies/company_detail.html", context)


@login_required
def company_profile_edit(request, slug):
    """A representative edits the company's public profile; every change goes into its log."""
    company = get_object_or_404(Company.objects.listed(), slug=slug)
    if not may_edit_profile(request.user, company):
        raise Http404  # as for any business page: not saying which companies exist behind it
    profile = CompanyProfile.objects.filter(company=company).first() or CompanyProfile(company=company)
    initial = {"description": company.description}
    if request.method == "POST":
        form = CompanyProfileForm(request.POST, request.FILES, instance=profile, initial=initial)
        if form.is_valid():
            try:
                changes = update_profile(company, request.user, form.values(), logo=form.logo_evidence,
                                         remove_logo=form.cleaned_data["remove_logo"])
            except ProfileError as error:
                form.add_error(None, str(error))
            else:
                if changes:
                    messages.success(request, _("The profile was saved. It shows on the company's page now."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("complaints:company_profile", slug=company.slug)
        if not profile._state.adding:  # the form wrote its values into the instance: show the saved ones
            profile.refresh_from_db()
    else:
        form = CompanyProfileForm(instance=profile, initial=initial)
    changes = ProfileChange.objects.filter(company=company).select_related("changed_by")[:20]
    return render(request, "companies/profile_edit.html", {
        "company": company, "profile": profile, "form": form, "changes": changes,
    })


# A logo is public like the company page; the same defences as evidence: the type from our
# allow-list, sniffing off, and a sandbox in case a browser opens it as a page.
@require_safe
def company_logo(request, slug):
    profile = get_object_or_404(CompanyProfile.objects.filter(company__is_listed=True), company__slug=slug)
    name = profile.logo.name
    kinds = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
    content_type = kinds.get(name.rsplit(".", 1)[-1].lower()) if name else None
    if content_type is None:
        raise Http404
    response = FileResponse(profile.logo.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    # The address carries the file's name (?v=), so a new logo is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    return response


def scorecard_summary(company, card, window) -> str:
    """One sentence for link previews (Open Graph) and search results."""
    period = dict(Scorecard.Window.choices)[window]
    if card is None or not card.complaints:
        return _("%(name)s: no published complaints (%(period)s).") % {"name": company.name, "period": period}
    answered = round(100 * card.answered / card.complaints)
    if card.score is None:
        return _("%(name)s: %(n)s complaints, %(answered)s%% answered; not enough evaluations for a score (%(period)s).") % {
            "name": company.name, "n": card.complaints, "answered": answered, "period": period}
    return _("%(name)s: score %(score)s/10 (%(label)s) from %(evaluated)s evaluated complaints; "
             "%(answered)s%% of %(n)s complaints answered (%(period)s).") % {
        "name": company.name, "score": number_format(card.score, 1), "label": dict(LABEL_CHOICES)[card.label],
        "evaluated": card.evaluated, "answered": answered, "n": card.complaints, "period": period}


@login_required
@require_safe
def business_inbox(request):
    representations = list(Representative.objects.filter(user=request.user).select_related("company"))
    companies = [rep.company for rep in representations]
    selected = next((c for c in companies if c.slug == request.GET.get("company")), None)
    scope = [selected] if selected else companies
    view = request.GET.get("view") if request.GET.get("view") in INBOX_VIEWS else None
    page, bad_cursor = None, False
    counts, capped = {}, set()
    if scope:
        counts, capped = inbox_counts(scope)
        page, bad_cursor = inbox_page(scope, view, per_page=COMPLAINTS_PER_PAGE,
                                      after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    claims = RepresentationClaim.objects.filter(
        user=request.user, status__in=RepresentationClaim.OPEN_STATUSES
    ).select_related("company")
    more_than = _("more than %(count)s") % {"count": intcomma(COUNT_CAP)}
    count_labels = {name: more_than if name in capped else intcomma(count) for name, count in counts.items()}
    return render(request, "companies/business_inbox.html", {
        "representations": representations, "companies": companies, "selected": selected, "view": view,
        "counts": counts, "count_labels": count_labels, "page": page, "bad_cursor": bad_cursor,
        "claims": claims, "views": INBOX_VIEWS,
    })
