from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from companies.filters import CompanyFilter
from companies.models import Company
from complaints.models import Complaint

COMPANIES_PER_PAGE = 20
COMPLAINTS_PER_PAGE = 20


@require_safe
def company_list(request):
    companies = Company.objects.listed().select_related("industry").with_complaint_counts().order_by("name")
    filterset = CompanyFilter(request.GET or None, queryset=companies)
    page = Paginator(filterset.qs, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "companies/company_list.html", {"filter": filterset, "page": page})


@require_safe
def company_detail(request, slug):
    company = get_object_or_404(Company.objects.listed().select_related("industry"), slug=slug)
    complaints = Complaint.objects.public().for_company(company).newest_first()
    page = Paginator(complaints, COMPLAINTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "companies/company_detail.html", {"company": company, "page": page})
