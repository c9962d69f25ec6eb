"""Taking part beside the author: "me too", following, comments."""


from allauth.account.decorators import verified_email_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.forms import (
    CommentForm,
)
from complaints.services.lifecycle import (
    ComplaintError,
    PersonalDataError,
)
from complaints.services.participation import comment_post, follow_toggle, me_too_toggle
from complaints.views.complaint import back_to, complaint_for, complaint_page
from core.abuse import rate_limited


@require_POST
@verified_email_required  # like filing: an unconfirmed account could be anyone's
@rate_limited("me_too")
def me_too_view(request, pk):
    complaint, _viewer = complaint_for(request, pk)
    try:
        me_too_toggle(complaint=complaint, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
    return redirect(complaint)


@require_POST
@verified_email_required
def follow_view(request, pk):
    complaint, _viewer = complaint_for(request, pk)
    try:
        following = follow_toggle(complaint=complaint, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You follow this complaint.") if following else _("You no longer follow it."))
    return redirect(complaint)


@require_POST
@login_required
@rate_limited("comment")
def comment_post_view(request, pk):
    complaint, viewer = complaint_for(request, pk)
    if not viewer.can_take_part:
        # A draft, say, has no comment form to show the errors in: say why, as for a valid form.
        messages.error(request, _("Only members can comment on a public complaint."))
        return back_to(complaint, "#comments")
    form = CommentForm(request.POST)
    if not form.is_valid():
        return complaint_page(request, complaint, viewer, comment_form=form)
    try:
        comment = comment_post(complaint=complaint, user=request.user, body=form.cleaned_data["body"],
                               submission_token=form.cleaned_data.get("submission_token"),
                               send_anyway=form.cleaned_data["send_anyway"])
    except PersonalDataError as error:
        form.warn_personal_data(error)
        return complaint_page(request, complaint, viewer, comment_form=form)
    except ComplaintError as error:
        form.add_error(None, str(error))  # shown in the form as sent, so what was typed is not lost
        return complaint_page(request, complaint, viewer, comment_form=form)
    return back_to(complaint, f"#comment-{comment.pk}")  # a repeated form lands on the same comment
