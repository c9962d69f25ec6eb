from django.urls import path, re_path

from api import views

app_name = "api"
urlpatterns = [
    path("open-data/", views.open_data, name="open_data"),
    re_path(r"^open-data/complaints\.(?P<fmt>csv|jsonl)$", views.export_complaints, name="export_complaints"),
    re_path(r"^open-data/companies\.(?P<fmt>csv|jsonl)$", views.export_companies, name="export_companies"),
    path("open-data/files/SHA256SUMS", views.open_data_checksums, name="open_data_checksums"),
    re_path(r"^open-data/files/(?P<name>[a-z]+\.(csv|jsonl)\.gz)$", views.open_data_file, name="open_data_file"),
    path("business/<str:slug>/api/", views.api_tokens, name="tokens"),
    path("business/<str:slug>/api/tokens/<int:pk>/revoke/", views.api_token_revoke, name="token_revoke"),
    path("business/<str:slug>/webhooks/", views.webhooks, name="webhooks"),
    path("business/<str:slug>/webhooks/<int:pk>/remove/", views.webhook_remove, name="webhook_remove"),
    path("business/<str:slug>/webhooks/<int:pk>/enable/", views.webhook_enable, name="webhook_enable"),
]
