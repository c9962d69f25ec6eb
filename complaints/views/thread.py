"""The thread's forms: a message or an offer, the steps of an offer, the author's evaluation."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.access import Viewer
from complaints.forms import (
    AuthorReplyForm,
    CompanyMessageForm,
    EvaluationForm,
    OfferReasonForm,
)
from complaints.models import Message, Offer
from complaints.services.lifecycle import (
    CallbackTimeError,
    ComplaintError,
    PersonalDataError,
)
from complaints.services.thread import (
    callback_respond,
    complaint_evaluate,
    message_post,
    offer_confirm_delivery,
    offer_mark_delivered,
    offer_respond,
)
from complaints.views.complaint import back_to, complaint_for, complaint_page
from core.abuse import rate_limited


@require_POST
@login_required
@rate_limited("post_message")
def message_post_view(request, pk):
    complaint, viewer = complaint_for(request, pk)
    as_company = request.POST.get("as") == "company"
    if not (viewer.is_representative if as_company else viewer.is_author):
        raise PermissionDenied
    if not viewer.thread_open:
        # A draft or a closed complaint has no form to show the errors in: say why, as for a valid form.
        messages.error(request, _("This complaint is closed for new messages."))
        return back_to(complaint, "#thread")
    form = (CompanyMessageForm if as_company else AuthorReplyForm)(request.POST, request.FILES)
    if not form.is_valid():
        return complaint_page(request, complaint, viewer, **{"company_form" if as_company else "author_form": form})
    data = form.cleaned_data
    try:
        message_post(
            complaint=complaint, user=request.user,
            kind=data["kind"] if as_company else Message.Kind.REPLY,
            body=data["body"], is_private=data["is_private"],
            callback_at=data.get("callback_at"),
            offer=form.offer_details() if as_company else None,
            submission_token=data.get("submission_token"),
            send_anyway=data["send_anyway"],
            files=form.checked_files,
        )
    except PersonalDataError as error:
        form.warn_personal_data(error)
        return complaint_page(request, complaint, viewer, **{"company_form" if as_company else "author_form": form})
    except ComplaintError as error:
        # Shown in the form as sent, so what was typed is not lost.
        at_callback = isinstance(error, CallbackTimeError) and "callback_at" in form.fields
        form.add_error("callback_at" if at_callback else None, str(error))
        return complaint_page(request, complaint, viewer, **{"company_form" if as_company else "author_form": form})
    messages.success(request, _("Your message is posted."))
    return back_to(complaint, "#thread")


def _offer_for(request, pk) -> Offer:
    offer = get_object_or_404(Offer.objects.select_related("complaint", "company"), pk=pk)
    if not Viewer(request.user, offer.complaint).can_see:
        raise Http404
    return offer


def _offer_action(request, pk, action, success, *, by):
    """`by` is the one party whose step this is ("author" or "company"): anyone else gets 403."""
    offer = _offer_for(request, pk)
    viewer = Viewer(request.user, offer.complaint)
    if not (viewer.is_author if by == "author" else viewer.is_representative):
        raise PermissionDenied
    form = OfferReasonForm(request.POST)
    if not form.is_valid():
        # A reason that cannot be kept refuses the step: it is never taken without the reason given.
        messages.error(request, " ".join(f"{form['reason'].label}: {error}" for error in form.errors["reason"]))
        return back_to(offer.complaint, f"#offer-{offer.pk}")
    reason = form.cleaned_data["reason"]
    try:
        action(offer, reason)
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return back_to(offer.complaint, f"#offer-{offer.pk}")


@require_POST
@login_required
def callback_answer(request, pk, answer):
    """The author accepts or declines a call-back time the company proposed (`answer`: accept or decline)."""
    if answer not in ("accept", "decline"):
        raise Http404
    message = get_object_or_404(Message.objects.select_related("complaint"), pk=pk)
    viewer = Viewer(request.user, message.complaint)
    if not viewer.can_see or (message.is_private and not viewer.can_see_private):
        raise Http404
    if not viewer.is_author:
        raise PermissionDenied
    try:
        callback_respond(message=message, user=request.user, accept=answer == "accept")
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You accepted the call-back time.") if answer == "accept"
                         else _("You declined the call-back time."))
    return back_to(message.complaint, f"#message-{message.pk}")


@require_POST
@login_required
def offer_accept(request, pk):
    return _offer_action(request, pk, lambda offer, reason: offer_respond(
        offer=offer, user=request.user, accept=True, reason=reason), _("You accepted the offer."), by="author")


@require_POST
@login_required
def offer_decline(request, pk):
    return _offer_action(request, pk, lambda offer, reason: offer_respond(
        offer=offer, user=request.user, accept=False, reason=reason), _("You declined the offer."), by="author")


@require_POST
@login_required
def offer_delivered(request, pk):
    return _offer_action(request, pk, lambda offer, reason: offer_mark_delivered(
        offer=offer, user=request.user), _("The offer is marked as delivered."), by="company")


@require_POST
@login_required
def offer_received(request, pk):
    return _offer_action(request, pk, lambda offer, reason: offer_confirm_delivery(
        offer=offer, user=request.user, received=True), _("Thank you for confirming."), by="author")


@require_POST
@login_required
def offer_not_received(request, pk):
    return _offer_action(request, pk, lambda offer, reason: offer_confirm_delivery(
        offer=offer, user=request.user, received=False, reason=reason), _("The company has been told."), by="author")


@login_required
def complaint_evaluate_view(request, pk):
    complaint, viewer = complaint_for(request, pk)
    if not viewer.is_author:
        raise PermissionDenied
    evaluation = getattr(complaint, "evaluation", None)
    # The form that wrote the evaluation, sent again (a double click), gets the same answer as the first time.
    repeat = request.method == "POST" and evaluation is not None and evaluation.submission_token is not None and (
        request.POST.get("submission_token") == str(evaluation.submission_token)
    )
    if not viewer.can_evaluate and not repeat:
        messages.error(request, _("This complaint cannot be evaluated now."))
        return redirect(complaint)
    if request.method == "POST":
        form = EvaluationForm(request.POST, instance=evaluation)
        if form.is_valid():
            try:
                complaint_evaluate(complaint=complaint, user=request.user, data=form.evaluation_data(),
                                   submission_token=form.cleaned_data["submission_token"])
            except ComplaintError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Thank you. Your evaluation is published."))
            return back_to(complaint, "#evaluation")
    else:
        form = EvaluationForm(instance=evaluation)
    return render(request, "complaints/evaluate.html", {"complaint": complaint, "form": form,
                                                         "changing": evaluation is not None})
