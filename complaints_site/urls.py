from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from complaints_site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("companies.urls")),
    path("", include("complaints.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
