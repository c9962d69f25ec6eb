from django.urls import path

from complaints import views

app_name = "complaints"
urlpatterns = [
    path("complaints/", views.complaint_list, name="list"),
    path("complaints/new/", views.complaint_new, name="new"),
    path("complaints/mine/", views.my_complaints, name="mine"),
    path("complaints/<int:pk>/", views.complaint_redirect, name="redirect"),
    path("complaints/<int:pk>/edit/", views.complaint_edit, name="edit"),
    path("complaints/<int:pk>/preview/", views.complaint_preview, name="preview"),
    path("complaints/<int:pk>/submit/", views.complaint_submit, name="submit"),
    path("complaints/<int:pk>/<str:slug>/", views.complaint_detail, name="detail"),
    path("evidence/<uuid:pk>/", views.evidence, name="evidence"),
]
