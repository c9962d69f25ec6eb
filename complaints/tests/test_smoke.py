import pytest
from django.urls import reverse

from complaints.tests.factories import make_published


@pytest.mark.django_db
def test_published_complaint_shows_on_its_page_and_company_page(client, company):
    complaint = make_published(company=company, title="<script>alert(1)</script> Интернет")
    page = client.get(complaint.get_absolute_url())
    assert page.status_code == 200
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    assert "Интернет" in page.content.decode()
    company_page = client.get(reverse("complaints:company", kwargs={"slug": company.slug}))
    assert complaint.get_absolute_url() in company_page.content.decode()
