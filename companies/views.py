"""The directory, industry pages, how scores work, and becoming and working as a company's representative."""

from allauth.account.decorators import reauthentication_required, verified_email_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from companies.filters import CompanyFilter
from companies.forms import ClaimForm, DecisionForm, ReplyTemplateForm
from companies.models import (
    Company,
    Industry,
    ReplyTemplate,
    RepresentationClaim,
    Representative,
    Scorecard,
)
from companies.scoring import LABEL_CHOICES, MIN_EVALUATED, PRIOR_WEIGHT, WEIGHTS, Rate, rating_rate, reputation_score
from companies.selectors import industry_rankings
from companies.services import (
    RepresentationError,
    claim_confirm,
    claim_decide,
    claim_submit,
    claim_withdraw,
    reply_template_delete,
    reply_template_save,
    representative_remove,
)
from core.abuse import limit
from core.paging import keyset_page_or_first
from core.roles import is_moderator
from core.visitor_cache import cache_for_visitors

COMPANIES_PER_PAGE = 20
COMPLAINTS_PER_PAGE = 20
INCIDENTS_SHOWN = 5


@require_safe
@cache_for_visitors
def company_list(request):
    companies = (
        Company.objects.listed().select_related("industry", "profile").with_complaint_counts().with_scorecard()
        .order_by("name")
    )
    filterset = CompanyFilter(request.GET or None, queryset=companies)
    # Every listed company is the sum of the country filter's counts, read for the form anyway.
    count = filterset.qs.count() if filterset.narrows else filterset.listed_total()
    page, bad_cursor = keyset_page_or_first(
        filterset.qs, filterset.chosen_sort, per_page=COMPANIES_PER_PAGE,
        after=request.GET.get("after", ""), before=request.GET.get("before", ""),
    )
    labels = dict(LABEL_CHOICES)
    for company in page:
        company.label_text = labels.get(company.card_label, "")
    return render(request, "companies/company_list.html", {
        "filter": filterset, "page": page, "count": count, "bad_cursor": bad_cursor,
    })


@require_safe
@cache_for_visitors
def industry_detail(request, slug):
    industry = get_object_or_404(Industry, slug=slug)
    window = request.GET.get("window")
    if window not in Scorecard.Window.values:
        window = Scorecard.Window.LAST_12_MONTHS
    return render(request, "companies/industry_detail.html", {
        "industry": industry, "window": window, "windows": Scorecard.Window.choices,
        **industry_rankings(industry, window),
    })


# The worked example on /about/scores/: the page shows these numbers and a test
# recomputes them, so the explanation and the code cannot drift apart.
SCORE_EXAMPLE = {
    "complaints": 40, "answered": 34, "answered_in_7_days": 26,
    "evaluated": 12, "resolved": 8, "would_return": 7, "ratings": [5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 1, 1],
    "priors": {"answered": 0.70, "answered_in_7_days": 0.50, "resolved": 0.45, "rating": 0.50, "would_return": 0.40},
}


def score_example() -> dict:
    ex = SCORE_EXAMPLE
    ratings = ex["ratings"]
    rates = {
        "answered": Rate(ex["answered"] / ex["complaints"], ex["complaints"]),
        "answered_in_7_days": Rate(ex["answered_in_7_days"] / ex["complaints"], ex["complaints"]),
        "resolved": Rate(ex["resolved"] / ex["evaluated"], ex["evaluated"]),
        "rating": rating_rate(sum(ratings), sum(r * r for r in ratings), len(ratings)),
        "would_return": Rate(ex["would_return"] / ex["evaluated"], ex["evaluated"]),
    }
    score = reputation_score(rates, ex["priors"], ex["evaluated"])
    rows = [
        {"name": name, "weight": round(100 * weight), "raw": round(100 * rates[name].value, 1), "n": rates[name].n,
         "prior": round(100 * ex["priors"][name], 1), "shrunk": round(100 * score.components[name], 1),
         "points": round(10 * weight * score.components[name], 2)}
        for name, weight in WEIGHTS.items()
    ]
    return {"example": ex, "rows": rows, "score": score, "mean_rating": round(sum(ratings) / len(ratings), 2)}


@require_safe
@cache_for_visitors
def about_scores(request):
    return render(request, "companies/about_scores.html", {
        **score_example(), "prior_weight": PRIOR_WEIGHT, "min_evaluated": MIN_EVALUATED,
        "labels": LABEL_CHOICES,
    })


# Representation requests.

# Like other sensitive changes: a confirmed address, and the password again after a few
# minutes (allauth keeps the POST and sends it on once the password is typed).
@verified_email_required
@reauthentication_required(allow_get=True)
def company_represent(request, slug):
    company = get_object_or_404(Company.objects.listed(), slug=slug)
    if request.method == "POST":
        form = ClaimForm(request.POST, user=request.user)
        if form.is_valid():
            # Counted only for a valid request: correcting mistakes costs nothing.
            if refused := limit(request, "represent"):
                return refused
            try:
                claim = claim_submit(user=request.user, company=company, **form.cleaned_data)
            except RepresentationError as error:
                messages.error(request, str(error))
                return redirect(company)
            return _after_claim(request, claim)
    else:
        form = ClaimForm(user=request.user)
    return render(request, "companies/represent.html", {"company": company, "form": form})


def _after_claim(request, claim):
    if claim.status == RepresentationClaim.Status.APPROVED:
        messages.success(request, _("You now represent %(company)s.") % {"company": claim.company.name})
        return redirect("complaints:business")
    if claim.status == RepresentationClaim.Status.AWAITING_EMAIL:
        messages.success(
            request,
            _("We sent a confirmation link to %(email)s. Open it to become a representative of %(company)s.")
            % {"email": claim.work_email, "company": claim.company.name},
        )
    else:
        messages.success(request, _("Thank you. A moderator will check your request and tell you by e-mail."))
    return redirect("complaints:business")


@login_required
def claim_confirm_view(request, token):
    """The link mailed to a claim's work address; a POST confirms (a mail scanner's GET changes nothing)."""
    if request.method != "POST":
        return render(request, "companies/claim_confirm.html")
    try:
        claim = claim_confirm(token=token, user=request.user)
    except RepresentationError as error:
        messages.error(request, str(error))
        return redirect("complaints:business")
    messages.success(request, _("You now represent %(company)s.") % {"company": claim.company.name})
    return redirect("complaints:business")


@require_POST
@login_required
def claim_withdraw_view(request, pk):
    claim = get_object_or_404(RepresentationClaim, pk=pk, user=request.user)
    try:
        claim_withdraw(claim=claim, user=request.user)
    except RepresentationError as error:
        messages.error(request, str(error))
    return redirect("complaints:business")


# The business inbox.

def _represented(request, slug):
    """The signed-in person's representation of this company (else 404)."""
    reps = Representative.objects.filter(user=request.user).select_related("company")
    return get_object_or_404(reps, company__slug=slug)


@login_required
@require_safe
def business_team(request, slug):
    me = _represented(request, slug)
    team = Representative.objects.filter(company=me.company).select_related("user").order_by("created_at")
    return render(request, "companies/business_team.html", {"me": me, "company": me.company, "team": team})


@require_POST
@login_required
def representative_remove_view(request, slug, pk):
    me = _represented(request, slug)
    representative = get_object_or_404(Representative, pk=pk, company=me.company)
    try:
        representative_remove(representative=representative, by_user=request.user)
    except RepresentationError as error:
        messages.error(request, str(error))
        return redirect("companies:team", slug=slug)
    if representative.user_id == request.user.pk:
        messages.success(request, _("You no longer represent %(company)s.") % {"company": me.company.name})
        return redirect("complaints:business")
    messages.success(request, _("The representative was removed."))
    return redirect("companies:team", slug=slug)


@login_required
def reply_templates(request, slug, pk=None):
    me = _represented(request, slug)
    template = get_object_or_404(ReplyTemplate, pk=pk, company=me.company) if pk else None
    if request.method == "POST":
        form = ReplyTemplateForm(request.POST, instance=template)
        if form.is_valid():
            try:
                reply_template_save(company=me.company, user=request.user, template=template, **form.template_values())
            except RepresentationError as error:
                form.add_error("title", str(error))
            else:
                messages.success(request, _("The template was saved."))
                return redirect("companies:templates", slug=slug)
    else:
        form = ReplyTemplateForm(instance=template)
    templates = ReplyTemplate.objects.filter(company=me.company)
    return render(request, "companies/reply_templates.html", {
        "company": me.company, "templates": templates, "form": form, "editing": template,
    })


@require_POST
@login_required
def reply_template_delete_view(request, slug, pk):
    me = _represented(request, slug)
    template = get_object_or_404(ReplyTemplate, pk=pk, company=me.company)
    reply_template_delete(template=template, user=request.user)
    messages.success(request, _("The template was deleted."))
    return redirect("companies:templates", slug=slug)


# Moderators decide on representation requests without a matching domain.

def _require_moderator(request):
    if not is_moderator(request.user):
        raise PermissionDenied


@login_required
@require_safe
def claim_queue(request):
    _require_moderator(request)
    claims = RepresentationClaim.objects.filter(status=RepresentationClaim.Status.PENDING).select_related(
        "company", "user"
    )
    return render(request, "companies/claim_queue.html", {"claims": claims, "form": DecisionForm()})


@require_POST
@login_required
def claim_decide_view(request, pk):
    _require_moderator(request)
    claim = get_object_or_404(RepresentationClaim, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("companies:claims")
    try:
        claim_decide(claim=claim, moderator=request.user, approve=form.cleaned_data["decision"] == "approve",
                     reason=form.cleaned_data["reason"])
    except RepresentationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Decision recorded; the person has been told."))
    return redirect("companies:claims")
