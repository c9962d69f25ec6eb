from allauth.account.decorators import verified_email_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from companies.models import Company
from complaints.forms import ComplaintForm
from complaints.models import Attachment, Complaint
from complaints.services import ComplaintError, complaint_save_draft
from complaints.services import complaint_submit as submit_service

COMPLAINTS_PER_PAGE = 20


def _complaint_for(request, pk) -> Complaint:
    """The complaint if this person may see it; 404 otherwise, so private ones stay unknown."""
    complaint = get_object_or_404(Complaint.objects.select_related("company", "company__industry"), pk=pk)
    if not complaint.is_visible_to(request.user):
        raise Http404
    return complaint


def _own_draft(request, pk) -> Complaint:
    """The signed-in author's own complaint; anyone else gets 404."""
    return get_object_or_404(Complaint.objects.select_related("company"), pk=pk, author=request.user)


@require_safe
def complaint_list(request):
    complaints = Complaint.objects.public().with_list_related().newest_first()
    query = request.GET.get("q", "").strip()[:200]
    if query:
        complaints = complaints.filter(Q(title__icontains=query) | Q(story__icontains=query))
    page = Paginator(complaints, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "complaints/complaint_list.html", {"page": page, "query": query})


@verified_email_required
def complaint_new(request):
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            return _save_draft(request, form, complaint=None)
    else:
        initial = {}
        company = Company.objects.listed().filter(slug=request.GET.get("company", "")).first()
        if company:
            initial["company_name"] = company.name
        form = ComplaintForm(initial=initial)
    return render(request, "complaints/complaint_form.html", _form_context(form))


@verified_email_required
def complaint_edit(request, pk):
    complaint = _own_draft(request, pk)
    if not complaint.is_draft:
        messages.info(request, _("This complaint has been submitted and can no longer be edited here."))
        return redirect(complaint)
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES, instance=complaint)
        if form.is_valid():
            return _save_draft(request, form, complaint=complaint)
    else:
        form = ComplaintForm(instance=complaint)
    return render(request, "complaints/complaint_form.html", _form_context(form, complaint=complaint))


def _form_context(form, complaint=None):
    companies = Company.objects.listed().order_by("name").values_list("name", flat=True)[:500]
    return {"form": form, "complaint": complaint, "company_names": companies}


def _save_draft(request, form, *, complaint):
    try:
        complaint = complaint_save_draft(
            author=request.user,
            complaint=complaint,
            fields=form.complaint_fields(),
            company=form.company,
            new_company=form.new_company,
            new_evidence=form.evidence_files,
            remove_evidence=list(form.cleaned_data.get("remove_evidence") or []),
            submission_token=form.cleaned_data.get("submission_token"),
        )
    except ComplaintError as error:
        messages.error(request, str(error))
        return render(request, "complaints/complaint_form.html", _form_context(form, complaint=complaint))
    return redirect("complaints:preview", pk=complaint.pk)


@verified_email_required
@require_safe
def complaint_preview(request, pk):
    complaint = _own_draft(request, pk)
    if not complaint.is_draft:
        return redirect(complaint)
    return render(request, "complaints/complaint_preview.html", _detail_context(request, complaint))


@require_POST
@verified_email_required
def complaint_submit(request, pk):
    complaint = _own_draft(request, pk)
    try:
        complaint = submit_service(complaint=complaint, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
        return redirect(complaint)
    if complaint.is_public:
        messages.success(request, _("Your complaint is published. The company can now see it and answer."))
    else:
        messages.success(request, _("Thank you. Your complaint is waiting for review."))
    return redirect(complaint)


@require_safe
def complaint_redirect(request, pk):
    return redirect(_complaint_for(request, pk), permanent=False)


@require_safe
def complaint_detail(request, pk, slug):
    complaint = _complaint_for(request, pk)
    if complaint.is_draft:
        return redirect("complaints:preview", pk=complaint.pk)
    if slug != complaint.slug:
        return redirect(complaint, permanent=True)
    return render(request, "complaints/complaint_detail.html", _detail_context(request, complaint))


def _detail_context(request, complaint):
    return {
        "complaint": complaint,
        "attachments": list(complaint.attachments.all()),
        "timeline": list(complaint.status_changes.all()),
        "show_private": complaint.can_see_private_fields(request.user),
        "is_author": request.user.is_authenticated and request.user.pk == complaint.author_id,
    }


@login_required
@require_safe
def my_complaints(request):
    complaints = Complaint.objects.by_author(request.user).with_list_related().order_by("-created_at", "-pk")
    page = Paginator(complaints, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "complaints/my_complaints.html", {"page": page})


# Served evidence never runs as a page: the type comes from our allow-list,
# sniffing is off, a sandbox CSP applies, and PDFs download instead of opening.
@require_safe
def evidence(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("complaint"), pk=pk)
    if not attachment.complaint.is_visible_to(request.user):
        raise Http404
    if attachment.content_type not in Attachment.KINDS:
        raise Http404
    is_pdf = attachment.content_type == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=is_pdf,
        filename=attachment.original_name if is_pdf else None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "public, max-age=3600" if attachment.complaint.is_public else "private, no-store"
    return response
