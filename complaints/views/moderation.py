"""Pages for moderators (the queue and one page per item), for members (reporting content,
editing their own words while allowed) and the public transparency page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from companies.models import Company, ProfileChange, RepresentationClaim
from complaints.access import Viewer
from complaints.forms import (
    CompanyChoiceForm,
    CompanyContactForm,
    CompanyEditForm,
    EditComplaintForm,
    EditMessageForm,
    FlagForm,
    ModerationForm,
    RedactForm,
)
from complaints.models import Comment, Complaint, Flag, Message, Redaction, Suspension, Version
from complaints.pii import find_personal_data
from complaints.services.company_profile import ProfileError, revert_change
from complaints.services.lifecycle import ComplaintError, PersonalDataError
from complaints.services.moderation import (
    complaint_edit,
    complaint_reopen_rejected,
    flag_create,
    held_without_reports,
    message_edit,
    moderation_approve,
    moderation_confirm_company,
    moderation_dismiss_flags,
    moderation_edit_company,
    moderation_hide,
    moderation_merge,
    moderation_move,
    moderation_redact,
    moderation_reject,
    moderation_restore,
    moderation_set_contact,
    moderation_suspend,
    moderation_unsuspend,
    proposed_companies,
    queue_counts,
)
from complaints.sorts import PENDING_SORT
from complaints.transparency import transparency_report
from core.abuse import rate_limited
from core.paging import keyset_page_or_first
from core.roles import is_moderator

ITEM_MODELS = {"complaint": Complaint, "message": Message, "comment": Comment}
# Rows per list of the queue: a page of complaints waiting for review, the oldest of the others.
QUEUE_ROWS = 50


def _moderator_only(request):
    if not request.user.is_authenticated or not is_moderator(request.user):
        raise PermissionDenied


def _item(kind, pk):
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise Http404
    item = get_object_or_404(model, pk=pk)
    if kind == "complaint" and item.is_draft:
        raise Http404  # a draft belongs to its author alone, moderators included (access.Viewer.can_see)
    return item


def _complaint_of(item) -> Complaint:
    return item if isinstance(item, Complaint) else item.complaint


def _reportable(request, kind, pk):
    """The item and its complaint if this person can see the item itself; else 404.

    A private message is seen only by the complaint's parties, and a hidden one by nobody
    but moderators: the report form quotes the item, so it must not open for anyone else.
    """
    item = _item(kind, pk)
    complaint = _complaint_of(item)
    viewer = Viewer(request.user, complaint)
    if not viewer.can_see or getattr(item, "is_hidden", False):
        raise Http404
    if getattr(item, "is_private", False) and not viewer.can_see_private:
        raise Http404
    return item, complaint


# The queue's lists, each on its own page (a tab): a moderator works through one list at a
# time, and a page of one list is a fifth of the work to build of a page with all of them.
QUEUE_LISTS = ("pending", "flagged", "held", "claims", "companies", "suspended")


@login_required
@require_safe
def queue(request):
    """The moderators' work, oldest first, one list at a time (?show=), with how much waits in
    each. Complaints waiting for review are paged by key; the other lists show their QUEUE_ROWS
    oldest, which leave the list as they are handled."""
    _moderator_only(request)
    shown = request.GET.get("show", "pending")
    if shown not in QUEUE_LISTS:
        shown = "pending"
    return render(request, "moderation/queue.html", {
        "counts": queue_counts(), "shown": shown, "rows": QUEUE_ROWS, **_queue_list(request, shown),
    })


def _queue_list(request, shown: str) -> dict:
    """The rows of one list of the queue, for the template."""
    if shown == "pending":
        pending = Complaint.objects.filter(status=Complaint.Status.PENDING).select_related("company")
        page, bad_cursor = keyset_page_or_first(
            pending, PENDING_SORT, per_page=QUEUE_ROWS,
            after=request.GET.get("after", ""), before=request.GET.get("before", ""),
        )
        return {"pending": page, "bad_cursor": bad_cursor}
    if shown == "flagged":
        return {"flagged": _oldest_flagged(QUEUE_ROWS)}
    if shown == "held":
        return {"held": [
            {"kind": kind, "item": item}
            for kind, query in held_without_reports().items()
            for item in query.order_by("pk")[:QUEUE_ROWS]
        ][:QUEUE_ROWS]}
    if shown == "claims":
        return {"claims": RepresentationClaim.objects.filter(status=RepresentationClaim.Status.PENDING)
                .select_related("company", "user").order_by("created_at", "pk")[:QUEUE_ROWS]}
    if shown == "companies":
        return {"companies": proposed_companies().order_by("created_at", "pk")[:QUEUE_ROWS]}
    return {"suspended": Suspension.objects.select_related("user").order_by("-created_at")[:QUEUE_ROWS]}


def _queue_list_of(item, open_flags: bool) -> str:
    """The list of the queue an item under review comes from, for the way back to it."""
    if open_flags:
        return "flagged"
    if item.text_held:
        return "held"
    return "pending"


def _oldest_flagged(limit: int) -> list[dict]:
    """The `limit` reported items whose first open report is oldest: that many of each kind, merged."""
    open_flags = Flag.objects.filter(status=Flag.Status.OPEN)
    flagged = []
    for kind, model in ITEM_MODELS.items():
        items = (
            model.objects.filter(flags__status=Flag.Status.OPEN)
            .annotate(open_flags=Count("flags"), first_flag=Min("flags__created_at"))
            .order_by("first_flag", "pk")[:limit]
            .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flag_list"))
        )
        flagged += [{"kind": kind, "item": item, "first_flag": item.first_flag, "flags": item.open_flag_list}
                    for item in items]
    flagged.sort(key=lambda row: row["first_flag"])
    return flagged[:limit]


def _cut_at_findings(text: str, findings) -> list[tuple[str, bool]]:
    """The text cut into (part, is_personal_data) pieces, for the template to mark up (and escape)."""
    pieces, at = [], 0
    for finding in findings:
        pieces += [(text[at:finding.start], False), (finding.text, True)]
        at = finding.end
    return [*pieces, (text[at:], False)]


def _texts_under_review(kind, item) -> list[dict]:
    """Each text of the item, marked where personal data was detected, with what was found where."""
    fields = (("title", _("Title")), ("story", _("Story"))) if kind == "complaint" else (("body", _("Text")),)
    texts = []
    for field, label in fields:
        text = getattr(item, field)
        findings = find_personal_data(text)
        texts.append({"field": field, "label": label, "pieces": _cut_at_findings(text, findings), "findings": [
            {"finding": finding, "line": text.count("\n", 0, finding.start) + 1} for finding in findings
        ]})
    return texts


DECISIONS = ("approve", "reject", "hide", "restore", "dismiss", "suspend")


@login_required
@require_safe
def item_detail(request, kind, pk):
    _moderator_only(request)
    return _item_page(request, kind, _item(kind, pk))


def _item_page(request, kind, item, sent=None):
    """The review page; `sent` is a decision form sent back with its error and the note as typed."""
    complaint = _complaint_of(item)
    versions = Version.objects.filter(**{kind: item}) if kind in ("complaint", "message") else Version.objects.none()
    texts = _texts_under_review(kind, item)
    forms = {name: ModerationForm() for name in DECISIONS}
    forms["redact"] = RedactForm(initial={"field": "story" if kind == "complaint" else "body"})
    forms["move"] = CompanyChoiceForm()
    forms.update(sent or {})
    open_flags = Flag.objects.filter(**{kind: item}, status=Flag.Status.OPEN).exists()
    return render(request, "moderation/item.html", {
        "kind": kind, "item": item, "complaint": complaint,
        "texts": texts, "personal_data_found": any(text["findings"] for text in texts),
        "evidence": (complaint.attachments.filter(message=None) if kind == "complaint"
                     else item.files.all() if kind == "message" else ()),
        "flags": Flag.objects.filter(**{kind: item}).select_related("reporter"),
        "open_flags": open_flags,
        "queue_list": _queue_list_of(item, open_flags),
        "versions": versions.select_related("edited_by"),
        "redactions": Redaction.objects.filter(**{kind: item}),
        "forms": forms, "suspended": Suspension.objects.filter(user_id=item.author_id).first(),
    })


def _decide(request, kind, pk, action, success, *, name, form_class=ModerationForm):
    """Carry out one decision; refused or invalid, the page comes back with the error in that
    decision's form and the note as the moderator typed it."""
    _moderator_only(request)
    item = _item(kind, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(item, form)
        except ComplaintError as error:
            # Said at the top: another moderator may have decided first, and this form may be gone.
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return redirect("complaints:moderation_item", kind=kind, pk=pk)
    return _item_page(request, kind, _item(kind, pk), sent={name: form})


@require_POST
@login_required
def approve(request, pk):
    return _decide(request, "complaint", pk, lambda item, form: moderation_approve(
        complaint=item, moderator=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]),
        _("Approved and published; the author has been told."), name="approve")


@require_POST
@login_required
def reject(request, pk):
    return _decide(request, "complaint", pk, lambda item, form: moderation_reject(
        complaint=item, moderator=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]),
        _("Rejected; the author has been told why."), name="reject")


@require_POST
@login_required
def hide(request, kind, pk):
    return _decide(request, kind, pk, lambda item, form: moderation_hide(
        item=item, moderator=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]),
        _("Hidden."), name="hide")


@require_POST
@login_required
def restore(request, kind, pk):
    return _decide(request, kind, pk, lambda item, form: moderation_restore(
        item=item, moderator=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]),
        _("Restored."), name="restore")


@require_POST
@login_required
def redact(request, kind, pk):
    return _decide(request, kind, pk, lambda item, form: moderation_redact(
        item=item, field=form.cleaned_data["field"], selection=form.cleaned_data["selection"],
        moderator=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]),
        _("Redacted. The original is kept for moderators and purged after 30 days."),
        name="redact", form_class=RedactForm)


@require_POST
@login_required
def dismiss_flags(request, kind, pk):
    return _decide(request, kind, pk, lambda item, form: moderation_dismiss_flags(
        item=item, moderator=request.user, note=form.cleaned_data["note"]), _("Decided: no open reports are left, and the text is shown."),
        name="dismiss")


@require_POST
@login_required
def move(request, pk):
    return _decide(request, "complaint", pk, lambda item, form: moderation_move(
        complaint=item, company=form.company, moderator=request.user, reason=form.cleaned_data["reason"],
        note=form.cleaned_data["note"]), _("Moved; both companies' figures are updated."),
        name="move", form_class=CompanyChoiceForm)


@require_POST
@login_required
def suspend(request, kind, pk):
    def action(item, form):
        member = get_user_model().objects.get(pk=item.author_id)
        if request.POST.get("lift"):
            moderation_unsuspend(member=member, moderator=request.user, note=form.cleaned_data["note"])
        else:
            moderation_suspend(member=member, moderator=request.user, reason=form.cleaned_data["reason"],
                               note=form.cleaned_data["note"])
    return _decide(request, kind, pk, action, _("Done."), name="suspend")


@login_required
def company_page(request, slug):
    _moderator_only(request)
    company = get_object_or_404(Company, slug=slug)
    action = request.POST.get("action") if request.method == "POST" else None
    form = CompanyChoiceForm(request.POST if action == "merge" else None)
    edit_form = CompanyEditForm(request.POST if action == "edit" else None, prefix="edit", initial={
        "name": company.name, "website": company.website, "aliases": company.aliases})
    contact_form = CompanyContactForm(request.POST if action == "contact" else None, prefix="contact",
                                      initial={"email": company.contact_email})
    if action:
        try:
            if action == "confirm":
                moderation_confirm_company(company=company, moderator=request.user)
                messages.success(request, _("The company is confirmed and listed."))
                return redirect("complaints:moderation_company", slug=company.slug)
            if action == "edit" and edit_form.is_valid():
                moderation_edit_company(company=company, moderator=request.user, **edit_form.cleaned_data)
                messages.success(request, _("The company's details are saved."))
                return redirect("complaints:moderation_company", slug=company.slug)
            if action == "contact" and contact_form.is_valid():
                moderation_set_contact(company=company, moderator=request.user, **contact_form.cleaned_data)
                messages.success(request, _("The company's public complaint address is saved."))
                return redirect("complaints:moderation_company", slug=company.slug)
            if action == "merge" and form.is_valid():
                target = moderation_merge(source=company, target=form.company, moderator=request.user,
                                          note=form.cleaned_data["note"])
                messages.success(request, _("Merged into %(name)s; the old address redirects.") % {"name": target.name})
                return redirect(target)
        except ComplaintError as error:
            if action == "edit":
                edit_form.add_error("name", str(error))
            else:
                messages.error(request, str(error))
    complaints = company.complaints.select_related("author").order_by("-created_at")[:50]
    changes = ProfileChange.objects.filter(company=company).select_related("changed_by")[:50]
    return render(request, "moderation/company.html", {"company": company, "form": form, "edit_form": edit_form,
                                                       "contact_form": contact_form, "complaints": complaints,
                                                       "changes": changes})


@require_POST
@login_required
def profile_change_revert(request, pk):
    """A moderator puts one change to a company's profile back; the revert is logged as a change too."""
    _moderator_only(request)
    change = get_object_or_404(ProfileChange.objects.select_related("company"), pk=pk)
    try:
        revert_change(change, request.user)
    except ProfileError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The change was reverted."))
    return redirect(reverse("complaints:moderation_company", kwargs={"slug": change.company.slug}) + "#profile-changes")


# Members: report content; edit their own words while allowed.

@require_POST
@login_required
@rate_limited("flag")
def flag(request, kind, pk):
    item, complaint = _reportable(request, kind, pk)
    form = FlagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(complaint)
    try:
        flag_create(user=request.user, item=item, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"])
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect(complaint)


@login_required
def flag_form(request, kind, pk):
    item, complaint = _reportable(request, kind, pk)
    if kind != "complaint" and item.text_held and not is_moderator(request.user):
        # The form quotes the item; a held text stays held here too (this copy is never saved).
        item.body = (_("Held for review: a moderator is checking this message for personal data.") if kind == "message"
                     else _("Held for review: a moderator is checking this comment for personal data."))
    return render(request, "moderation/flag.html", {"kind": kind, "item": item, "complaint": complaint,
                                                    "form": FlagForm()})


@login_required
def edit_complaint(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk)
    if complaint.author_id != request.user.pk and not is_moderator(request.user):
        raise PermissionDenied
    form = EditComplaintForm(request.POST or None, initial={"title": complaint.title, "story": complaint.story},
                             checks_title=not is_moderator(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            complaint_edit(complaint=complaint, user=request.user, **form.cleaned_data)
        except PersonalDataError as error:
            form.warn_personal_data(error)
        except ComplaintError as error:
            form.add_error(None, str(error))  # in the form, with the words as typed
        else:
            messages.success(request, _("Your changes are saved; the earlier text is kept for the moderators."))
            return redirect(complaint)
    return render(request, "moderation/edit.html", {"form": form, "complaint": complaint})


@login_required
def edit_message(request, pk):
    message = get_object_or_404(Message.objects.select_related("complaint"), pk=pk)
    if message.author_id != request.user.pk and not is_moderator(request.user):
        raise PermissionDenied
    form = EditMessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            message_edit(message=message, user=request.user, **form.cleaned_data)
        except PersonalDataError as error:
            form.warn_personal_data(error)
        except ComplaintError as error:
            form.add_error(None, str(error))  # in the form, with the words as typed
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(message.complaint.get_absolute_url() + f"#message-{message.pk}")
    return render(request, "moderation/edit.html", {"form": form, "complaint": message.complaint})


@require_POST
@login_required
def resubmit(request, pk):
    complaint = get_object_or_404(Complaint, pk=pk, author=request.user)
    try:
        complaint_reopen_rejected(complaint=complaint, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
        return redirect("complaints:mine")
    messages.info(request, _("Your complaint is a draft again. Change it and send it once more for review."))
    return redirect("complaints:edit", pk=complaint.pk)


@require_safe
def transparency(request):
    return render(request, "moderation/transparency.html", transparency_report())
