"""Addresses of the open-data page and the representatives' API token and webhook pages."""

from django.urls import path

from api import views

app_name = "api"
urlpatterns = [
    path("open-data/", views.open_data, name="open_data"),
    path("business/<str:slug>/api/", views.api_tokens, name="tokens"),
    path("business/<str:slug>/api/tokens/<int:pk>/revoke/", views.api_token_revoke, name="token_revoke"),
    path("business/<str:slug>/webhooks/", views.webhooks, name="webhooks"),
    path("business/<str:slug>/webhooks/<int:pk>/remove/", views.webhook_remove, name="webhook_remove"),
    path("business/<str:slug>/webhooks/<int:pk>/enable/", views.webhook_enable, name="webhook_enable"),
]
