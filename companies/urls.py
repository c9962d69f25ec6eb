from django.urls import path

from companies import views

app_name = "companies"
urlpatterns = [
    path("", views.company_list, name="list"),
    path("<str:slug>/", views.company_detail, name="detail"),
]
