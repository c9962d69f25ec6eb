"""A member's own data: the export, and deleting the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from complaints.models import Complaint
from complaints.services.account_data import DeleteAccountForm, member_delete, member_export


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request):
    """Asks for the password again; then the account goes and the member is signed out."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        member_delete(user=request.user, withdraw_complaints=form.cleaned_data["withdraw_complaints"])
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for having been part of the portal."))
        return redirect("home")
    public = Complaint.objects.by_author(request.user).public().count()
    return render(request, "complaints/delete_account.html", {"form": form, "public_count": public})



@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_data(request):
    """The page; its form POSTs (with the CSRF token) to download everything as my-data.json."""
    if request.method == "POST":
        data = json.dumps(member_export(request.user), ensure_ascii=False, indent=2)
        response = HttpResponse(data.encode(), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "complaints/my_data.html")
