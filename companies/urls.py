"""Addresses of the directory, industries, scores and the representatives' business pages."""

from django.urls import path

from companies import views

app_name = "companies"
urlpatterns = [
    path("companies/", views.company_list, name="list"),
    path("companies/<str:slug>/represent/", views.company_represent, name="represent"),
    path("industries/<str:slug>/", views.industry_detail, name="industry"),
    path("about/scores/", views.about_scores, name="about_scores"),
    path("business/requests/<int:pk>/withdraw/", views.claim_withdraw_view, name="claim_withdraw"),
    path("business/requests/confirm/<str:token>/", views.claim_confirm_view, name="claim_confirm"),
    path("business/<str:slug>/team/", views.business_team, name="team"),
    path("business/<str:slug>/team/<int:pk>/remove/", views.representative_remove_view, name="remove_representative"),
    path("business/<str:slug>/templates/", views.reply_templates, name="templates"),
    path("business/<str:slug>/templates/<int:pk>/", views.reply_templates, name="template_edit"),
    path("business/<str:slug>/templates/<int:pk>/delete/", views.reply_template_delete_view, name="template_delete"),
    path("moderation/representatives/", views.claim_queue, name="claims"),
    path("moderation/representatives/<int:pk>/decide/", views.claim_decide_view, name="claim_decide"),
]
