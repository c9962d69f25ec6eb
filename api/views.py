"""Pages: open data and its downloads, and a company's API tokens and webhooks."""

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from api.exports import CONTENT_TYPES, FORMATS, company_lines, complaint_lines, latest_files
from api.forms import EndpointForm, TokenForm
from api.limits import Limited, count
from api.models import ApiToken, OpenDataFile, WebhookDelivery, WebhookEndpoint
from api.public_api import FilterInvalid, filtered_complaints
from api.records import COMPANY_FIELDS, COMPLAINT_FIELDS, WINDOW_FIELDS, listed_companies, public_complaints
from api.services import (
    ApiSetupError,
    endpoint_add,
    endpoint_enable,
    endpoint_remove,
    token_create,
    token_revoke,
)
from companies.models import Representative
from companies.scoring import MIN_EVALUATED

DELIVERIES_SHOWN = 50
NEW_KEY_SESSION = "api_new_key"


# ---- Open data ----------------------------------------------------------------------

@require_safe
def open_data(request):
    return render(request, "api/open_data.html", {
        "complaint_fields": COMPLAINT_FIELDS, "company_fields": COMPANY_FIELDS, "window_fields": WINDOW_FIELDS,
        "files": latest_files(), "formats": FORMATS, "min_evaluated": MIN_EVALUATED,
    })


def _download(request, lines, name: str, fmt: str):
    response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _refused(message: str, status: int) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _count_download(request) -> HttpResponse | None:
    try:
        count(request, "open_data")
    except Limited as limited:
        if limited.retry_after is None:
            return None  # reads go on without their counters
        response = _refused(_("Too many downloads from this address; the nightly files have "
                                       "everything (see /open-data/)."), HTTPStatus.TOO_MANY_REQUESTS)
        response["Retry-After"] = str(limited.retry_after)
        return response
    return None


@require_safe
def export_complaints(request, fmt: str):
    """Public complaints, all of them or those a complaint-list address selects (its filters)."""
    try:
        filterset = filtered_complaints(request.GET.dict(), queryset=public_complaints())
    except FilterInvalid as invalid:
        lines = [f"{name}: {message}" for name, errors in invalid.form.errors.items() for message in errors]
        return _refused("\n".join(lines), HTTPStatus.BAD_REQUEST)
    if refused := _count_download(request):
        return refused
    return _download(request, complaint_lines(filterset.qs, fmt), "complaints", fmt)


@require_safe
def export_companies(request, fmt: str):
    queryset = listed_companies()
    if industry := request.GET.get("industry", ""):
        queryset = queryset.filter(industry__slug=industry)
    if slug := request.GET.get("company", ""):
        queryset = queryset.filter(slug=slug)
    if refused := _count_download(request):
        return refused
    return _download(request, company_lines(queryset, fmt), "companies", fmt)


@require_safe
def open_data_file(request, name: str):
    """The newest nightly file of this name, from the storage."""
    made = OpenDataFile.objects.filter(name=name).order_by("-created_at").first()
    if made is None:
        raise Http404
    try:
        handle = default_storage.open(made.path, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=made.name, content_type="application/gzip")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def open_data_checksums(request):
    """`sha256sum -c` reads this: the checksum of each newest nightly file."""
    lines = [f"{made.sha256}  {made.name}" for made in latest_files()]
    return HttpResponse("".join(line + "\n" for line in lines), content_type="text/plain; charset=utf-8")


# ---- A company's API tokens and webhooks --------------------------------------------

def _representation(request, slug) -> Representative:
    return get_object_or_404(Representative.objects.select_related("company"), user=request.user, company__slug=slug)


@never_cache
@login_required
def api_tokens(request, slug):
    company = _representation(request, slug).company
    # A new key is shown once, on the page the creation leads to: kept in the session just
    # until then, so that reloading that page neither shows it again nor makes another token.
    new_key = request.session.pop(NEW_KEY_SESSION, None) if request.method == "GET" else None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(company=company, user=request.user, **form.cleaned_data)
        except ApiSetupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The token “%(name)s” was created.") % {"name": token.name})
            request.session[NEW_KEY_SESSION] = key
            return redirect("api:tokens", slug=slug)
    status = HTTPStatus.BAD_REQUEST if request.method == "POST" and form.errors else HTTPStatus.OK
    tokens = ApiToken.objects.filter(company=company).select_related("user")
    return render(request, "api/tokens.html", {
        "company": company, "form": form, "tokens": tokens, "new_key": new_key, "now": timezone.now(),
    }, status=status)


@require_POST
@login_required
def api_token_revoke(request, slug, pk):
    company = _representation(request, slug).company
    token = get_object_or_404(ApiToken, pk=pk, company=company)
    try:
        token_revoke(token=token, user=request.user)
    except ApiSetupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api:tokens", slug=slug)


@never_cache
@login_required
def webhooks(request, slug):
    company = _representation(request, slug).company
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_add(company=company, user=request.user, url=form.cleaned_data["url"])
        except ApiSetupError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, _("The endpoint was added."))
            return redirect("api:webhooks", slug=slug)
    status = HTTPStatus.BAD_REQUEST if request.method == "POST" and form.errors else HTTPStatus.OK
    endpoints = WebhookEndpoint.objects.filter(company=company)
    deliveries = (WebhookDelivery.objects.filter(endpoint__company=company).select_related("endpoint")
                  .order_by("-created_at", "-pk")[:DELIVERIES_SHOWN])
    return render(request, "api/webhooks.html", {
        "company": company, "form": form, "endpoints": endpoints, "deliveries": deliveries,
    }, status=status)


def _endpoint_action(request, slug, pk, action, success: str):
    company = _representation(request, slug).company
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk, company=company)
    try:
        action(endpoint=endpoint, user=request.user)
    except ApiSetupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("api:webhooks", slug=slug)


@require_POST
@login_required
def webhook_remove(request, slug, pk):
    return _endpoint_action(request, slug, pk, endpoint_remove, _("The endpoint was removed."))


@require_POST
@login_required
def webhook_enable(request, slug, pk):
    return _endpoint_action(request, slug, pk, endpoint_enable, _("The endpoint is on again."))

