"""Complaint pages: the list and search, filing with a preview, the complaint's page, its evidence files,
the author's own list, reopening and withdrawing."""


from allauth.account.decorators import verified_email_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import slug_unicode_re
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from companies.models import Company, ReplyTemplate, Representative
from complaints.access import Viewer, may_see_message_files, standing_of
from complaints.filters import ComplaintFilter
from complaints.forms import (
    AuthorReplyForm,
    CommentForm,
    CompanyMessageForm,
    ComplaintForm,
    WithdrawForm,
)
from complaints.models import Attachment, Comment, Complaint, Message
from complaints.pii import find_personal_data
from complaints.search import results_page
from complaints.services.lifecycle import (
    ComplaintError,
    complaint_reopen,
    complaint_save_draft,
    complaint_withdraw,
)
from complaints.services.lifecycle import complaint_submit as submit_service
from complaints.sorts import MINE_SORT
from core.abuse import limit, rate_limited
from core.paging import keyset_page_or_first
from core.visitor_cache import cache_for_visitors, keep_for_members

COMPLAINTS_PER_PAGE = 20


def complaint_for(request, pk, *, tombstone_ok=False, standing=None) -> tuple[Complaint, Viewer]:
    """The complaint and what this person may do with it; 404 if they may not see it."""
    user = request.user
    if user.is_authenticated and standing is None:
        standing = standing_of(user, pk)
        if standing is None:
            raise Http404
    # Whether it has evidence or comments, read with it: most have neither, and those reads are then skipped.
    complaints = Complaint.objects.select_related("company", "evaluation", "incident").annotate(
        has_attachments=Exists(Attachment.objects.filter(complaint=OuterRef("pk"), message=None)),
        has_comments=Exists(Comment.objects.filter(complaint=OuterRef("pk"))),
    )
    complaint = get_object_or_404(complaints, pk=pk)
    viewer = Viewer(user, complaint, standing)
    if not viewer.can_see and not (tombstone_ok and complaint.status in Complaint.TOMBSTONE_STATUSES):
        raise Http404
    return complaint, viewer


def _own_draft(request, pk) -> Complaint:
    """The signed-in author's own complaint; anyone else gets 404."""
    return get_object_or_404(Complaint.objects.select_related("company"), pk=pk, author=request.user)


@require_safe
@cache_for_visitors
def complaint_list(request):
    filterset = ComplaintFilter(request.GET or None, queryset=Complaint.objects.public().for_cards())
    results = results_page(
        filterset.qs, words=filterset.words, filtered=filterset.narrows, sort=filterset.chosen_sort,
        per_page=COMPLAINTS_PER_PAGE, one_status=filterset.holds_one_status,
        after=request.GET.get("after", ""), before=request.GET.get("before", ""), page_number=request.GET.get("page"),
    )
    return render(request, "complaints/complaint_list.html", {
        "filter": filterset, "results": results, "page": results.page, "query": filterset.words,
    })


@verified_email_required
def complaint_new(request):
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            # Counted only for a valid form: correcting mistakes costs nothing.
            if refused := limit(request, "file_complaint"):
                return refused
            return _save_draft(request, form, complaint=None)
    else:
        initial = {}
        slug = request.GET.get("company", "")
        # Only a slug can name a company; anything else (a NUL byte, say) is ignored, never sent to the database.
        company = Company.objects.listed().filter(slug=slug).first() if slug_unicode_re.match(slug) else None
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
    context = _detail_context(request, complaint)
    # Warn before publishing: such a story waits for a moderator, who may redact it.
    context["personal_data"] = find_personal_data(f"{complaint.title}\n{complaint.story}")
    return render(request, "complaints/complaint_preview.html", context)


@require_POST
@verified_email_required
@rate_limited("submit_complaint")
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
    complaint, _viewer = complaint_for(request, pk, tombstone_ok=True)
    return redirect(complaint, permanent=False)


@require_safe
@cache_for_visitors(members=False)  # members are sorted below, by their standing with the complaint
def complaint_detail(request, pk, slug):
    standing = standing_of(request.user, pk) if request.user.is_authenticated else None
    if standing is not None and standing.is_bystander and not standing.commented:
        # Such members see the same page but for their own "me too" and follow buttons. Its
        # author, company and moderators, and whoever commented, see things of their own: always fresh.
        variant = f"me-too={standing.said_me_too:d},follows={standing.follows:d}"
        return keep_for_members(request, variant, lambda: _complaint_detail(request, pk, slug, standing))
    return _complaint_detail(request, pk, slug, standing)


def _complaint_detail(request, pk, slug, standing):
    complaint, viewer = complaint_for(request, pk, tombstone_ok=True, standing=standing)
    if complaint.is_draft:
        return redirect("complaints:preview", pk=complaint.pk)
    if slug != complaint.slug:
        return redirect(complaint, permanent=True)
    if not viewer.can_see:
        last_change = complaint.status_changes.last()
        return render(request, "complaints/tombstone.html", {"complaint": complaint, "change": last_change})
    return complaint_page(request, complaint, viewer)


def complaint_page(request, complaint, viewer, **bound_forms):
    """The whole page; `bound_forms` are forms sent back with their errors, in place of empty ones."""
    context = _detail_context(request, complaint, viewer)
    if viewer.can_answer_for_company:
        initial = {}
        template = ReplyTemplate.objects.filter(company=complaint.company, pk=_int(request.GET.get("template"))).first()
        if template:
            initial["body"] = template.body
            if template.offer_kind:
                initial.update(kind=Message.Kind.OFFER, offer_kind=template.offer_kind,
                               offer_amount=template.offer_amount, offer_currency=template.offer_currency,
                               offer_days=template.offer_days, offer_description=template.offer_description)
        context["company_form"] = CompanyMessageForm(initial=initial)
        context["reply_templates"] = ReplyTemplate.objects.filter(company=complaint.company)
    if viewer.can_reply_as_author:
        context["author_form"] = AuthorReplyForm()
    if viewer.can_take_part:
        context["comment_form"] = CommentForm()
    context.update(bound_forms)
    return render(request, "complaints/complaint_detail.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _detail_context(request, complaint, viewer=None):
    viewer = viewer or Viewer(request.user, complaint)
    context = {
        "complaint": complaint,
        "viewer": viewer,
        "attachments": list(complaint.attachments.filter(message=None)) if getattr(complaint, "has_attachments", True) else [],
        "timeline": list(complaint.status_changes.all()),
        "show_private": viewer.can_see_private,
        "is_author": viewer.is_author,
    }
    context["has_gallery"] = bool(context["attachments"])
    if complaint.is_draft:
        return context
    messages_ = list(
        Message.objects.visible_to(viewer).filter(complaint=complaint)
        .select_related("company", "offer", "callback_answer")
        .annotate(has_files=Exists(Attachment.objects.filter(message=OuterRef("pk"))))
    )
    _attach_files(messages_, viewer)
    comments = list(complaint.comments.select_related("author")) if getattr(complaint, "has_comments", True) else []
    representative_ids = set(
        Representative.objects.filter(company=complaint.company_id).values_list("user_id", flat=True)
    ) if comments else set()
    for comment in comments:
        comment.by_company = comment.author_id in representative_ids
        comment.by_complaint_author = comment.author_id == complaint.author_id
    context.update({
        "thread": messages_,
        # The lightbox's script, wherever a photo is shown: the complaint's evidence or a message's files.
        "has_gallery": context["has_gallery"] or any(message.file_list for message in messages_),
        "comments": comments,
        "me_too_count": complaint.me_too_count,
        "said_me_too": viewer.said_me_too,
        "follows": viewer.follows,
        "evaluation": getattr(complaint, "evaluation", None),
    })
    return context


def _attach_files(messages_: list, viewer) -> None:
    """Each message's files as `file_list`, read in one query and only when some message has files."""
    with_files = [message for message in messages_ if message.has_files and may_see_message_files(viewer, message)]
    files = {}
    if with_files:
        for attachment in Attachment.objects.filter(message__in=with_files):
            files.setdefault(attachment.message_id, []).append(attachment)
    for message in messages_:
        message.file_list = files.get(message.pk, [])


def back_to(complaint, anchor=""):
    return redirect(complaint.get_absolute_url() + anchor)


@require_POST
@login_required
def complaint_reopen_view(request, pk):
    complaint, viewer = complaint_for(request, pk)
    if not viewer.is_author:
        raise PermissionDenied
    try:
        complaint_reopen(complaint=complaint, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The complaint is open again; the company has been told."))
    return redirect(complaint)


@login_required
def complaint_withdraw_view(request, pk):
    complaint, viewer = complaint_for(request, pk)
    if not viewer.is_author:
        raise PermissionDenied
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            complaint_withdraw(complaint=complaint, user=request.user, reason=form.cleaned_data["reason"])
        except ComplaintError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your complaint is withdrawn."))
        return redirect(complaint)
    return render(request, "complaints/withdraw.html", {"complaint": complaint, "form": form})


@login_required
@require_safe
def my_complaints(request):
    # Keyset paging on the author's own index (complaint_author_newest), as the public lists.
    complaints = Complaint.objects.by_author(request.user).with_list_related()
    page, bad_cursor = keyset_page_or_first(complaints, MINE_SORT, per_page=COMPLAINTS_PER_PAGE,
                                            after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    return render(request, "complaints/my_complaints.html", {"page": page, "bad_cursor": bad_cursor})


# Served evidence never runs as a page: the type comes from our allow-list,
# sniffing is off, a sandbox CSP applies, and PDFs download instead of opening.
@require_safe
def evidence(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("complaint", "message"), pk=pk)
    viewer = Viewer(request.user, attachment.complaint)
    if not viewer.can_see or not may_see_message_files(viewer, attachment.message):
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
    # Never "public": a shared cache would keep serving it after a moderator hides the complaint.
    kept = attachment.complaint.is_public and not (attachment.message and attachment.message.is_private)
    response["Cache-Control"] = "private, max-age=3600" if kept else "private, no-store"
    return response
