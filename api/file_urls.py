"""The open-data files: the same address in every language (outside the language prefixes)."""

from django.urls import path, re_path

from api import views

app_name = "opendata"
urlpatterns = [
    re_path(r"^open-data/complaints\.(?P<fmt>csv|jsonl)$", views.export_complaints, name="export_complaints"),
    re_path(r"^open-data/companies\.(?P<fmt>csv|jsonl)$", views.export_companies, name="export_companies"),
    path("open-data/files/SHA256SUMS", views.open_data_checksums, name="checksums"),
    re_path(r"^open-data/files/(?P<name>[a-z]+\.(csv|jsonl)\.gz)$", views.open_data_file, name="file"),
]
