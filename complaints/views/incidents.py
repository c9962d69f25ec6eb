"""Incident pages: the public page with its timeline, and the forms of the people who run it or
are hit by it. Thin: each action is a service in complaints/services/incidents.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from companies.models import Company
from complaints.access import represents
from complaints.forms import GroupOfferForm, IncidentForm, IncidentLinkForm, IncidentUpdateForm
from complaints.models import Complaint, Incident, IncidentAffected
from complaints.services.incidents import (
    incident_group_offer,
    incident_join_toggle,
    incident_link,
    incident_open,
    incident_unlink,
    incident_update,
    may_manage,
)
from complaints.services.lifecycle import ComplaintError, PersonalDataError
from core.abuse import rate_limited

LINKED_SHOWN = 100


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request, slug):
    company = get_object_or_404(Company.objects.listed(), slug=slug)
    if not may_manage(request.user, company):
        raise PermissionDenied
    form = IncidentForm(request.POST or None, initial={"started_at": timezone.localtime().replace(second=0,
                                                                                                  microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            incident = incident_open(company=company, user=request.user, **form.cleaned_data)
        except ComplaintError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The incident is open; everyone affected is told of each update."))
            return redirect(incident)
    return render(request, "incidents/new.html", {"company": company, "form": form},
                  status=400 if form.errors else 200)


@require_safe
def incident_detail(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("company"), pk=pk, company__is_listed=True)
    return _incident_page(request, incident)


def _incident_page(request, incident, status=200, **forms):
    user = request.user
    linked = incident.complaints.filter(status__in=Complaint.PUBLIC_STATUSES)
    joined = incident.affected_members.count()
    first_complaint = linked.aggregate(first=Min("published_at"))["first"]
    updates = list(incident.updates.all())
    first_update = updates[0].created_at if updates else None
    manages = may_manage(user, incident.company)
    context = {
        "incident": incident, "updates": updates, "company": incident.company,
        "linked": linked.select_related("company").order_by("-published_at", "-pk")[:LINKED_SHOWN],
        "affected_count": linked.values("author_id").distinct().count() + joined,
        # How long the first complainant waited for the company to speak about the outage.
        "first_complaint_at": first_complaint if first_complaint and first_update and first_update > first_complaint
        else None,
        "first_update_at": first_update,
        "manages": manages,
        "represents": user.is_authenticated and represents(user, incident.company_id),
    }
    # A form sent back with its errors is shown whatever the state; the others as the state allows.
    if forms.get("update_form") or (manages and not incident.is_resolved):
        context["update_form"] = forms.get("update_form") or IncidentUpdateForm(initial={"status": incident.status})
    if manages:
        context["link_form"] = forms.get("link_form") or IncidentLinkForm()
    if forms.get("offer_form") or (context["represents"] and incident.is_resolved and not incident.offered_at):
        context["offer_form"] = forms.get("offer_form") or GroupOfferForm(auto_id="id_offer_%s")
    if user.is_authenticated and not context["represents"]:
        context["joined"] = IncidentAffected.objects.filter(incident=incident, user=user).exists()
        context["own_complaints"] = list(
            Complaint.objects.public().filter(author=user, company=incident.company)
            .exclude(incident=incident).order_by("-published_at")[:20])
    return render(request, "incidents/detail.html", context, status=status)


def _managed(request, pk) -> Incident:
    incident = get_object_or_404(Incident.objects.select_related("company"), pk=pk)
    if not may_manage(request.user, incident.company):
        raise PermissionDenied
    return incident


@login_required
@require_POST
@rate_limited("post_message")
def incident_update_view(request, pk):
    incident = _managed(request, pk)
    form = IncidentUpdateForm(request.POST)
    if form.is_valid():
        try:
            incident_update(incident=incident, user=request.user, **form.cleaned_data)
        except ComplaintError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The update is posted; everyone affected is told."))
            return redirect(incident)
    return _incident_page(request, incident, status=400, update_form=form)


@login_required
@require_POST
def incident_link_view(request, pk):
    """The company or a moderator links a complaint by number; an author links their own (by its id)."""
    incident = get_object_or_404(Incident.objects.select_related("company"), pk=pk)
    form = IncidentLinkForm(request.POST)
    if not form.is_valid():
        return _incident_page(request, incident, status=400, link_form=form)
    complaint = Complaint.objects.filter(pk=form.cleaned_data["complaint"]).first()
    try:
        if complaint is None:
            raise ComplaintError(_("There is no complaint with this number."))
        incident_link(incident=incident, complaint=complaint, user=request.user)
    except ComplaintError as error:
        if not may_manage(request.user, incident.company):
            raise PermissionDenied from None  # an author's own button never leads here
        form.add_error("complaint", str(error))
        return _incident_page(request, incident, status=400, link_form=form)
    messages.success(request, _("The complaint is linked to the incident."))
    return redirect(incident)


@login_required
@require_POST
def incident_unlink_view(request, pk, complaint_pk):
    incident = get_object_or_404(Incident, pk=pk)
    complaint = get_object_or_404(Complaint, pk=complaint_pk, incident=incident)
    try:
        incident_unlink(complaint=complaint, user=request.user)
    except ComplaintError:
        raise PermissionDenied from None
    messages.success(request, _("The complaint is no longer linked to the incident."))
    return redirect(incident)


@login_required
@require_POST
def incident_join_view(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("company"), pk=pk, company__is_listed=True)
    try:
        joined = incident_join_toggle(incident=incident, user=request.user)
    except ComplaintError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You are counted among the affected; you will hear of each update.") if joined
                         else _("You are no longer counted among the affected."))
    return redirect(incident)


@login_required
@require_POST
def incident_offer_view(request, pk):
    incident = _managed(request, pk)
    form = GroupOfferForm(request.POST, auto_id="id_offer_%s")
    if form.is_valid():
        try:
            made = incident_group_offer(incident=incident, user=request.user, body=form.cleaned_data["body"],
                                        offer=form.offer_details())
        except PersonalDataError as error:
            form.add_error("body", str(error))
        except ComplaintError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The offer is made to everyone affected (%(count)s complaints).")
                             % {"count": made})
            return redirect(incident)
    return _incident_page(request, incident, status=400, offer_form=form)
