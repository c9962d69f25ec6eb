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
    path("complaints/<int:pk>/messages/", views.message_post_view, name="message"),
    path("complaints/<int:pk>/evaluate/", views.complaint_evaluate_view, name="evaluate"),
    path("complaints/<int:pk>/reopen/", views.complaint_reopen_view, name="reopen"),
    path("complaints/<int:pk>/withdraw/", views.complaint_withdraw_view, name="withdraw"),
    path("complaints/<int:pk>/me-too/", views.me_too_view, name="me_too"),
    path("complaints/<int:pk>/follow/", views.follow_view, name="follow"),
    path("complaints/<int:pk>/comments/", views.comment_post_view, name="comment"),
    path("complaints/<int:pk>/<str:slug>/", views.complaint_detail, name="detail"),
    path("offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("offers/<int:pk>/delivered/", views.offer_delivered, name="offer_delivered"),
    path("offers/<int:pk>/received/", views.offer_received, name="offer_received"),
    path("offers/<int:pk>/not-received/", views.offer_not_received, name="offer_not_received"),
    path("evidence/<uuid:pk>/", views.evidence, name="evidence"),
]
